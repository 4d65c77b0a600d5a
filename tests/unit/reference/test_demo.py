"""Invariants of the demo season, checked on every game of 2021-22.

The reference pipeline and the harness's coverage checks run on this data, so a broken invariant here
(a team playing twice a day, a box score that does not add up, pbp shots that disagree with the box
score) would surface as a confusing failure far away. Expected values come from the contract (the real
2021-22 schedule) or from the raw tables themselves, never from the generator's own constants.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from harness.reference import demo
from harness.reference.teams import TEAMS

OPENER = dt.date(2021, 10, 19)
LAST_DAY = dt.date(2022, 4, 10)
RAW_SQL = Path(demo.__file__).parents[1] / "sql" / "ddl" / "raw.sql"

# pipeline-contract.md, summary: games per date of the real 2021-22 window 2021-10-19..2021-11-15.
# Quoted as the contract writes it, so this expectation stays independent of the generator's own table.
REAL_WINDOW = (
    "10-19:2 10-20:11 10-21:3 10-22:10 10-23:8 10-24:6 10-25:9 10-26:5 10-27:10 10-28:6 10-29:7 10-30:11 "
    "10-31:5 11-01:9 11-02:5 11-03:11 11-04:5 11-05:9 11-06:6 11-07:8 11-08:8 11-09:3 11-10:13 11-11:3 "
    "11-12:11 11-13:7 11-14:7 11-15:11"
)
REAL_WINDOW_COUNTS = [int(item.split(":")[1]) for item in REAL_WINDOW.split()]
WINDOW_END = dt.date(2021, 11, 15)

STAT_PAIRS = {  # gamebook player column -> nbac_team_boxscore column
    "field_goals_made": "fg_made",
    "field_goals_attempted": "fg_attempted",
    "three_pointers_made": "three_pt_made",
    "three_pointers_attempted": "three_pt_attempted",
    "free_throws_made": "ft_made",
    "free_throws_attempted": "ft_attempted",
    "offensive_rebounds": "offensive_rebounds",
    "defensive_rebounds": "defensive_rebounds",
    "total_rebounds": "total_rebounds",
    "assists": "assists",
    "steals": "steals",
    "blocks": "blocks",
    "turnovers": "turnovers",
    "personal_fouls": "personal_fouls",
    "points": "points",
}


@pytest.fixture(scope="module")
def season() -> dict[str, pd.DataFrame]:
    return demo.generate_season(2021, OPENER, LAST_DAY)


@pytest.fixture(scope="module")
def ddl() -> dict[str, list[tuple[str, bool]]]:
    """(column, NOT NULL) per table, parsed from raw.sql here, independently of ddl_columns."""
    tables = {}
    for statement in sqlglot.parse(RAW_SQL.read_text(), read="bigquery"):
        if isinstance(statement, exp.Create):
            tables[statement.this.this.sql("bigquery")] = [
                (col.name, any(isinstance(c.kind, exp.NotNullColumnConstraint) for c in col.constraints))
                for col in statement.this.expressions
                if isinstance(col, exp.ColumnDef)
            ]
    return tables


@pytest.fixture(scope="module")
def schedule(season: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = season["nba_raw.nbac_schedule"].copy()
    frame["day"] = frame["game_date"].dt.date
    return frame


@pytest.fixture(scope="module")
def active(season: dict[str, pd.DataFrame]) -> pd.DataFrame:
    gamebook = season["nba_raw.nbac_gamebook_player_stats"]
    return gamebook[gamebook["player_status"] == "active"].reset_index(drop=True)


def _dates(frame: pd.DataFrame, column: str = "game_date") -> set[dt.date]:
    return set(frame[column].dt.date)


# ------------------------------------------------------------------------------------------- schedule


def test_opening_window_has_the_real_per_date_counts(schedule: pd.DataFrame) -> None:
    window = schedule[schedule["day"] <= WINDOW_END]
    per_date = window.groupby("day").size()
    expected_days = [OPENER + dt.timedelta(days=i) for i in range(len(REAL_WINDOW_COUNTS))]
    assert list(per_date.index) == expected_days
    assert per_date.tolist() == REAL_WINDOW_COUNTS
    assert len(window) == 209


def test_season_is_82_games_per_team_never_twice_a_day(schedule: pd.DataFrame) -> None:
    assert len(schedule) == 1230
    assert schedule["day"].min() == OPENER and schedule["day"].max() <= LAST_DAY
    appearances = pd.concat(
        [
            schedule[["day", "home_team_tricode"]].set_axis(["day", "team"], axis=1),
            schedule[["day", "away_team_tricode"]].set_axis(["day", "team"], axis=1),
        ]
    )
    assert set(appearances["team"]) == {t.tricode for t in TEAMS}
    assert (appearances.groupby("team").size() == 82).all()
    assert not appearances.duplicated().any()
    assert (schedule["home_team_tricode"] != schedule["away_team_tricode"]).all()


def test_game_ids_follow_both_formats(season: dict[str, pd.DataFrame], schedule: pd.DataFrame) -> None:
    assert schedule["game_id"].str.fullmatch(r"00221\d{5}").all()
    assert schedule["game_id"].is_unique
    reference = season["nba_reference.nba_schedule"]
    assert reference["game_id"].tolist() == schedule["game_id"].tolist()
    board = season["nba_raw.espn_scoreboard"]
    system_ids = (
        schedule["game_date"].dt.strftime("%Y%m%d")
        + "_"
        + schedule["away_team_tricode"]
        + "_"
        + schedule["home_team_tricode"]
    )
    assert board["game_id"].tolist() == system_ids.tolist()
    assert (schedule[["game_status", "game_status_text"]].drop_duplicates().values.tolist()) == [[3, "Final"]]
    assert schedule["is_regular_season"].all() and (schedule["data_source"] == "api_stats").all()
    bdb = season["nba_raw.bigdataball_play_by_play"][["game_id", "bdb_game_id"]].drop_duplicates()
    by_system_id = dict(zip(system_ids, schedule["game_id"].astype(int), strict=True))
    assert (bdb["bdb_game_id"] == bdb["game_id"].map(by_system_id)).all()


# ------------------------------------------------------------------------------------------ structure


def test_frames_have_exactly_the_ddl_columns(season: dict[str, pd.DataFrame], ddl: dict) -> None:
    assert set(season) == set(ddl)
    for table, columns in ddl.items():
        frame = season[table]
        assert list(frame.columns) == [name for name, _ in columns], table
        assert len(frame) > 0, table
        for name, not_null in columns:
            if not_null:
                assert frame[name].notna().all(), f"{table}.{name} has NULLs"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("nba_raw.nbac_gamebook_player_stats", ["game_id", "player_lookup"]),
        ("nba_raw.nbac_team_boxscore", ["game_id", "team_abbr"]),
        ("nba_raw.bdl_player_boxscores", ["game_id", "player_lookup"]),
        ("nba_raw.espn_boxscores", ["game_id", "player_lookup"]),
        ("nba_raw.bigdataball_play_by_play", ["event_id"]),
        ("nba_raw.nbac_play_by_play", ["game_id", "event_id"]),
        ("nba_raw.espn_scoreboard", ["game_id"]),
        (
            "nba_raw.odds_api_player_points_props",
            ["game_id", "player_lookup", "bookmaker", "snapshot_timestamp"],
        ),
        ("nba_raw.bettingpros_player_points_props", ["game_date", "player_lookup", "bookmaker", "bet_side"]),
        ("nba_raw.nbac_injury_report", ["report_date", "report_hour", "game_id", "player_lookup"]),
    ],
)
def test_grain_keys_are_unique(season: dict[str, pd.DataFrame], table: str, key: list[str]) -> None:
    assert not season[table].duplicated(key).any()


def test_player_lookups_are_letters_and_stable(season: dict[str, pd.DataFrame]) -> None:
    gamebook = season["nba_raw.nbac_gamebook_player_stats"]
    assert gamebook["player_lookup"].str.fullmatch("[a-z]+").all()
    per_player = gamebook.groupby("player_lookup")[["player_name", "team_abbr"]].nunique()
    assert (per_player == 1).all().all()
    roster_sizes = gamebook.groupby(["game_id", "team_abbr"]).size()
    assert roster_sizes.between(15, 17).all()


# ------------------------------------------------------------------------------------------ box scores


def test_gamebook_statuses_and_minutes(season: dict[str, pd.DataFrame]) -> None:
    gamebook = season["nba_raw.nbac_gamebook_player_stats"]
    counts = gamebook.groupby(["game_id", "team_abbr"])["player_status"].value_counts().unstack(fill_value=0)
    assert counts["active"].between(8, 12).all()
    assert counts["dnp"].between(0, 3).all()
    not_playing = gamebook[gamebook["player_status"] != "active"]
    assert not_playing["dnp_reason"].notna().all()
    assert not_playing[["minutes", "points", "field_goals_attempted"]].isna().all().all()
    assert (gamebook.loc[gamebook["player_status"] == "dnp", "dnp_reason"] == "DNP - Coach's Decision").all()
    played = gamebook[gamebook["player_status"] == "active"]
    parts = played["minutes"].str.split(":", expand=True).astype(int)
    seconds = parts[0] * 60 + parts[1]
    assert (parts[1] < 60).all()
    assert np.allclose(played["minutes_decimal"], seconds / 60, atol=0.01)
    team_seconds = seconds.groupby([played["game_id"], played["team_abbr"]]).sum()
    assert team_seconds.isin([240 * 60, 265 * 60, 290 * 60]).all()


def test_box_score_arithmetic(active: pd.DataFrame) -> None:
    a = active
    assert (a["points"] == 2 * a["field_goals_made"] + a["three_pointers_made"] + a["free_throws_made"]).all()
    assert (a["field_goals_made"] <= a["field_goals_attempted"]).all()
    assert (a["three_pointers_made"] <= a["three_pointers_attempted"]).all()
    assert (a["free_throws_made"] <= a["free_throws_attempted"]).all()
    assert (a["three_pointers_made"] <= a["field_goals_made"]).all()
    assert (a["three_pointers_attempted"] <= a["field_goals_attempted"]).all()
    assert (a["total_rebounds"] == a["offensive_rebounds"] + a["defensive_rebounds"]).all()
    assert (a["personal_fouls"] <= 6).all()


def test_team_box_is_the_sum_of_its_players(season: dict[str, pd.DataFrame], active: pd.DataFrame) -> None:
    team_box = season["nba_raw.nbac_team_boxscore"].set_index(["game_id", "team_abbr"]).sort_index()
    sums = active.groupby(["game_id", "team_abbr"])[list(STAT_PAIRS)].sum().sort_index()
    assert len(team_box) == 2460 and sums.index.equals(team_box.index)
    for player_col, team_col in STAT_PAIRS.items():
        assert (sums[player_col].to_numpy() == team_box[team_col].to_numpy()).all(), team_col


def test_scores_margins_and_winners_agree(
    season: dict[str, pd.DataFrame], schedule: pd.DataFrame, active: pd.DataFrame
) -> None:
    team_box = season["nba_raw.nbac_team_boxscore"]
    assert (team_box.groupby("game_id")["plus_minus"].sum() == 0).all()
    assert (team_box["plus_minus"] != 0).all()
    player_pm = active.groupby(["game_id", "team_abbr"])["plus_minus"].sum()
    team_pm = team_box.set_index(["game_id", "team_abbr"])["plus_minus"]
    assert (player_pm == 5 * team_pm.loc[player_pm.index]).all()
    points = team_box.set_index(["nba_game_id", "is_home"])["points"]
    home = points.xs(True, level="is_home").loc[schedule["game_id"]].to_numpy()
    away = points.xs(False, level="is_home").loc[schedule["game_id"]].to_numpy()
    assert (schedule["home_team_score"].to_numpy() == home).all()
    assert (schedule["away_team_score"].to_numpy() == away).all()
    winner = np.where(home > away, schedule["home_team_tricode"], schedule["away_team_tricode"])
    assert (schedule["winning_team_tricode"].to_numpy() == winner).all()
    board = season["nba_raw.espn_scoreboard"]
    assert (board["home_team_score"].to_numpy() == home).all()
    assert (board["home_team_winner"].to_numpy() == (home > away)).all()


@pytest.mark.parametrize("table", ["nba_raw.bdl_player_boxscores", "nba_raw.espn_boxscores"])
def test_fallback_boxscores_repeat_the_gamebook(
    season: dict[str, pd.DataFrame], active: pd.DataFrame, table: str
) -> None:
    fallback = season[table]
    merged = fallback.merge(active, on=["game_id", "player_lookup"], suffixes=("", "_gb"))
    assert len(merged) == len(fallback)
    games_there = active[active["game_id"].isin(fallback["game_id"])]
    assert len(games_there) == len(fallback)
    for col in ("points", "field_goals_made", "three_pointers_attempted", "free_throws_made", "assists"):
        assert (merged[col] == merged[f"{col}_gb"]).all(), col


# -------------------------------------------------------------------------------------- play-by-play


def _shot_counts(events: pd.DataFrame) -> pd.DataFrame:
    is_fg = events["shot_type"].isin(["2PT", "3PT"])
    is_three = events["shot_type"] == "3PT"
    is_ft = events["shot_type"] == "FT"
    made = events["shot_made"].astype(bool)
    flags = pd.DataFrame(
        {
            "field_goals_attempted": is_fg,
            "field_goals_made": is_fg & made,
            "three_pointers_attempted": is_three,
            "three_pointers_made": is_three & made,
            "free_throws_attempted": is_ft,
            "free_throws_made": is_ft & made,
        }
    ).astype(int)
    return flags.groupby([events["game_id"], events["player_1_lookup"]]).sum()


def _assert_shots_match_box(events: pd.DataFrame, active: pd.DataFrame) -> None:
    counts = _shot_counts(events)
    box = active[active["game_id"].isin(events["game_id"])].set_index(["game_id", "player_lookup"])
    box = box[counts.columns].astype(int)
    box = box[box.sum(axis=1) > 0]
    counts.index.names = box.index.names
    pd.testing.assert_frame_equal(counts.sort_index(), box.sort_index(), check_dtype=False)


def test_bigdataball_shots_match_box_scores(season: dict[str, pd.DataFrame], active: pd.DataFrame) -> None:
    events = season["nba_raw.bigdataball_play_by_play"]
    assert set(events["game_id"]) == set(active["game_id"])
    _assert_shots_match_box(events, active)
    assert set(events["event_type"]) == {"shot", "free throw"}
    assert ((events["event_type"] == "free throw") == (events["shot_type"] == "FT")).all()
    assert events["period"].between(1, 4).all()
    assert (events["event_id"] == events["game_id"] + "_" + events["event_sequence"].astype(str)).all()
    assert (events.groupby("game_id")["event_sequence"].diff().dropna() == 1).all()
    assert events["player_1_lookup"].notna().all() and events["player_1_team_abbr"].notna().all()


def test_shot_distances_fit_the_zones(season: dict[str, pd.DataFrame]) -> None:
    events = season["nba_raw.bigdataball_play_by_play"]
    two = events.loc[events["shot_type"] == "2PT", "shot_distance"]
    three = events.loc[events["shot_type"] == "3PT", "shot_distance"]
    assert two.between(0, 23, inclusive="left").all() and (two < 8).any() and (two >= 8).any()
    assert (three >= 22).all()
    points = {"2PT": 2, "3PT": 3, "FT": 1}
    expected = events["shot_type"].map(points) * events["shot_made"].astype(int)
    assert (events["points_scored"] == expected).all()


def test_running_score_ends_at_the_final_score(
    season: dict[str, pd.DataFrame], schedule: pd.DataFrame
) -> None:
    events = season["nba_raw.bigdataball_play_by_play"]
    last = events.sort_values("event_sequence").groupby("game_id")[["score_home", "score_away"]].last()
    board = season["nba_raw.espn_scoreboard"].set_index("game_id")
    assert (last["score_home"] == board.loc[last.index, "home_team_score"]).all()
    assert (last["score_away"] == board.loc[last.index, "away_team_score"]).all()


def test_nbac_play_by_play_has_the_same_shots(season: dict[str, pd.DataFrame], active: pd.DataFrame) -> None:
    events = season["nba_raw.nbac_play_by_play"]
    _assert_shots_match_box(events, active)
    per_game = events.groupby("game_id")["nba_game_id"].nunique()
    assert (per_game == 1).all()
    assert events["nba_game_id"].str.fullmatch(r"00221\d{5}").all()


# ------------------------------------------------------------------------------------- source dates


def test_sources_cover_the_expected_share_of_dates(
    season: dict[str, pd.DataFrame], schedule: pd.DataFrame
) -> None:
    game_dates = set(schedule["day"])
    share = {
        table: len(_dates(season[table])) / len(game_dates)
        for table in season
        if "game_date" in season[table]
    }
    assert share["nba_raw.espn_scoreboard"] == 1
    assert share["nba_raw.nbac_gamebook_player_stats"] == 1 and share["nba_raw.nbac_team_boxscore"] == 1
    assert share["nba_raw.bigdataball_play_by_play"] == 1 and share["nba_raw.nbac_injury_report"] == 1
    assert 0.25 <= share["nba_raw.bdl_player_boxscores"] <= 0.35
    assert 0.05 <= share["nba_raw.espn_boxscores"] <= 0.15
    assert 0.15 <= share["nba_raw.nbac_play_by_play"] <= 0.25
    assert 1 <= len(game_dates - _dates(season["nba_raw.odds_api_game_lines"])) <= 2
    assert 0.4 <= len(_dates(season["nba_raw.bdl_injuries"], "scrape_date")) / len(game_dates) <= 0.6
    for table in season:
        column = "scrape_date" if table.endswith("bdl_injuries") else "game_date"
        assert _dates(season[table], column) <= game_dates, table


def test_props_dates_have_odds_bettingpros_or_rarely_neither(
    season: dict[str, pd.DataFrame], schedule: pd.DataFrame
) -> None:
    game_dates = set(schedule["day"])
    odds = _dates(season["nba_raw.odds_api_player_points_props"])
    bettingpros = _dates(season["nba_raw.bettingpros_player_points_props"])
    neither = game_dates - odds - bettingpros
    assert 0.5 <= len(odds) / len(game_dates) <= 0.7
    assert len(bettingpros) > 0.25 * len(game_dates)
    assert 2 <= len(neither) <= 4
    assert len({d for d in neither if d <= WINDOW_END}) >= 2
    assert OPENER not in neither


def test_props_are_for_rotation_players_near_their_scoring_level(
    season: dict[str, pd.DataFrame], active: pd.DataFrame
) -> None:
    level = active.groupby("player_lookup")["points"].mean()
    active = active.assign(
        rank=active.groupby(["game_id", "team_abbr"])["minutes_decimal"].rank(ascending=False)
    )
    for table in ("nba_raw.odds_api_player_points_props", "nba_raw.bettingpros_player_points_props"):
        props = season[table]
        assert ((props["points_line"] * 2) % 2 == 1).all(), "lines end in .5"
        assert (props["points_line"] - level.loc[props["player_lookup"]].to_numpy()).abs().max() <= 1.5
    odds = season["nba_raw.odds_api_player_points_props"]
    joined = odds.merge(active, on=["game_id", "player_lookup"])
    assert len(joined) == len(odds) and (joined["rank"] <= 8).all()
    assert odds["bookmaker"].nunique() >= 2
    bettingpros = season["nba_raw.bettingpros_player_points_props"]
    assert (bettingpros["market_type"] == "points").all() and (bettingpros["market_id"] == 156).all()
    sides = bettingpros.groupby(["game_date", "player_lookup", "bookmaker"])["bet_side"]
    assert (sides.size() == 2).all() and (sides.nunique() == 2).all()
    assert set(bettingpros["bet_side"]) == {"over", "under"}


def test_game_lines_have_spreads_and_totals(season: dict[str, pd.DataFrame]) -> None:
    lines = season["nba_raw.odds_api_game_lines"]
    per_market = lines.groupby(["game_id", "bookmaker_key", "market_key"]).size()
    assert (per_market == 2).all()
    assert set(lines["market_key"]) == {"spreads", "totals"}
    books = lines.groupby("game_id")["bookmaker_key"].nunique()
    assert books.between(1, 2).all()
    spreads = (
        lines[lines["market_key"] == "spreads"].groupby(["game_id", "bookmaker_key"])["outcome_point"].sum()
    )
    assert (spreads == 0).all()


def test_injury_report_lists_every_inactive_player(season: dict[str, pd.DataFrame]) -> None:
    gamebook = season["nba_raw.nbac_gamebook_player_stats"]
    report = season["nba_raw.nbac_injury_report"]
    inactive = gamebook[gamebook["player_status"] == "inactive"]
    out = report[report["injury_status"] == "out"]
    assert set(zip(inactive["game_id"], inactive["player_lookup"], strict=True)) == set(
        zip(out["game_id"], out["player_lookup"], strict=True)
    )
    assert set(report["injury_status"]) == {"out", "questionable", "probable"}
    assert (report["report_date"] == report["game_date"]).all()
    assert report["matchup"].str.fullmatch(r"[A-Z]{3}@[A-Z]{3}").all()


# ------------------------------------------------------------------------------------ reproducibility


def test_same_inputs_give_identical_frames(season: dict[str, pd.DataFrame]) -> None:
    again = demo.generate_season(2021, OPENER, LAST_DAY)
    # DataFrame.equals compares values and dtypes; assert_frame_equal takes ~90 s on these string columns.
    assert [table for table, frame in season.items() if not frame.equals(again[table])] == []


def test_another_season_has_a_full_valid_schedule() -> None:
    opener, last_day = dt.date(2022, 10, 18), dt.date(2023, 4, 9)
    frames = demo.generate_season(2022, opener, last_day)
    schedule = frames["nba_raw.nbac_schedule"]
    assert len(schedule) == 1230
    days = schedule["game_date"].dt.date
    assert days.min() == opener and days.max() <= last_day
    teams = pd.concat([schedule["home_team_tricode"], schedule["away_team_tricode"]])
    assert (teams.value_counts() == 82).all()
    assert not pd.concat([days, days]).to_frame().assign(team=teams.to_numpy()).duplicated().any()
    assert schedule["game_id"].map(lambda gid: re.fullmatch(r"00222\d{5}", gid) is not None).all()
