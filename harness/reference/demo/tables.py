"""The demo season shaped into one frame per raw table, with exactly the columns of raw.sql."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from harness.reference.teams import TEAMS

RAW_DDL = Path(__file__).parents[1] / "sql" / "ddl" / "raw.sql"


@dataclass(frozen=True)
class Column:
    """One column of a raw.sql table: name, BigQuery type and NOT NULL flag."""

    name: str
    type: str
    not_null: bool


@functools.cache
def ddl_columns() -> dict[str, tuple[Column, ...]]:
    """Columns per table ("dataset.table") as declared in raw.sql, in declaration order.

    The demo frames are shaped from this, so raw.sql stays the one place where columns are declared.
    """
    import sqlglot
    from sqlglot import exp

    tables: dict[str, tuple[Column, ...]] = {}
    for statement in sqlglot.parse(RAW_DDL.read_text(), read="bigquery"):
        if not isinstance(statement, exp.Create):
            continue
        schema = statement.this
        tables[schema.this.sql("bigquery")] = tuple(
            Column(
                name=col.name,
                type=col.args["kind"].sql("bigquery"),
                not_null=any(isinstance(c.kind, exp.NotNullColumnConstraint) for c in col.constraints),
            )
            for col in schema.expressions
            if isinstance(col, exp.ColumnDef)
        )
    return tables


ODDS_BOOKS = (("draftkings", "DraftKings", 12), ("fanduel", "FanDuel", 10))
AMERICAN_ODDS = np.array([-125, -120, -115, -110, -105, 100, 105])


@dataclass(frozen=True)
class _Season:
    """Everything the table builders share: games with scores, enriched player lines, source dates."""

    season_year: int
    games: pd.DataFrame
    lines: pd.DataFrame
    team_box: pd.DataFrame
    source_dates: dict[str, np.ndarray]


def _typed(value: object, bq_type: str, n: int) -> object:
    """Convert a column's values (or a scalar, or None) to the pandas dtype that loads as `bq_type`."""
    if value is None or isinstance(value, str | int | float | bool | np.generic):
        value = np.full(n, value, dtype=object)
    if bq_type == "STRING":
        return np.asarray(value, dtype=object)
    if bq_type == "INT64":
        return pd.array(np.asarray(value, dtype=float), dtype="Int64")
    if bq_type == "FLOAT64":
        return np.asarray(value, dtype=float)
    if bq_type == "BOOL":
        return pd.array(np.asarray(value, dtype=object), dtype="boolean")
    if bq_type == "DATE":
        return np.asarray(value, dtype="datetime64[s]")
    if bq_type == "TIMESTAMP":
        return pd.to_datetime(np.asarray(value, dtype="datetime64[s]"), utc=True)
    return np.asarray(value, dtype=object)


def _frame(table: str, n: int, values: dict[str, object]) -> pd.DataFrame:
    """A DataFrame with exactly `table`'s raw.sql columns; columns absent from `values` are NULL."""
    columns = ddl_columns()[table]
    unknown = set(values) - {c.name for c in columns}
    if unknown:
        raise ValueError(f"{table} has no column(s) {sorted(unknown)}; see {RAW_DDL.name}")
    return pd.DataFrame({c.name: _typed(values.get(c.name), c.type, n) for c in columns})


def _pct(made: np.ndarray, attempted: np.ndarray) -> np.ndarray:
    """Shooting percentage rounded like the feeds (3 places), NULL without attempts."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(attempted > 0, np.round(made / attempted, 3), np.nan)


def _clock_texts(template: str) -> np.ndarray:
    return np.array([template.format(m=i // 60, s=i % 60) for i in range(90 * 60)], dtype=object)


MINUTES_TEXT = _clock_texts("{m}:{s:02d}")
FEET_TEXT = np.array([f"{feet}' " for feet in range(40)], dtype=object)
BDB_CLOCK_TEXT = _clock_texts("0:{m:02d}:{s:02d}")


def _clock(seconds: pd.Series | np.ndarray, texts: np.ndarray = MINUTES_TEXT) -> np.ndarray:
    """Clock text ('M:SS' by default) for whole seconds, by table lookup (fast); NULL stays NULL."""
    values = np.asarray(seconds, dtype=float)
    known = ~np.isnan(values)
    out = np.full(len(values), None, dtype=object)
    out[known] = texts[values[known].astype(int)]
    return out


def _pick_dates(rng: np.random.Generator, dates: np.ndarray, fraction: float) -> np.ndarray:
    """A reproducible subset of about `fraction` of the game dates."""
    return np.sort(rng.choice(dates, max(1, round(fraction * len(dates))), replace=False))


def _props_dates(rng: np.random.Generator, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Odds API dates (~60%), BettingPros on the rest except three dates that have neither.

    Two of the prop-less dates fall in the season's first 28 game dates (never the opener), so the harness's
    sample window shows a missing player_props chain as real backfills do.
    """
    early = rng.choice(np.arange(1, min(28, len(dates))), 2, replace=False)
    late = rng.choice(np.arange(28, len(dates)), 1) if len(dates) > 28 else np.array([], dtype=int)
    neither = dates[np.concatenate([early, late])]
    rest = np.setdiff1d(dates, neither)
    odds = _pick_dates(rng, rest, 0.6)
    return odds, np.setdiff1d(rest, odds)


def _source_dates(rng: np.random.Generator, games: pd.DataFrame) -> dict[str, np.ndarray]:
    """Game dates on which each partial source has rows (the others have every game date)."""
    dates = np.unique(games["game_date"].to_numpy())
    odds, bettingpros = _props_dates(rng, dates)
    return {
        "bdl_player_boxscores": _pick_dates(rng, dates, 0.3),
        "espn_boxscores": _pick_dates(rng, dates, 0.1),
        "nbac_play_by_play": _pick_dates(rng, dates, 0.2),
        "odds_api_player_points_props": odds,
        "bettingpros_player_points_props": bettingpros,
        "odds_api_game_lines": np.setdiff1d(dates, rng.choice(dates[1:], 1)),
        "bdl_injuries": _pick_dates(rng, dates, 0.5),
    }


def _enrich_lines(games: pd.DataFrame, roster: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Add game, team and player attributes to every player line (ids, names, dates)."""
    tricodes = np.array([t.tricode for t in TEAMS])
    g = games.iloc[lines["game_idx"]].reset_index(drop=True)
    p = roster.iloc[lines["player_idx"]].reset_index(drop=True)
    lines = lines.assign(
        game_id=g["game_id"], nba_game_id=g["nba_game_id"], game_date=g["game_date"],
        start_utc=g["start_utc"],
        home_abbr=tricodes[g["home"]], away_abbr=tricodes[g["away"]], team_abbr=tricodes[lines["team_idx"]],
        full_name=p["full_name"], player_lookup=p["player_lookup"], position=p["position"],
        jersey=p["jersey"],
        nba_player_id=p["nba_player_id"], injury_part=p["injury_part"],
    )  # fmt: skip
    lines["minutes_rank"] = lines.groupby(["game_idx", "team_idx"])["seconds"].rank(
        ascending=False, method="first"
    )
    return lines


def _team_box(lines: pd.DataFrame) -> pd.DataFrame:
    """Team totals per (game, team) as sums over the team's players, with the opponent's points."""
    stats = [
        "fgm",
        "fga",
        "tpm",
        "tpa",
        "ftm",
        "fta",
        "oreb",
        "dreb",
        "reb",
        "ast",
        "stl",
        "blk",
        "tov",
        "pf",
        "pts",
    ]
    keys = [
        "game_idx",
        "team_idx",
        "is_home",
        "game_id",
        "nba_game_id",
        "game_date",
        "team_abbr",
        "overtimes",
    ]
    box = lines.groupby(keys, as_index=False)[stats].sum().astype({s: int for s in stats})
    box["opp_pts"] = box.groupby("game_idx")["pts"].transform("sum") - box["pts"]
    return box


def build_tables(
    rng: np.random.Generator, season_year: int, games: pd.DataFrame, roster: pd.DataFrame, lines: pd.DataFrame
) -> Iterator[tuple[str, pd.DataFrame]]:
    """Shape the generated season into the frames of the raw tables (see generate_season), one at a time
    and always in the same order (the draws from ``rng`` depend on it), so that a caller can insert each
    frame and let it go before the next is built: holding them all was the peak of a cold run. The
    play-by-play of BigDataBall comes in consecutive pieces (``PLAY_BY_PLAY_PIECE_ROWS``)."""
    lines = _enrich_lines(games, roster, lines)
    team_box = _team_box(lines)
    home = team_box[team_box["is_home"]].set_index("game_idx")["pts"]
    away = team_box[~team_box["is_home"]].set_index("game_idx")["pts"]
    games = games.assign(
        home_pts=home.loc[games["game_idx"]].to_numpy(), away_pts=away.loc[games["game_idx"]].to_numpy()
    )
    season = _Season(season_year, games, lines, team_box, _source_dates(rng, games))
    shots = _shot_events(rng, season)
    builders: dict[str, Callable[[], pd.DataFrame]] = {
        "nba_raw.nbac_schedule": lambda: _nbac_schedule(season),
        "nba_reference.nba_schedule": lambda: _reference_schedule(season),
        "nba_raw.espn_scoreboard": lambda: _espn_scoreboard(season),
        "nba_raw.nbac_gamebook_player_stats": lambda: _gamebook(season),
        "nba_raw.bdl_player_boxscores": lambda: _bdl_boxscores(season),
        "nba_raw.espn_boxscores": lambda: _espn_boxscores(season),
        "nba_raw.nbac_team_boxscore": lambda: _nbac_team_boxscore(season),
        "nba_raw.odds_api_player_points_props": lambda: _odds_props(rng, season),
        "nba_raw.bettingpros_player_points_props": lambda: _bettingpros_props(rng, season),
        "nba_raw.odds_api_game_lines": lambda: _game_lines(rng, season),
        "nba_raw.nbac_injury_report": lambda: _injury_report(rng, season),
        "nba_raw.bdl_injuries": lambda: _bdl_injuries(season),
    }
    for table, build in builders.items():
        yield table, build()
    for first in range(0, len(shots), PLAY_BY_PLAY_PIECE_ROWS):
        yield (
            "nba_raw.bigdataball_play_by_play",
            _bigdataball(season, shots[first : first + PLAY_BY_PLAY_PIECE_ROWS]),
        )
    yield "nba_raw.nbac_play_by_play", _nbac_play_by_play(season, shots)


# The largest table (about 270,000 shots a season, 530 MB as pandas strings) is built and handed over in
# pieces of this many rows, in order; consecutive pieces concatenated are the whole table.
PLAY_BY_PLAY_PIECE_ROWS = 50_000


TRICODES = np.array([t.tricode for t in TEAMS])
TEAM_IDS = np.array([t.team_id for t in TEAMS])
FULL_NAMES = np.array([t.full_name for t in TEAMS])
NICKNAMES = np.array([t.name for t in TEAMS])
CITIES = np.array([t.city for t in TEAMS])
ESPN_ABBR = np.array(
    [
        {"GSW": "GS", "NOP": "NO", "NYK": "NY", "SAS": "SA", "UTA": "UTAH", "WAS": "WSH"}.get(t, t)
        for t in TRICODES
    ]
)


def _hours_after(dates: pd.Series | np.ndarray, hours: float) -> np.ndarray:
    """Naive UTC timestamps `hours` after midnight of each date (load times the day after a game)."""
    return np.asarray(dates, dtype="datetime64[s]") + np.timedelta64(int(hours * 3600), "s")


def _dated_path(prefix: str, dates: pd.Series, suffix: str = "/demo.json") -> np.ndarray:
    """`prefix/YYYY-MM-DD<suffix>` per row, formatting each distinct date once (strftime per row is slow)."""
    unique, inverse = np.unique(np.asarray(dates, dtype="datetime64[D]"), return_inverse=True)
    return np.array([f"{prefix}/{day}{suffix}" for day in unique.astype(str)], dtype=object)[inverse]


def _season_label(season_year: int) -> str:
    return f"{season_year}-{(season_year + 1) % 100:02d}"


def _on_dates(frame: pd.DataFrame, dates: np.ndarray) -> pd.DataFrame:
    return frame[np.isin(frame["game_date"].to_numpy(), dates)].reset_index(drop=True)


def _nbac_schedule(s: _Season) -> pd.DataFrame:
    g = s.games
    tip_et = g["start_utc"].dt.tz_localize("UTC").dt.tz_convert("America/New_York").dt.tz_localize(None)
    home_won = g["home_pts"] > g["away_pts"]
    loaded = _hours_after(g["game_date"], 34)
    return _frame("nba_raw.nbac_schedule", len(g), {
        "game_id": g["nba_game_id"],
        "game_code": g["game_date"].dt.strftime("%Y%m%d/") + TRICODES[g["away"]] + TRICODES[g["home"]],
        "season": _season_label(s.season_year), "season_nba_format": _season_label(s.season_year),
        "season_year": s.season_year, "game_date": g["game_date"], "game_date_est": tip_et, "game_status": 3,
        "game_status_text": "Final", "home_team_id": TEAM_IDS[g["home"]],
        "home_team_tricode": TRICODES[g["home"]],
        "home_team_name": FULL_NAMES[g["home"]], "away_team_id": TEAM_IDS[g["away"]],
        "away_team_tricode": TRICODES[g["away"]], "away_team_name": FULL_NAMES[g["away"]],
        "arena_city": CITIES[g["home"]], "is_primetime": tip_et.dt.hour >= 22, "has_national_tv": False,
        "is_regular_season": True, "is_playoffs": False, "is_all_star": False, "is_emirates_cup": False,
        "is_christmas": (g["game_date"].dt.month == 12) & (g["game_date"].dt.day == 25), "is_mlk_day": False,
        "day_of_week": g["game_date"].dt.day_name(), "is_weekend": g["game_date"].dt.day_of_week >= 5,
        "time_slot": np.where(tip_et.dt.hour >= 22, "late", "evening"), "neutral_site_flag": False,
        "international_game": False, "arena_timezone": "America/New_York", "home_team_score": g["home_pts"],
        "away_team_score": g["away_pts"],
        "winning_team_tricode": np.where(home_won, TRICODES[g["home"]], TRICODES[g["away"]]),
        "data_source": "api_stats", "source_updated_at": loaded,
        "source_file_path": f"nba-com/schedule/{_season_label(s.season_year)}/demo.json",
        "scrape_timestamp": loaded, "created_at": loaded, "processed_at": loaded,
    })  # fmt: skip


def _reference_schedule(s: _Season) -> pd.DataFrame:
    g = s.games
    return _frame("nba_reference.nba_schedule", len(g), {
        "game_id": g["nba_game_id"], "game_date": g["game_date"], "season_year": s.season_year,
        "home_team_tricode": TRICODES[g["home"]], "away_team_tricode": TRICODES[g["away"]], "game_status": 3,
        "is_regular_season": True, "is_playoffs": False,
    })  # fmt: skip


def _espn_scoreboard(s: _Season) -> pd.DataFrame:
    g = s.games
    loaded = _hours_after(g["game_date"], 32)
    return _frame("nba_raw.espn_scoreboard", len(g), {
        "game_id": g["game_id"], "espn_game_id": (401360000 + g["game_idx"]).astype(str),
        "game_date": g["game_date"],
        "season_year": s.season_year, "home_team_abbr": TRICODES[g["home"]],
        "away_team_abbr": TRICODES[g["away"]],
        "home_team_name": FULL_NAMES[g["home"]], "away_team_name": FULL_NAMES[g["away"]],
        "home_team_espn_id": (g["home"] + 1).astype(str), "away_team_espn_id": (g["away"] + 1).astype(str),
        "home_team_espn_abbr": ESPN_ABBR[g["home"]], "away_team_espn_abbr": ESPN_ABBR[g["away"]],
        "game_status": "final", "game_status_detail": "Final", "espn_status_id": "3", "espn_state": "post",
        "is_completed": True, "scheduled_start_time": g["start_utc"], "home_team_score": g["home_pts"],
        "away_team_score": g["away_pts"], "home_team_winner": g["home_pts"] > g["away_pts"],
        "away_team_winner": g["away_pts"] > g["home_pts"], "scrape_timestamp": loaded,
        "source_file_path": _dated_path("espn/scoreboard", g["game_date"]),
        "processing_confidence": 1.0, "data_quality_flags": "", "created_at": loaded, "processed_at": loaded,
    })  # fmt: skip


def _player_stats(lines: pd.DataFrame, names: dict[str, str]) -> dict[str, object]:
    """The shared box-score columns of the player tables, under each table's own column names."""
    values = {
        "points": lines["pts"], "field_goals_made": lines["fgm"], "field_goals_attempted": lines["fga"],
        "three_pointers_made": lines["tpm"], "three_pointers_attempted": lines["tpa"],
        "free_throws_made": lines["ftm"], "free_throws_attempted": lines["fta"],
        "offensive_rebounds": lines["oreb"], "defensive_rebounds": lines["dreb"], "assists": lines["ast"],
        "steals": lines["stl"], "blocks": lines["blk"], "turnovers": lines["tov"],
        names["rebounds"]: lines["reb"], names["fouls"]: lines["pf"],
        names["fg_pct"]: _pct(lines["fgm"], lines["fga"]),
        names["three_pct"]: _pct(lines["tpm"], lines["tpa"]),
        names["ft_pct"]: _pct(lines["ftm"], lines["fta"]), "minutes": _clock(lines["seconds"]),
    }  # fmt: skip
    return values


GAMEBOOK_NAMES = {"rebounds": "total_rebounds", "fouls": "personal_fouls", "fg_pct": "field_goal_percentage",
                  "three_pct": "three_point_percentage", "ft_pct": "free_throw_percentage"}  # fmt: skip
BDL_NAMES = {"rebounds": "rebounds", "fouls": "personal_fouls", "fg_pct": "field_goal_pct",
             "three_pct": "three_point_pct", "ft_pct": "free_throw_pct"}  # fmt: skip
ESPN_NAMES = {**GAMEBOOK_NAMES, "rebounds": "rebounds", "fouls": "fouls"}


def _injury_reason(lines: pd.DataFrame) -> pd.Series:
    return "Injury/Illness - " + lines["injury_part"]


def _gamebook(s: _Season) -> pd.DataFrame:
    lines = s.lines
    status = lines["status"]
    reason = np.where(
        status == "dnp", "DNP - Coach's Decision", np.where(status == "inactive", _injury_reason(lines), None)
    )
    code = lines["game_date"].dt.strftime("%Y%m%d/") + lines["away_abbr"] + lines["home_abbr"]
    return _frame("nba_raw.nbac_gamebook_player_stats", len(lines), {
        "game_id": lines["game_id"], "game_code": code, "game_date": lines["game_date"],
        "season_year": s.season_year,
        "home_team_abbr": lines["home_abbr"], "away_team_abbr": lines["away_abbr"],
        "player_name": lines["full_name"],
        "player_name_original": lines["full_name"], "player_lookup": lines["player_lookup"],
        "team_abbr": lines["team_abbr"],
        "player_status": status, "dnp_reason": reason, "name_resolution_status": "resolved",
        "name_resolution_confidence": 1.0, "name_resolution_method": "exact_match",
        "br_team_abbr_used": lines["team_abbr"],
        "minutes_decimal": np.round(lines["seconds"] / 60, 2), "plus_minus": lines["plus_minus"],
        **_player_stats(lines, GAMEBOOK_NAMES),
        "processed_by_run_id": f"demo-{s.season_year}",
        "source_file_path": "nba-com/gamebooks-data/" + code + "/demo.json",
        "processed_at": _hours_after(lines["game_date"], 34), "requires_manual_review": False,
    })  # fmt: skip


def _box_identity(lines: pd.DataFrame, games: pd.DataFrame, season_year: int) -> dict[str, object]:
    """Columns that BDL and ESPN player box scores share: ids, teams, final scores, load times."""
    g = games.iloc[lines["game_idx"]].reset_index(drop=True)
    loaded = _hours_after(lines["game_date"], 33)
    return {
        "game_id": lines["game_id"], "game_date": lines["game_date"], "season_year": season_year, "period": 4,
        "is_postseason": False, "home_team_abbr": lines["home_abbr"], "away_team_abbr": lines["away_abbr"],
        "home_team_score": g["home_pts"], "away_team_score": g["away_pts"], "team_abbr": lines["team_abbr"],
        "player_full_name": lines["full_name"], "player_lookup": lines["player_lookup"],
        "position": lines["position"],
        "jersey_number": lines["jersey"], "created_at": loaded, "processed_at": loaded,
    }  # fmt: skip


def _bdl_boxscores(s: _Season) -> pd.DataFrame:
    lines = _on_dates(s.lines[s.lines["played"]], s.source_dates["bdl_player_boxscores"])
    return _frame("nba_raw.bdl_player_boxscores", len(lines), {
        **_box_identity(lines, s.games, s.season_year), **_player_stats(lines, BDL_NAMES),
        "game_status": "Final",
        "bdl_player_id": 100 + 3 * lines["player_idx"],
        "source_file_path": _dated_path("ball-dont-lie/boxscores", lines["game_date"]),
    })  # fmt: skip


def _espn_boxscores(s: _Season) -> pd.DataFrame:
    lines = _on_dates(s.lines[s.lines["played"]], s.source_dates["espn_boxscores"])
    g = s.games.iloc[lines["game_idx"]].reset_index(drop=True)
    return _frame("nba_raw.espn_boxscores", len(lines), {
        **_box_identity(lines, s.games, s.season_year), **_player_stats(lines, ESPN_NAMES),
        "game_status": "final",
        "espn_game_id": (401360000 + lines["game_idx"]).astype(str),
        "home_team_espn_id": (g["home"] + 1).astype(str),
        "away_team_espn_id": (g["away"] + 1).astype(str),
        "espn_player_id": (4000000 + 11 * lines["player_idx"]).astype(str),
        "starter": lines["minutes_rank"] <= 5, "plus_minus": lines["plus_minus"],
        "source_file_path": _dated_path("espn/boxscores", lines["game_date"]),
    })  # fmt: skip


def _nbac_team_boxscore(s: _Season) -> pd.DataFrame:
    b = s.team_box
    loaded = _hours_after(b["game_date"], 34)
    return _frame("nba_raw.nbac_team_boxscore", len(b), {
        "game_id": b["game_id"], "nba_game_id": b["nba_game_id"], "game_date": b["game_date"],
        "season_year": s.season_year,
        "team_id": TEAM_IDS[b["team_idx"]], "team_abbr": b["team_abbr"],
        "team_name": NICKNAMES[b["team_idx"]],
        "team_city": CITIES[b["team_idx"]], "is_home": b["is_home"],
        "minutes": (240 + 25 * b["overtimes"]).astype(str) + ":00",
        "fg_made": b["fgm"], "fg_attempted": b["fga"], "fg_percentage": _pct(b["fgm"], b["fga"]),
        "three_pt_made": b["tpm"], "three_pt_attempted": b["tpa"],
        "three_pt_percentage": _pct(b["tpm"], b["tpa"]),
        "ft_made": b["ftm"], "ft_attempted": b["fta"], "ft_percentage": _pct(b["ftm"], b["fta"]),
        "offensive_rebounds": b["oreb"], "defensive_rebounds": b["dreb"], "total_rebounds": b["reb"],
        "assists": b["ast"],
        "steals": b["stl"], "blocks": b["blk"], "turnovers": b["tov"], "personal_fouls": b["pf"],
        "points": b["pts"],
        "plus_minus": b["pts"] - b["opp_pts"],
        "source_file_path": "nba-com/team-boxscore/" + b["nba_game_id"] + "/demo.json",
        "created_at": loaded, "processed_at": loaded,
    })  # fmt: skip


def _decimal_odds(american: np.ndarray) -> np.ndarray:
    return np.round(np.where(american > 0, 1 + american / 100, 1 + 100 / np.abs(american)), 3)


def _prop_candidates(rng: np.random.Generator, s: _Season, dates: np.ndarray, n_books: int) -> pd.DataFrame:
    """Top-8-minutes players of each team on `dates`, one row per bookmaker, with a points line.

    The line is the player's season scoring level rounded to the next .5 (no pushes); the second book
    shades it by up to a point, as books disagree in practice.
    """
    active = s.lines[s.lines["played"]]
    level = active.groupby("player_idx")["pts"].mean()
    top = _on_dates(active[active["minutes_rank"] <= 8], dates)
    rows = top.iloc[np.repeat(np.arange(len(top)), n_books)].reset_index(drop=True)
    rows["book"] = np.tile(np.arange(n_books), len(top))
    shade = np.where(rows["book"] == 0, 0.0, rng.choice([-1.0, 0.0, 0.0, 1.0], len(rows)))
    rows["points_line"] = np.maximum(np.floor(level.loc[rows["player_idx"]].to_numpy()) + 0.5 + shade, 0.5)
    rows["snapshot"] = rows["start_utc"].to_numpy() - np.timedelta64(2, "h")
    return rows


def _odds_props(rng: np.random.Generator, s: _Season) -> pd.DataFrame:
    rows = _prop_candidates(rng, s, s.source_dates["odds_api_player_points_props"], len(ODDS_BOOKS))
    over = rng.choice(AMERICAN_ODDS, len(rows))
    under = rng.choice(AMERICAN_ODDS, len(rows))
    event_ids = {gid: hashlib.md5(gid.encode()).hexdigest() for gid in rows["game_id"].unique()}
    return _frame("nba_raw.odds_api_player_points_props", len(rows), {
        "game_id": rows["game_id"], "odds_api_event_id": rows["game_id"].map(event_ids),
        "game_date": rows["game_date"],
        "game_start_time": rows["start_utc"], "home_team_abbr": rows["home_abbr"],
        "away_team_abbr": rows["away_abbr"],
        "snapshot_timestamp": rows["snapshot"], "snapshot_tag": "pregame",
        "capture_timestamp": rows["snapshot"],
        "minutes_before_tipoff": 120, "bookmaker": np.array([b[0] for b in ODDS_BOOKS])[rows["book"]],
        "player_name": rows["full_name"], "player_lookup": rows["player_lookup"],
        "points_line": rows["points_line"],
        "over_price": _decimal_odds(over), "over_price_american": over, "under_price": _decimal_odds(under),
        "under_price_american": under, "bookmaker_last_update": rows["snapshot"], "data_source": "historical",
        "source_file_path": _dated_path("odds-api/player-props-history", rows["game_date"]),
        "processed_at": _hours_after(rows["game_date"], 30),
    })  # fmt: skip


def _bettingpros_props(rng: np.random.Generator, s: _Season) -> pd.DataFrame:
    offers = _prop_candidates(rng, s, s.source_dates["bettingpros_player_points_props"], len(ODDS_BOOKS))
    rows = offers.iloc[np.repeat(np.arange(len(offers)), 2)].reset_index(drop=True)
    side = np.tile(np.array(["over", "under"]), len(offers))
    offer_id = (
        (900000 + 40 * rows["game_idx"] + rows["player_idx"] % 40).astype(str)
        + "-"
        + rows["player_idx"].astype(str)
    )
    book_ids = np.array([b[2] for b in ODDS_BOOKS])[rows["book"]]
    return _frame("nba_raw.bettingpros_player_points_props", len(rows), {
        "game_date": rows["game_date"], "market_type": "points", "market_id": 156,
        "bp_event_id": 20000 + rows["game_idx"],
        "offer_id": offer_id, "bet_side": side, "bp_player_id": 50000 + rows["player_idx"],
        "player_name": rows["full_name"],
        "player_lookup": rows["player_lookup"], "player_team": rows["team_abbr"],
        "player_position": rows["position"],
        "team_source": "bettingpros", "has_team_issues": False, "validated_team": rows["team_abbr"],
        "validation_confidence": 1.0, "validation_method": "schedule_match", "book_id": book_ids,
        "bookmaker": np.array([b[1] for b in ODDS_BOOKS])[rows["book"]],
        "line_id": offer_id + "-" + book_ids.astype(str),
        "points_line": rows["points_line"], "odds_american": rng.choice(AMERICAN_ODDS, len(rows)),
        "is_active": True,
        "is_best_line": rows["book"] == 0, "bookmaker_last_update": rows["snapshot"],
        "opening_line": rows["points_line"],
        "opening_odds": -110, "opening_book_id": book_ids,
        "opening_timestamp": rows["snapshot"] - np.timedelta64(18, "h"),
        "source_file_path": _dated_path("bettingpros/player-props/points", rows["game_date"]),
        "created_at": _hours_after(rows["game_date"], 30),
        "processed_at": _hours_after(rows["game_date"], 30),
    })  # fmt: skip


def _game_lines(rng: np.random.Generator, s: _Season) -> pd.DataFrame:
    """Spreads and totals (two outcomes each) from one or two bookmakers per game, near the final result."""
    games = _on_dates(s.games, s.source_dates["odds_api_game_lines"])
    n_books = np.where(rng.random(len(games)) < 0.5, 2, 1)
    per_book = games.iloc[np.repeat(np.arange(len(games)), n_books)].reset_index(drop=True)
    per_book["book"] = np.concatenate([np.arange(k) for k in n_books])
    margin = per_book["home_pts"] - per_book["away_pts"]
    per_book["spread"] = -np.round((0.5 * margin + rng.normal(0, 5, len(per_book))) * 2) / 2
    per_book["total"] = (
        np.round((per_book["home_pts"] + per_book["away_pts"] + rng.normal(0, 10, len(per_book))) * 2) / 2
    )
    rows = per_book.iloc[np.repeat(np.arange(len(per_book)), 4)].reset_index(drop=True)
    outcome = np.tile(np.arange(4), len(per_book))  # home spread, away spread, over, under
    spread, total = rows["spread"], rows["total"]
    snapshot = rows["start_utc"].to_numpy() - np.timedelta64(1, "h")
    names = np.select(
        [outcome == 0, outcome == 1, outcome == 2],
        [FULL_NAMES[rows["home"]], FULL_NAMES[rows["away"]], "Over"],
        "Under",
    )
    return _frame("nba_raw.odds_api_game_lines", len(rows), {
        "snapshot_timestamp": snapshot, "game_id": rows["game_id"], "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": rows["start_utc"], "game_date": rows["game_date"],
        "home_team": FULL_NAMES[rows["home"]],
        "away_team": FULL_NAMES[rows["away"]], "home_team_abbr": TRICODES[rows["home"]],
        "away_team_abbr": TRICODES[rows["away"]],
        "bookmaker_key": np.array([b[0] for b in ODDS_BOOKS])[rows["book"]],
        "bookmaker_title": np.array([b[1] for b in ODDS_BOOKS])[rows["book"]],
        "bookmaker_last_update": snapshot,
        "market_key": np.where(outcome < 2, "spreads", "totals"), "market_last_update": snapshot,
        "outcome_name": names,
        "outcome_price": _decimal_odds(rng.choice(AMERICAN_ODDS, len(rows))),
        "outcome_point": np.select([outcome == 0, outcome == 1], [spread, -spread], total),
        "source_file_path": _dated_path("odds-api/game-lines-history", rows["game_date"]),
        "data_source": "historical", "created_at": _hours_after(rows["game_date"], 30),
        "processed_at": _hours_after(rows["game_date"], 30),
    })  # fmt: skip


def _injury_report(rng: np.random.Generator, s: _Season) -> pd.DataFrame:
    """Inactive players reported 'out' on game day, plus a few active players 'questionable' or 'probable'."""
    lines = s.lines
    doubtful_but_played = lines["played"] & (rng.random(len(lines)) < 0.03)
    rows = lines[lines["inactive"] | doubtful_but_played].reset_index(drop=True)
    played = rows["played"]
    status = np.where(played, rng.choice(["questionable", "probable"], len(rows)), "out")
    first_last = rows["full_name"].str.split(" ", n=1)
    tip_et = s.games["start_utc"].dt.tz_localize("UTC").dt.tz_convert("America/New_York")
    game_time = tip_et.dt.strftime("%I:%M %p ET").to_numpy(dtype=object)[rows["game_idx"]]
    return _frame("nba_raw.nbac_injury_report", len(rows), {
        "report_date": rows["game_date"], "report_hour": 17, "season": _season_label(s.season_year),
        "game_date": rows["game_date"], "game_time": game_time, "game_id": rows["game_id"],
        "matchup": rows["away_abbr"] + "@" + rows["home_abbr"], "away_team": rows["away_abbr"],
        "home_team": rows["home_abbr"],
        "team": rows["team_abbr"], "player_name_original": first_last.str[1] + ", " + first_last.str[0],
        "player_full_name": rows["full_name"], "player_lookup": rows["player_lookup"],
        "injury_status": status,
        "reason": _injury_reason(rows), "reason_category": "injury", "confidence_score": 0.98,
        "overall_report_confidence": 0.97, "scrape_time": "17:30", "run_id": f"demo-{s.season_year}",
        "source_file_path": _dated_path("nba-com/injury-report-data", rows["game_date"], "/17/demo.json"),
        "processed_at": _hours_after(rows["game_date"], 22),
    })  # fmt: skip


def _bdl_injuries(s: _Season) -> pd.DataFrame:
    rows = _on_dates(s.lines[s.lines["inactive"]], s.source_dates["bdl_injuries"])
    return_date = rows["game_date"] + pd.to_timedelta(1 + rows["player_idx"] % 7, unit="D")
    return _frame("nba_raw.bdl_injuries", len(rows), {
        "scrape_date": rows["game_date"], "season_year": s.season_year,
        "bdl_player_id": 100 + 3 * rows["player_idx"],
        "player_full_name": rows["full_name"], "player_lookup": rows["player_lookup"],
        "bdl_team_id": rows["team_idx"] + 1,
        "team_abbr": rows["team_abbr"], "injury_status": "Out", "injury_status_normalized": "out",
        "return_date": return_date, "return_date_original": return_date.dt.strftime("%b %d"),
        "injury_description": rows["injury_part"], "reason_category": "injury", "parsing_confidence": 0.9,
        "return_date_parsed": True, "scrape_timestamp": _hours_after(rows["game_date"], 15),
        "source_file_path": _dated_path("ball-dont-lie/injuries", rows["game_date"]),
        "processed_at": _hours_after(rows["game_date"], 15),
    })  # fmt: skip


def _within_index(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated `counts` times: the source row of each copy and the copy's index within its row."""
    row = np.repeat(np.arange(len(counts)), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    return row, np.arange(len(row)) - start


def _shot_events(rng: np.random.Generator, s: _Season) -> pd.DataFrame:
    """One event per field-goal and free-throw attempt of every active player, in game order.

    Makes are assigned so that per player and game the counts equal the box score exactly (3PA/3PM, 2PA/2PM,
    FTA/FTM); times are random within regulation and the running score ends at the final score.
    """
    lines = s.lines[s.lines["played"]].reset_index(drop=True)
    counts = {k: lines[k].to_numpy().astype(int) for k in ("fga", "fgm", "tpa", "tpm", "fta", "ftm")}
    row, j = _within_index(counts["fga"] + counts["fta"])
    c = {k: v[row] for k, v in counts.items()}
    is_fg = j < c["fga"]
    is_three = is_fg & (j < c["tpa"])
    made = np.where(
        is_three, j < c["tpm"], np.where(is_fg, j - c["tpa"] < c["fgm"] - c["tpm"], j - c["fga"] < c["ftm"])
    )
    n = len(row)
    paint = rng.random(n) < 0.6
    distance = np.select(
        [~is_fg, is_three, paint],
        [np.full(n, 15), rng.integers(22, 29, n), rng.integers(0, 8, n)],
        rng.integers(8, 22, n),
    ).astype(float)
    kinds = ([~is_fg, is_three, paint], ["Free Throw", "3PT Jump Shot", "Layup"], "Jump Shot")
    kind = np.select(kinds[0], kinds[1], kinds[2]).astype(object)
    feet = np.where(~is_fg, "", FEET_TEXT[distance.astype(int)])
    last_name = np.array([name.split(" ", 1)[1] for name in lines["full_name"]], dtype=object)[row]
    events = pd.DataFrame({
        "line": row, "game_idx": lines["game_idx"].to_numpy()[row],
        "is_home": lines["is_home"].to_numpy()[row],
        "made": made, "is_ft": ~is_fg, "shot_type": np.select([~is_fg, is_three], ["FT", "3PT"], "2PT"),
        "distance": distance, "kind": np.select(kinds[0], [k.lower() for k in kinds[1]], kinds[2].lower()),
        "points": made * np.select([~is_fg, is_three], [1, 3], 2),
        "elapsed": rng.integers(0, 2880, n), "angle": rng.uniform(0, np.pi, n),
        "description": np.where(made, "", "MISS ").astype(object) + last_name + " " + feet + kind,
    })  # fmt: skip
    events = events.iloc[np.lexsort((rng.random(n), events["elapsed"], events["game_idx"]))]
    events = events.reset_index(drop=True)
    per_game = events.groupby("game_idx")
    events["sequence"] = per_game.cumcount() + 1
    events["play_length"] = events["elapsed"] - per_game["elapsed"].shift(fill_value=0)
    for side, is_side in (("score_home", events["is_home"]), ("score_away", ~events["is_home"])):
        events[side] = (events["points"] * is_side).groupby(events["game_idx"]).cumsum()
    events["period"] = events["elapsed"] // 720 + 1
    events["clock"] = 720 - events["elapsed"] % 720
    shooter = lines.iloc[events["line"]].reset_index(drop=True)
    columns = ["game_id", "nba_game_id", "game_date", "team_abbr", "home_abbr", "away_abbr", "full_name"]
    return pd.concat([events, shooter[[*columns, "player_lookup", "nba_player_id"]]], axis=1)


def _bigdataball(s: _Season, e: pd.DataFrame) -> pd.DataFrame:
    loaded = _hours_after(e["game_date"], 36)
    in_period = e["elapsed"] % 720
    g = s.games
    per_game = (
        "[" + g["game_date"].dt.strftime("%Y-%m-%d") + "]-" + g["nba_game_id"] + "-" + TRICODES[g["away"]]
    )
    csv_name = (per_game + "@" + TRICODES[g["home"]] + ".csv").to_numpy(dtype=object)[e["game_idx"]]
    sequence_text = np.arange(e["sequence"].max() + 1).astype(str).astype(object)
    event_id = (g["game_id"] + "_").to_numpy(dtype=object)[e["game_idx"]] + sequence_text[e["sequence"]]
    return _frame("nba_raw.bigdataball_play_by_play", len(e), {
        "game_id": e["game_id"], "bdb_game_id": g["bdb_game_id"].to_numpy()[e["game_idx"]],
        "game_date": e["game_date"],
        "season_year": s.season_year, "data_set": f"NBA {s.season_year}-{s.season_year + 1} Regular Season",
        "home_team_abbr": e["home_abbr"], "away_team_abbr": e["away_abbr"],
        "event_id": event_id, "event_sequence": e["sequence"], "period": e["period"],
        "game_clock": _clock(e["clock"], BDB_CLOCK_TEXT), "game_clock_seconds": e["clock"],
        "elapsed_time": _clock(in_period, BDB_CLOCK_TEXT), "elapsed_seconds": in_period,
        "play_length": _clock(e["play_length"], BDB_CLOCK_TEXT), "play_length_seconds": e["play_length"],
        "event_type": np.where(e["is_ft"], "free throw", "shot"), "event_subtype": e["kind"],
        "event_description": e["description"], "score_home": e["score_home"], "score_away": e["score_away"],
        "player_1_name": e["full_name"], "player_1_lookup": e["player_lookup"],
        "player_1_team_abbr": e["team_abbr"],
        "shot_made": e["made"], "shot_type": e["shot_type"], "shot_distance": e["distance"],
        "points_scored": e["points"],
        "original_x": np.round(10 * e["distance"] * np.cos(e["angle"]), 1),
        "original_y": np.round(10 * e["distance"] * np.sin(e["angle"]), 1),
        "converted_x": np.round(25 + e["distance"] * np.cos(e["angle"]), 1),
        "converted_y": np.round(5.25 + e["distance"] * np.sin(e["angle"]), 1),
        "source_file_path": "big-data-ball/" + f"{_season_label(s.season_year)}/" + csv_name,
        "csv_filename": csv_name,
        "csv_row_number": e["sequence"], "data_source": "bigdataball", "processed_at": loaded,
        "created_at": loaded,
    })  # fmt: skip


def _nbac_play_by_play(s: _Season, events: pd.DataFrame) -> pd.DataFrame:
    e = _on_dates(events, s.source_dates["nbac_play_by_play"])
    is_ft = e["is_ft"]
    return _frame("nba_raw.nbac_play_by_play", len(e), {
        "game_id": e["game_id"], "nba_game_id": e["nba_game_id"], "game_date": e["game_date"],
        "season_year": s.season_year,
        "home_team_abbr": e["home_abbr"], "away_team_abbr": e["away_abbr"],
        "event_id": e["sequence"].astype(str),
        "event_sequence": e["sequence"], "period": e["period"], "game_clock": _clock(e["clock"]),
        "game_clock_seconds": e["clock"], "time_elapsed_seconds": e["elapsed"],
        "event_type": np.where(is_ft, "freethrow", "fieldgoal"),
        "event_action_type": np.where(e["made"], "made", "missed"),
        "event_description": e["description"], "score_home": e["score_home"], "score_away": e["score_away"],
        "player_1_id": e["nba_player_id"], "player_1_lookup": e["player_lookup"],
        "player_1_team_abbr": e["team_abbr"],
        "shot_made": e["made"], "shot_type": e["shot_type"],
        "shot_x": np.where(is_ft, np.nan, np.round(10 * e["distance"] * np.cos(e["angle"]), 1)),
        "shot_y": np.where(is_ft, np.nan, np.round(10 * e["distance"] * np.sin(e["angle"]), 1)),
        "shot_distance": e["distance"], "video_available": False,
        "source_file_path": "nba-com/play-by-play/" + e["nba_game_id"] + "/demo.json",
        "processed_at": _hours_after(e["game_date"], 36),
    })  # fmt: skip
