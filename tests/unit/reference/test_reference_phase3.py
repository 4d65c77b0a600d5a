"""The five Phase 3 reference processors, run by the reference job runner on the demo season (their BigQuery
SQL goes through the BigQuery→DuckDB transpiler).

Each processor's SQL is checked against the raw tables it reads, recomputed here independently in pandas:
team totals equal the team box score, player rows equal the gamebook's rows, usage rate and rolling
averages match, grains are unique, a changed game leaks into no earlier context, and a game the gamebook
lacks falls back to BDL. Every warehouse is a fresh copy of the session's seeded demo season, the processors
run only through ``harness.reference.jobs`` (the ``run_jobs`` fixture), and processor names, tables, date
columns and grains come from pipeline.toml. A warehouse file is read read-only once its jobs have run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from harness.declaration.model import Pipeline, Table

WINDOW = (date(2021, 10, 19), date(2021, 11, 15))
# A shorter window for the tests that change the warehouse and rerun Phase 3.
SHORT_WINDOW = (date(2021, 10, 19), date(2021, 11, 3))
# Columns that legitimately differ between two runs of the same inputs.
RUN_STAMPS = {"processed_at", "created_at", "updated_at"}

RunJobs = Callable[[Path, list[str], date, date], None]


@dataclass(frozen=True)
class OpenWarehouse:
    """A connection to a warehouse file, its tables looked up by their pipeline.toml names."""

    con: duckdb.DuckDBPyConnection
    pipeline: Pipeline

    def table(self, processor: str) -> Table:
        return self.pipeline.output_table(self.pipeline.processors[processor])

    def rows(self, table: str, window: tuple[date, date] | None = None) -> pd.DataFrame:
        """A declared table's rows (those dated inside ``window`` if given), DECIMAL columns as floats
        (DuckDB hands them to pandas as Decimal objects)."""
        spec = self.pipeline.tables[table]
        sql, params = f"SELECT * FROM {spec.ref}", {}
        if window is not None:
            sql += f" WHERE {spec.date_column} BETWEEN $start AND $end"
            params = {"start": window[0], "end": window[1]}
        frame = self.con.execute(sql, params).df()
        for column in frame.columns:
            if (
                frame[column].dtype == object
                and frame[column].map(type).astype(str).str.contains("Decimal").any()
            ):
                frame[column] = frame[column].astype(float)
        return frame

    def output(self, processor: str) -> pd.DataFrame:
        """A processor's output rows in key order, so that seeded samples do not depend on insert order."""
        table = self.table(processor)
        frame = self.rows(table.name)
        return frame.sort_values([table.date_column, *table.grain]).reset_index(drop=True)


@contextmanager
def opened(path: Path, pipeline: Pipeline, *, write: bool = False) -> Iterator[OpenWarehouse]:
    """A short-lived connection, closed before any job runs on ``path``: DuckDB refuses the job's connection
    to a file this process holds open."""
    con = duckdb.connect(str(path), read_only=not write)
    try:
        con.execute("SET TimeZone='UTC'")
        yield OpenWarehouse(con, pipeline)
    finally:
        con.close()


def days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.date


def needed_for(pipeline: Pipeline, *names: str) -> list[str]:
    """``names`` and every processor they need, directly or not, in dependency order."""
    needed = set(names)
    for processor in reversed(pipeline.processors.values()):
        if processor.name in needed:
            needed.update(processor.upstream)
    return [name for name in pipeline.processors if name in needed]


def outputs_without_stamps(path: Path, pipeline: Pipeline, names: list[str]) -> dict[str, pd.DataFrame]:
    with opened(path, pipeline) as reader:
        return {name: reader.output(name).drop(columns=list(RUN_STAMPS), errors="ignore") for name in names}


@pytest.fixture(scope="module")
def phase3(pipeline: Pipeline) -> list[str]:
    """Phase 3 in dependency order: team offense feeds player_game_summary, which feeds the player context."""
    return [processor.name for processor in pipeline.phase(3)]


@pytest.fixture(scope="module")
def warehouse(
    warehouse_factory: Callable[[], Path], run_jobs: RunJobs, pipeline: Pipeline, phase3: list[str]
) -> Iterator[OpenWarehouse]:
    """The demo season with Phase 3 computed over the sample window."""
    path = warehouse_factory()
    # No check here that a processor produces no column its table lacks: the runner inserts the SELECT's
    # columns into the table, so such a column fails that date and the job exits non-zero, which run_jobs
    # asserts against (as it does for every run in this module).
    run_jobs(path, phase3, *WINDOW)
    with opened(path, pipeline) as reader:
        yield reader


# ----------------------------------------------------------------------------------------------------------
# Coverage and grain


def test_tables_cover_exactly_the_window_game_dates(
    warehouse: OpenWarehouse, phase3: list[str], subtests: pytest.Subtests
) -> None:
    expected = set(days(warehouse.rows("nbac_schedule", WINDOW)["game_date"]))
    assert len(expected) == 28
    for name in phase3:
        with subtests.test(processor=name):
            assert set(days(warehouse.output(name)[warehouse.table(name).date_column])) == expected


def test_grain_is_unique(warehouse: OpenWarehouse, phase3: list[str], subtests: pytest.Subtests) -> None:
    for name in phase3:
        with subtests.test(processor=name):
            table = warehouse.table(name)
            key = [table.date_column, *table.grain]
            rows = warehouse.output(name)
            duplicated = rows[rows.duplicated(key, keep=False)]
            assert duplicated.empty, duplicated[key].head()


# ----------------------------------------------------------------------------------------------------------
# Team offense and defense against the team box score


def team_box(reader: OpenWarehouse, window: tuple[date, date]) -> pd.DataFrame:
    """The raw team box score, stat columns prefixed ``box_`` so merges with outputs never collide."""
    box = reader.rows("nbac_team_boxscore", window)
    box = box.add_prefix("box_").rename(columns={"box_game_id": "game_id", "box_team_abbr": "team_abbr"})
    return box.assign(box_game_minutes=box["box_minutes"].str.split(":").str[0].astype(float) / 5)


def test_team_offense_totals_equal_team_box_score(warehouse: OpenWarehouse) -> None:
    box = team_box(warehouse, WINDOW)
    offense = warehouse.output("team_offense_game_summary")
    merged = box.merge(offense, on=["game_id", "team_abbr"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), "team offense rows differ from the team box score rows"
    pairs = {
        "box_points": "points_scored",
        "box_fg_attempted": "fg_attempts",
        "box_fg_made": "fg_makes",
        "box_three_pt_attempted": "three_pt_attempts",
        "box_three_pt_made": "three_pt_makes",
        "box_ft_attempted": "ft_attempts",
        "box_ft_made": "ft_makes",
        "box_total_rebounds": "rebounds",
        "box_assists": "assists",
        "box_turnovers": "turnovers",
        "box_personal_fouls": "personal_fouls",
    }
    for raw, out in pairs.items():
        assert (merged[raw].astype(int) == merged[out].astype(int)).all(), raw
    assert (merged["box_is_home"] == merged["home_game"]).all()
    assert (merged["primary_source_used"] == "nbac_team_boxscore").all()


def test_team_offense_rates_follow_the_possession_formula(warehouse: OpenWarehouse) -> None:
    offense = warehouse.output("team_offense_game_summary").merge(
        team_box(warehouse, WINDOW), on=["game_id", "team_abbr"]
    )
    possessions = (
        offense["box_fg_attempted"]
        - offense["box_offensive_rebounds"]
        + offense["box_turnovers"]
        + 0.44 * offense["box_ft_attempted"]
    ).round()
    points = offense["box_points"]
    assert (offense["possessions"] == possessions).all()
    np.testing.assert_allclose(offense["pace"], possessions * 48 / offense["box_game_minutes"], atol=0.051)
    np.testing.assert_allclose(offense["offensive_rating"], 100 * points / possessions, atol=0.0051)
    ts = points / (2 * (offense["box_fg_attempted"] + 0.44 * offense["box_ft_attempted"]))
    np.testing.assert_allclose(offense["ts_pct"], ts, atol=0.00051)
    opponent_points = offense.groupby("game_id")["box_points"].transform("sum") - points
    assert (offense["win_flag"] == (points > opponent_points)).all()
    assert (offense["margin_of_victory"] == points - opponent_points).all()


def test_team_defense_is_the_opponents_offense(warehouse: OpenWarehouse) -> None:
    box = team_box(warehouse, WINDOW)
    defense = warehouse.output("team_defense_game_summary")
    opponent = box.rename(columns={"team_abbr": "opponent_team_abbr"})
    own = box[["game_id", "team_abbr", "box_steals", "box_defensive_rebounds"]].rename(
        columns={
            "team_abbr": "defending_team_abbr",
            "box_steals": "own_steals",
            "box_defensive_rebounds": "own_dreb",
        }
    )
    merged = defense.merge(opponent, on=["game_id", "opponent_team_abbr"]).merge(
        own, on=["game_id", "defending_team_abbr"]
    )
    assert len(merged) == len(defense) == len(box)
    assert (merged["points_allowed"] == merged["box_points"]).all()
    assert (merged["opp_fg_attempts"] == merged["box_fg_attempted"]).all()
    assert (merged["opp_three_pt_makes"] == merged["box_three_pt_made"]).all()
    assert (merged["turnovers_forced"] == merged["box_turnovers"]).all()
    assert (merged["steals"] == merged["own_steals"]).all()
    assert (merged["defensive_rebounds"] == merged["own_dreb"]).all()
    possessions = (
        merged["box_fg_attempted"]
        - merged["box_offensive_rebounds"]
        + merged["box_turnovers"]
        + 0.44 * merged["box_ft_attempted"]
    ).round()
    np.testing.assert_allclose(
        merged["defensive_rating"], 100 * merged["box_points"] / possessions, atol=0.0051
    )


def test_team_defense_zones_come_from_play_by_play(warehouse: OpenWarehouse) -> None:
    """Opponent paint / mid-range shots per game, BigDataBall first, NBA.com play-by-play for the rest."""
    shots = pbp_shots(warehouse, WINDOW)
    shots["zone"] = np.select(
        [shots["shot_type"].eq("2PT") & (shots["shot_distance"] < 8), shots["shot_type"].eq("2PT")],
        ["paint", "mid_range"],
        "other",
    )
    counts = shots.groupby(["game_id", "player_1_team_abbr", "zone"]).agg(
        attempts=("zone", "size"), makes=("shot_made", "sum")
    )
    defense = warehouse.output("team_defense_game_summary")
    assert defense["opp_paint_attempts"].notna().mean() > 0.9
    for row in defense.dropna(subset=["opp_paint_attempts"]).itertuples():
        for zone in ("paint", "mid_range"):
            key = (row.game_id, row.opponent_team_abbr, zone)
            expected = counts.loc[key] if key in counts.index else pd.Series({"attempts": 0, "makes": 0})
            assert getattr(row, f"opp_{zone}_attempts") == expected["attempts"], key
            assert getattr(row, f"opp_{zone}_makes") == expected["makes"], key


def pbp_shots(reader: OpenWarehouse, window: tuple[date, date]) -> pd.DataFrame:
    columns = ["game_id", "player_1_lookup", "player_1_team_abbr", "shot_type", "shot_made", "shot_distance"]
    bdb = reader.rows("bigdataball_play_by_play", window)
    nbac = reader.rows("nbac_play_by_play", window)
    nbac = nbac[~nbac["game_id"].isin(bdb["game_id"])]
    shots = pd.concat([bdb[columns], nbac[columns]])
    return shots[shots["shot_type"].isin(["2PT", "3PT"])].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------
# player_game_summary


def tenths(minutes: pd.Series) -> pd.Series:
    """Minutes rounded half-up as decimals (20.95 -> 21.0), as minutes_played is; pandas' round() works on the
    binary float and rounds 20.95 down."""
    return np.floor(minutes * 10 + 0.5 + 1e-9) / 10


def gamebook(reader: OpenWarehouse, window: tuple[date, date]) -> pd.DataFrame:
    rows = reader.rows("nbac_gamebook_player_stats", window)
    return rows[rows["player_lookup"].notna()]


def test_player_rows_equal_gamebook_rows_per_game(warehouse: OpenWarehouse) -> None:
    expected = gamebook(warehouse, WINDOW)
    players = warehouse.output("player_game_summary")
    assert set(zip(players["game_id"], players["player_lookup"], strict=True)) == set(
        zip(expected["game_id"], expected["player_lookup"], strict=True)
    )
    per_game = players.groupby("game_id").size()
    assert per_game.equals(expected.groupby("game_id").size().loc[per_game.index])
    assert {"active", "dnp", "inactive"} <= set(players["player_status"])
    assert (players["is_dnp"] == players["player_status"].isin(["dnp", "inactive"])).all()
    assert (players["primary_source_used"] == "nbac_gamebook").all()


def test_player_box_stats_equal_gamebook(warehouse: OpenWarehouse) -> None:
    players = warehouse.output("player_game_summary").merge(
        gamebook(warehouse, WINDOW), on=["game_id", "player_lookup"], suffixes=("", "_raw")
    )
    for raw, out in {
        "points": "points_raw",
        "field_goals_attempted": "fg_attempts",
        "turnovers": "turnovers_raw",
    }.items():
        assert players[raw].fillna(-1).astype(int).equals(players[out].fillna(-1).astype(int)), raw
    np.testing.assert_allclose(
        players["minutes_played"].astype(float),
        tenths(players["minutes_decimal"]),
        atol=1e-9,
        equal_nan=True,
    )
    starters = players[players["starter_flag"]].groupby(["game_id", "team_abbr"]).size()
    assert (starters == 5).all()


def expected_usage(reader: OpenWarehouse, window: tuple[date, date]) -> pd.DataFrame:
    """usage_rate recomputed from the gamebook and the team box score (team minutes from its minutes text)."""
    players = gamebook(reader, window)
    players = players[players["player_status"] == "active"]
    merged = players.merge(team_box(reader, window), on=["game_id", "team_abbr"])
    player_load = (
        merged["field_goals_attempted"] + 0.44 * merged["free_throws_attempted"] + merged["turnovers"]
    )
    team_load = merged["box_fg_attempted"] + 0.44 * merged["box_ft_attempted"] + merged["box_turnovers"]
    usage = 100 * player_load * merged["box_game_minutes"] / (merged["minutes_decimal"] * team_load)
    merged["expected_usage"] = usage.where(merged["minutes_decimal"] > 0)
    return merged[["game_id", "player_lookup", "expected_usage"]]


def test_usage_rate_matches_independent_computation(warehouse: OpenWarehouse) -> None:
    players = warehouse.output("player_game_summary")
    merged = players.merge(expected_usage(warehouse, WINDOW), on=["game_id", "player_lookup"])
    assert len(merged) > 1000
    np.testing.assert_allclose(
        merged["usage_rate"], merged["expected_usage"].round(2), atol=0.0051, equal_nan=True
    )
    inactive = players[~players["is_active"]]
    assert inactive["usage_rate"].isna().all()


def test_usage_rate_present_for_most_active_players(warehouse: OpenWarehouse) -> None:
    players = warehouse.output("player_game_summary")
    played = players[players["is_active"] & (players["minutes_played"] > 0)]
    assert played["usage_rate"].notna().mean() >= 0.8


def test_points_line_prefers_odds_api_then_bettingpros(warehouse: OpenWarehouse) -> None:
    players = warehouse.output("player_game_summary")
    odds_dates = set(days(warehouse.rows("odds_api_player_points_props")["game_date"]))
    lined = players.dropna(subset=["points_line"])
    lined_dates = days(lined["game_date"])
    assert set(lined["points_line_source"]) == {"odds_api", "bettingpros"}
    assert (lined_dates.isin(odds_dates) == (lined["points_line_source"] == "odds_api")).all()
    assert ((lined["points_line"] * 2) % 1 == 0).all(), "lines are whole or half points"
    decided = lined[lined["is_active"] & (lined["points"] != lined["points_line"])]
    over = decided["points"] > decided["points_line"]
    assert (decided["over_under_result"] == np.where(over, "OVER", "UNDER")).all()


# ----------------------------------------------------------------------------------------------------------
# Upcoming contexts


def test_rolling_form_matches_independent_computation(warehouse: OpenWarehouse) -> None:
    """points_avg_last_5/10, games in the last 7 days and days_rest for sampled players and dates."""
    context = warehouse.output("upcoming_player_game_context")
    history = gamebook(warehouse, (warehouse.pipeline.seasons[0].opener, WINDOW[1]))
    history = history[(history["player_status"] == "active") & (tenths(history["minutes_decimal"]) > 0)]
    history = history.assign(day=days(history["game_date"]))
    late = context[days(context["game_date"]) >= date(2021, 11, 5)]
    sample = late.sample(n=60, random_state=7)
    for row in sample.itertuples():
        day = pd.Timestamp(row.game_date).date()
        prior = history[(history["player_lookup"] == row.player_lookup) & (history["day"] < day)]
        prior = prior.sort_values("day", ascending=False)
        for n in (5, 10):
            expected = prior["points"].head(n).mean() if len(prior) else np.nan
            actual = getattr(row, f"points_avg_last_{n}")
            assert np.isclose(actual, expected, atol=0.051, equal_nan=True), (row.player_lookup, day, n)
        recent = prior[prior["day"] >= day - timedelta(days=7)]
        assert row.games_in_last_7_days == len(recent), (row.player_lookup, day)
        assert row.minutes_in_last_7_days == int(tenths(recent["minutes_decimal"]).sum() + 1e-9)
        expected_rest = (day - prior["day"].iloc[0]).days if len(prior) else None
        assert (row.days_rest if pd.notna(row.days_rest) else None) == expected_rest
        assert row.back_to_back == (expected_rest == 1)


def test_player_context_lists_the_gamebook_players(warehouse: OpenWarehouse) -> None:
    context = warehouse.output("upcoming_player_game_context")
    expected = gamebook(warehouse, WINDOW)
    assert set(zip(context["game_id"], context["player_lookup"], strict=True)) == set(
        zip(expected["game_id"], expected["player_lookup"], strict=True)
    )
    assert context["has_prop_line"].equals(context["current_points_line"].notna())
    assert context["game_total"].notna().mean() > 0.9


def test_team_context_follows_the_schedule(warehouse: OpenWarehouse) -> None:
    """Game number, rest and streaks entering each game, recomputed from the schedule's earlier scores."""
    schedule = warehouse.rows("nbac_schedule")
    schedule = schedule.sort_values(["game_date", "game_id"]).drop_duplicates("game_id")
    sides = []
    for team, sign in (("home", 1), ("away", -1)):
        side = schedule.assign(
            team_abbr=schedule[f"{team}_team_tricode"],
            margin=sign * (schedule["home_team_score"] - schedule["away_team_score"]),
            day=days(schedule["game_date"]),
        )
        sides.append(side[["team_abbr", "day", "margin"]])
    games = pd.concat(sides).sort_values(["team_abbr", "day"])
    context = warehouse.output("upcoming_team_game_context")
    for row in context.sample(n=40, random_state=3).itertuples():
        day = pd.Timestamp(row.game_date).date()
        earlier = games[(games["team_abbr"] == row.team_abbr) & (games["day"] < day)]
        assert row.game_number_in_season == len(earlier) + 1
        wins = earlier["margin"].to_numpy()[::-1] > 0
        streak = int(np.argmin(wins)) if not wins.all() else len(wins)
        assert row.team_win_streak_entering == streak, (row.team_abbr, day)
        if len(earlier):
            assert row.days_since_last_game == (day - earlier["day"].iloc[-1]).days
            assert row.last_game_result == ("W" if earlier["margin"].iloc[-1] > 0 else "L")
        recent = earlier[earlier["day"] >= day - timedelta(days=7)]
        assert row.games_in_last_7_days == len(recent)


# ----------------------------------------------------------------------------------------------------------
# Leakage and fallback (each works on its own copy of the seeded warehouse)


def change_one_game(writer: OpenWarehouse, day: date) -> str:
    """Give the top scorer of one game on ``day`` 11 more points, in the gamebook and the team box score."""
    gamebook_ref = writer.pipeline.tables["nbac_gamebook_player_stats"].ref
    box_ref = writer.pipeline.tables["nbac_team_boxscore"].ref
    game_id, team, player = writer.con.execute(
        f"SELECT game_id, team_abbr, player_lookup FROM {gamebook_ref} "
        "WHERE game_date = $d AND player_status = 'active' ORDER BY points DESC, player_lookup LIMIT 1",
        {"d": day},
    ).fetchone()
    writer.con.execute(
        f"UPDATE {gamebook_ref} SET points = points + 11, field_goals_made = field_goals_made + 4, "
        "field_goals_attempted = field_goals_attempted + 6 WHERE game_id = $g AND player_lookup = $p",
        {"g": game_id, "p": player},
    )
    writer.con.execute(
        f"UPDATE {box_ref} SET points = points + 11, fg_made = fg_made + 4, "
        "fg_attempted = fg_attempted + 6 WHERE game_id = $g AND team_abbr = $t",
        {"g": game_id, "t": team},
    )
    return game_id


def test_a_changed_game_leaks_into_no_earlier_context(
    warehouse_factory: Callable[[], Path], run_jobs: RunJobs, pipeline: Pipeline, phase3: list[str]
) -> None:
    day = date(2021, 10, 27)
    path = warehouse_factory()
    run_jobs(path, phase3, *SHORT_WINDOW)
    before = outputs_without_stamps(path, pipeline, phase3)
    with opened(path, pipeline, write=True) as writer:
        change_one_game(writer, day)
    run_jobs(path, phase3, *SHORT_WINDOW)
    after = outputs_without_stamps(path, pipeline, phase3)

    def dated(frame: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
        return frame[keep.to_numpy()].reset_index(drop=True)

    def game_days(name: str, frame: pd.DataFrame) -> pd.Series:
        return days(frame[pipeline.output_table(pipeline.processors[name]).date_column])

    for name in ("upcoming_player_game_context", "upcoming_team_game_context"):
        old, new = before[name], after[name]
        pd.testing.assert_frame_equal(
            dated(old, game_days(name, old) <= day), dated(new, game_days(name, new) <= day)
        )
    name = "player_game_summary"
    old, new = before[name], after[name]
    pd.testing.assert_frame_equal(
        dated(old, game_days(name, old) != day), dated(new, game_days(name, new) != day)
    )
    # The change is visible where it should be: that day's player rows and later player contexts.
    assert not before["player_game_summary"].equals(after["player_game_summary"])
    assert not before["upcoming_player_game_context"].equals(after["upcoming_player_game_context"])


def remove_first_fallback_game(
    path: Path, pipeline: Pipeline, primary: str, fallback: str
) -> tuple[pd.DataFrame, str]:
    """Delete from ``primary`` the first game that ``fallback`` holds in the short window; returns the
    fallback's rows and the game id, so a test can expect the processors to use them instead."""
    with opened(path, pipeline, write=True) as writer:
        rows = writer.rows(fallback, SHORT_WINDOW)
        game_id = sorted(rows["game_id"].unique())[0]
        writer.con.execute(f"DELETE FROM {pipeline.tables[primary].ref} WHERE game_id = $g", {"g": game_id})
    return rows, game_id


def test_bdl_stands_in_for_a_game_missing_from_the_gamebook(
    warehouse_factory: Callable[[], Path], run_jobs: RunJobs, pipeline: Pipeline
) -> None:
    path = warehouse_factory()
    bdl, game_id = remove_first_fallback_game(
        path, pipeline, "nbac_gamebook_player_stats", "bdl_player_boxscores"
    )
    expected = bdl[bdl["game_id"] == game_id]
    day = pd.Timestamp(expected["game_date"].iloc[0]).date()
    run_jobs(path, needed_for(pipeline, "player_game_summary"), day, day)
    with opened(path, pipeline) as reader:
        rows = reader.output("player_game_summary")
    game = rows[rows["game_id"] == game_id].merge(expected, on="player_lookup", suffixes=("", "_bdl"))
    assert len(game) == len(expected) == (rows["game_id"] == game_id).sum()
    assert (game["primary_source_used"] == "bdl_player_boxscores").all()
    assert (game["points"] == game["points_bdl"]).all()
    assert game["usage_rate"].notna().mean() >= 0.8
    others = rows[rows["game_id"] != game_id]
    assert (others["primary_source_used"] == "nbac_gamebook").all()


def test_nbac_play_by_play_stands_in_for_a_game_missing_from_bigdataball(
    warehouse_factory: Callable[[], Path], run_jobs: RunJobs, pipeline: Pipeline
) -> None:
    path = warehouse_factory()
    nbac, game_id = remove_first_fallback_game(
        path, pipeline, "bigdataball_play_by_play", "nbac_play_by_play"
    )
    shots = nbac[(nbac["game_id"] == game_id) & nbac["shot_type"].isin(["2PT", "3PT"])]
    day = pd.Timestamp(shots["game_date"].iloc[0]).date()
    run_jobs(path, needed_for(pipeline, "player_game_summary", "team_defense_game_summary"), day, day)
    with opened(path, pipeline) as reader:
        players = reader.output("player_game_summary")
        defense = reader.output("team_defense_game_summary")
    game = players[(players["game_id"] == game_id) & players["is_active"]]
    assert game["has_complete_shot_zones"].all()
    threes = shots[shots["shot_type"] == "3PT"].groupby("player_1_lookup").size()
    expected = threes.reindex(game["player_lookup"]).fillna(0).astype(int).to_numpy()
    assert (game["three_attempts_pbp"].to_numpy() == expected).all()
    paint = (
        shots[(shots["shot_type"] == "2PT") & (shots["shot_distance"] < 8)]
        .groupby("player_1_team_abbr")
        .size()
    )
    allowed = defense[defense["game_id"] == game_id].set_index("opponent_team_abbr")["opp_paint_attempts"]
    assert allowed.sort_index().astype(int).to_dict() == paint.sort_index().astype(int).to_dict()


def test_a_second_run_changes_nothing(
    warehouse_factory: Callable[[], Path],
    run_jobs: RunJobs,
    pipeline: Pipeline,
    phase3: list[str],
    subtests: pytest.Subtests,
) -> None:
    path = warehouse_factory()
    run_jobs(path, phase3, *SHORT_WINDOW)
    first = outputs_without_stamps(path, pipeline, phase3)
    run_jobs(path, phase3, *SHORT_WINDOW)
    second = outputs_without_stamps(path, pipeline, phase3)
    for name in phase3:
        with subtests.test(processor=name):
            pd.testing.assert_frame_equal(first[name], second[name], obj=name)
