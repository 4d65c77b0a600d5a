"""The reference pipeline's Phase 4 jobs, run on the demo season over the 28-day window.

A module fixture takes a copy of the shared seeded warehouse (the 2021-22 demo season) and runs all ten
reference jobs over 2021-10-19..2021-11-15 through their command-line entry point, in pipeline.toml's
dependency order. The Phase 4 jobs skip the bootstrap days themselves, so their tables hold the game dates
2021-11-02..2021-11-15, except team_defense_zone_analysis: no team has its 15 games yet. Tests read that
file; the leakage test builds its own copy the same way, changes a day of player games and reruns the
Phase 4 jobs; the team defense zone tests backfill team defense further and run that processor's SELECT,
read-only, for the days after the window. Expected values, minimums included, are recomputed here with
pandas from the Phase 3 rows, never hard-coded.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from harness.declaration.model import Pipeline, Table
from harness.reference.jobs.job import season_start
from harness.reference.queries import processor_sql
from harness.warehouse.duckdb_sql import to_duckdb

WINDOW = (date(2021, 10, 19), date(2021, 11, 15))
FIRST_NORMAL_DAY = date(2021, 11, 2)
# Columns whose value legitimately differs between two runs (the runner's idempotency rule ignores them).
RUN_TIME_COLUMNS = {"processed_at", "created_at", "updated_at"}

RunJobs = Callable[[Path, Iterable[str], date, date], None]  # the run_jobs fixture of tests/conftest.py


def bind(sql: str, start: date, end: date) -> tuple[str, dict[str, date]]:
    """Transpile one BigQuery SELECT; return the DuckDB SQL and exactly the parameters it uses."""
    (statement,) = to_duckdb(sql)
    window = {"start_date": start, "end_date": end, "season_start": season_start(start)}
    return statement.sql, {name: window[name] for name in statement.params}


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A reader for a finished warehouse; close it before the next job runs on the file, whose own
    connection an open one would block."""
    connection = duckdb.connect(str(path), read_only=True)
    connection.execute("SET TimeZone='UTC'")
    return connection


@pytest.fixture(scope="module")
def phase4(pipeline: Pipeline) -> dict[str, Table]:
    """Phase 4 processor name -> output table, in dependency order."""
    tables = {processor.name: pipeline.output_table(processor) for processor in pipeline.phase(4)}
    assert tables, "pipeline.toml declares no Phase 4 processor; every per-table check would pass vacuously"
    return tables


@pytest.fixture(scope="module")
def warehouse_file(warehouse_factory: Callable[[], Path], run_jobs: RunJobs, pipeline: Pipeline) -> Path:
    """All ten reference jobs over the window, upstream first; Phase 4 skips its bootstrap days itself."""
    path = warehouse_factory()
    run_jobs(path, list(pipeline.processors), *WINDOW)
    return path


@pytest.fixture(scope="module")
def con(warehouse_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect_read_only(warehouse_file) as connection:
        yield connection


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def game_dates(con: duckdb.DuckDBPyConnection, start: date, end: date) -> set[date]:
    rows = con.execute(
        "SELECT DISTINCT game_date FROM nba_reference.nba_schedule "
        "WHERE game_status = 3 AND game_date BETWEEN ? AND ?",
        [start, end],
    ).fetchall()
    return {row[0] for row in rows}


# --- coverage and grain ---------------------------------------------------------------------------


def test_every_post_bootstrap_game_date_has_rows_but_team_defense_zones(
    con: duckdb.DuckDBPyConnection, phase4: dict[str, Table]
) -> None:
    expected = game_dates(con, FIRST_NORMAL_DAY, WINDOW[1])
    assert len(expected) == 14
    covered = {
        name: {row[0] for row in con.execute(f"SELECT DISTINCT {t.date_column} FROM {t.ref}").fetchall()}
        for name, t in phase4.items()
    }
    # No team has 15 games before mid-November (contract 11.3): the zone table is empty in this window.
    assert covered == {**dict.fromkeys(phase4, expected), "team_defense_zone_analysis": set()}


def test_grain_is_unique(con: duckdb.DuckDBPyConnection, phase4: dict[str, Table]) -> None:
    duplicates = {}
    for name, t in phase4.items():
        key = ", ".join((t.date_column, *t.grain))
        duplicates[name] = con.execute(
            f"SELECT {key}, COUNT(*) FROM {t.ref} GROUP BY ALL HAVING COUNT(*) > 1 LIMIT 5"
        ).fetchall()
    assert duplicates == {name: [] for name in phase4}


def test_composite_factors_analysis_date_equals_game_date(con: duckdb.DuckDBPyConnection) -> None:
    mismatched = con.execute(
        "SELECT COUNT(*) FROM nba_precompute.player_composite_factors WHERE analysis_date IS DISTINCT FROM game_date"
    ).fetchone()[0]
    assert mismatched == 0


# --- row sets: who gets a row -----------------------------------------------------------------------


def prior_games(games: pd.DataFrame, day: date, season_year: int) -> pd.DataFrame:
    """Rows strictly before ``day`` in the same season: the contract's lookback rule, in pandas."""
    return games[(games["game_date"] < pd.Timestamp(day)) & (games["season_year"] == season_year)]


LATE = (date(2021, 11, 16), date(2021, 11, 25))
"""Past the window: the first teams reach 15 games (the window itself has no team defense zone row)."""


@pytest.fixture(scope="module")
def late_zones(
    warehouse_factory: Callable[[], Path], run_jobs: RunJobs
) -> tuple[pd.DataFrame, dict[date, pd.DataFrame]]:
    """Team defense backfilled to LATE's end, and the zone processor's SELECT for each game date of LATE
    (read-only: the rows it would write)."""
    path = warehouse_factory()
    run_jobs(path, ["team_defense_game_summary"], WINDOW[0], LATE[1])
    with connect_read_only(path) as con:
        defense = frame(
            con, "SELECT defending_team_abbr, game_date FROM nba_analytics.team_defense_game_summary"
        )
        rows = {}
        for day in sorted(game_dates(con, *LATE)):
            sql, params = bind(processor_sql("team_defense_zone_analysis"), day, day)
            rows[day] = con.execute(sql, params).df()
    return defense, rows


def test_team_defense_rows_are_the_teams_with_fifteen_games_since_october_1(
    late_zones: tuple[pd.DataFrame, dict[date, pd.DataFrame]],
) -> None:
    defense, rows = late_zones
    for day, got in rows.items():
        counts = (
            defense[
                (defense["game_date"] >= pd.Timestamp(2021, 10, 1))
                & (defense["game_date"] < pd.Timestamp(day))
            ]
            .groupby("defending_team_abbr")
            .size()
        )
        assert set(got["team_abbr"]) == set(counts[counts >= 15].index), day
        assert (got["games_in_sample"] == 15).all() and set(got["data_quality_tier"]) <= {"high"}, day
    assert rows[min(rows)].empty and not rows[max(rows)].empty, "the minimum must bite on the first day only"


def test_composite_factors_rows_are_the_upcoming_players(con: duckdb.DuckDBPyConnection) -> None:
    missing = con.execute(
        "SELECT COUNT(*) FROM nba_analytics.upcoming_player_game_context u "
        "LEFT JOIN nba_precompute.player_composite_factors f USING (game_date, player_lookup) "
        "WHERE u.game_date BETWEEN ? AND ? AND f.player_lookup IS NULL",
        [FIRST_NORMAL_DAY, WINDOW[1]],
    ).fetchone()[0]
    assert missing == 0


def test_feature_store_rows_are_the_players_of_the_day(con: duckdb.DuckDBPyConnection) -> None:
    counts = con.execute(
        "SELECT (SELECT COUNT(*) FROM nba_analytics.player_game_summary WHERE game_date BETWEEN ? AND ?), "
        "(SELECT COUNT(*) FROM nba_predictions.ml_feature_store_v2)",
        [FIRST_NORMAL_DAY, WINDOW[1]],
    ).fetchone()
    assert counts[0] == counts[1] > 0


# --- ranges -------------------------------------------------------------------------------------


# Keyed by pipeline.toml table name.
ZONE_RANGES = {
    "paint_pct_allowed_last_15": (0, 1),
    "mid_range_pct_allowed_last_15": (0, 1),
    "three_pt_pct_allowed_last_15": (0, 1),
    "games_in_sample": (15, 15),
}
RANGE_CHECKS = {
    "player_shot_zone_analysis": {
        "paint_rate_last_10": (0, 100),
        "mid_range_rate_last_10": (0, 100),
        "three_pt_rate_last_10": (0, 100),
        "paint_pct_last_10": (0, 1),
        "mid_range_pct_last_10": (0, 1),
        "three_pt_pct_last_10": (0, 1),
        "games_in_sample_10": (1, 10),
    },
    "player_composite_factors": {
        "fatigue_score": (0, 100),
        "shot_zone_mismatch_score": (-10, 10),
        "pace_score": (-3, 3),
        "usage_spike_score": (-3, 3),
        "total_composite_adjustment": (-21, 16),
        "data_completeness_pct": (25, 100),
    },
    "ml_feature_store_v2": {"feature_quality_score": (0, 100), "feature_count": (25, 25)},
}


@pytest.mark.parametrize("name", sorted(RANGE_CHECKS))
def test_values_stay_in_documented_ranges(
    con: duckdb.DuckDBPyConnection, pipeline: Pipeline, name: str
) -> None:
    table = pipeline.tables[name].ref
    for column, (low, high) in RANGE_CHECKS[name].items():
        out_of_range = con.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} < ? OR {column} > ?", [low, high]
        ).fetchone()[0]
        assert out_of_range == 0, column


def test_team_defense_zone_values_stay_in_documented_ranges(
    late_zones: tuple[pd.DataFrame, dict[date, pd.DataFrame]],
) -> None:
    rows = pd.concat(late_zones[1].values())
    assert len(rows) > 0
    for column, (low, high) in ZONE_RANGES.items():
        assert rows[column].between(low, high).all(), column


def test_fatigue_score_is_never_null(con: duckdb.DuckDBPyConnection) -> None:
    nulls = con.execute(
        "SELECT COUNT(*) FROM nba_precompute.player_composite_factors WHERE fatigue_score IS NULL"
    ).fetchone()[0]
    assert nulls == 0


def test_strongest_and_weakest_zones_follow_the_league_comparison(
    late_zones: tuple[pd.DataFrame, dict[date, pd.DataFrame]],
) -> None:
    zones = ["paint", "mid_range", "three_pt"]
    rows = pd.concat(late_zones[1].values())
    assert len(rows) > 0
    versus = rows[[f"{zone}_defense_vs_league_avg" for zone in zones]].astype(float).to_numpy()
    # Ties go to the zone listed first, which is what argmin/argmax return.
    assert list(rows["strongest_zone"]) == [zones[i] for i in versus.argmin(axis=1)]
    assert list(rows["weakest_zone"]) == [zones[i] for i in versus.argmax(axis=1)]


def test_all_upstreams_ready_is_the_conjunction_of_the_four_flags(con: duckdb.DuckDBPyConnection) -> None:
    wrong = con.execute(
        "SELECT COUNT(*) FROM nba_precompute.player_composite_factors WHERE all_upstreams_ready IS DISTINCT FROM "
        "(upstream_player_shot_ready AND upstream_team_defense_ready AND upstream_player_context_ready "
        "AND upstream_team_context_ready)"
    ).fetchone()[0]
    assert wrong == 0


def test_zone_shares_add_up_to_one_hundred(con: duckdb.DuckDBPyConnection) -> None:
    off = con.execute(
        "SELECT COUNT(*) FROM nba_precompute.player_shot_zone_analysis WHERE total_shots_last_10 > 0 "
        "AND ABS(paint_rate_last_10 + mid_range_rate_last_10 + three_pt_rate_last_10 - 100) > 0.05"
    ).fetchone()[0]
    assert off == 0


# --- independent recomputation ------------------------------------------------------------------------


def expected_cache_row(history: pd.DataFrame) -> dict[str, float]:
    """player_daily_cache's rolling values for one player and date, from his prior games (newest first)."""
    last_10 = history.head(10)
    return {
        "points_avg_last_5": history.head(5)["points"].mean(),
        "points_avg_last_10": last_10["points"].mean(),
        "points_avg_season": history["points"].mean(),
        "points_std_last_10": last_10["points"].std(ddof=1),
        "minutes_avg_last_10": last_10["minutes_played"].astype(float).mean(),
        "usage_rate_last_10": last_10["usage_rate"].astype(float).mean(),
        "games_played_season": float(len(history)),
    }


def test_daily_cache_rolling_values_match_pandas(con: duckdb.DuckDBPyConnection) -> None:
    games = frame(
        con,
        "SELECT player_lookup, game_id, game_date, season_year, points, minutes_played, usage_rate "
        "FROM nba_analytics.player_game_summary WHERE is_active AND NOT COALESCE(is_dnp, FALSE)",
    )
    cache = frame(con, "SELECT * FROM nba_precompute.player_daily_cache ORDER BY cache_date, player_lookup")
    sample = cache.iloc[:: max(1, len(cache) // 60)]
    assert len(sample) >= 30
    for row in sample.itertuples():
        day = row.cache_date.date()
        history = prior_games(games[games["player_lookup"] == row.player_lookup], day, 2021)
        history = history.sort_values(["game_date", "game_id"], ascending=False)
        for column, value in expected_cache_row(history).items():
            got = float(getattr(row, column))
            # The table rounds to the contract's NUMERIC scale (at most 1 decimal for these, 2 for std/usage).
            assert got == pytest.approx(value, abs=0.051), (row.player_lookup, day, column)


def test_daily_cache_needs_three_prior_games(con: duckdb.DuckDBPyConnection) -> None:
    games = frame(
        con,
        "SELECT player_lookup, game_date, season_year FROM nba_analytics.player_game_summary "
        "WHERE is_active AND NOT COALESCE(is_dnp, FALSE)",
    )
    upcoming = frame(
        con,
        "SELECT player_lookup, game_date FROM nba_analytics.upcoming_player_game_context WHERE game_date >= ?",
        [FIRST_NORMAL_DAY],
    )
    cache = frame(con, "SELECT player_lookup, cache_date FROM nba_precompute.player_daily_cache")
    got = set(zip(cache["player_lookup"], cache["cache_date"].dt.date, strict=True))
    expected = set()
    for player, day in zip(upcoming["player_lookup"], upcoming["game_date"].dt.date, strict=True):
        history = prior_games(games[games["player_lookup"] == player], day, 2021)
        if len(history) >= 3:
            expected.add((player, day))
    assert got == expected


def test_shot_zone_rates_match_pandas(con: duckdb.DuckDBPyConnection) -> None:
    games = frame(
        con,
        "SELECT player_lookup, game_id, game_date, season_year, paint_attempts, mid_range_attempts, "
        "three_pt_attempts FROM nba_analytics.player_game_summary "
        "WHERE is_active AND (minutes_played > 0 OR fg_attempts > 0)",
    )
    zones = frame(
        con, "SELECT * FROM nba_precompute.player_shot_zone_analysis ORDER BY analysis_date, player_lookup"
    )
    for row in zones.iloc[:: max(1, len(zones) // 40)].itertuples():
        day = row.analysis_date.date()
        history = prior_games(games[games["player_lookup"] == row.player_lookup], day, 2021)
        last_10 = history.sort_values(["game_date", "game_id"], ascending=False).head(10)
        last_10 = last_10.dropna(subset=["paint_attempts", "mid_range_attempts"])
        zoned = last_10[["paint_attempts", "mid_range_attempts", "three_pt_attempts"]].sum().astype(float)
        assert row.games_in_sample_10 == min(10, len(history))
        assert row.total_shots_last_10 == zoned.sum()
        if zoned.sum() > 0:
            assert float(row.paint_rate_last_10) == pytest.approx(
                100 * zoned.iloc[0] / zoned.sum(), abs=0.006
            )


# --- thin samples and leakage ----------------------------------------------------------------------


def early_minimum(day: date, day_zero: date, base: int, cap: int, full: int) -> int:
    """The real processors' early-season minimum (contract 11.3), recomputed here."""
    days = (day - day_zero).days
    return min(base + days // 3, cap) if days <= 21 else full


def test_shot_zone_rows_are_the_players_meeting_the_early_season_minimum(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Day zero is the season's first game (2021-10-19): 11-02 (day 14) needs 7 games, 11-10 on needs 10.
    games = frame(
        con,
        "SELECT player_lookup, game_date FROM nba_analytics.player_game_summary "
        "WHERE is_active AND (minutes_played > 0 OR fg_attempts > 0)",
    )
    for day in sorted(game_dates(con, FIRST_NORMAL_DAY, WINDOW[1])):
        needed = early_minimum(day, date(2021, 10, 19), 3, 9, 10)
        before = games[
            (games["game_date"] >= pd.Timestamp(2021, 10, 19)) & (games["game_date"] < pd.Timestamp(day))
        ]
        counts = before.groupby("player_lookup").size().clip(upper=10)
        rows = frame(
            con,
            "SELECT player_lookup, games_in_sample_10, early_season_flag FROM nba_precompute.player_shot_zone_analysis "
            "WHERE analysis_date = ?",
            [day],
        )
        assert set(rows["player_lookup"]) == set(counts[counts >= needed].index), day
        assert (rows["early_season_flag"] == (rows["games_in_sample_10"] < 10)).all(), day
    assert early_minimum(FIRST_NORMAL_DAY, date(2021, 10, 19), 3, 9, 10) == 7
    assert len(rows) > 0


def canonical_rows(con: duckdb.DuckDBPyConnection, table: str, date_column: str, last_day: date) -> list[str]:
    """A table's rows dated on or before ``last_day`` as sorted strings, run-time columns left out."""
    rows = frame(con, f"SELECT * FROM {table} WHERE {date_column} <= ?", [last_day])
    rows = rows.drop(columns=[c for c in rows.columns if c in RUN_TIME_COLUMNS])
    return sorted(repr(tuple(values)) for values in rows.itertuples(index=False))


def snapshot(path: Path, tables: Iterable[Table], last_day: date) -> dict[str, list[str]]:
    """Each table's canonical rows dated on or before ``last_day``, read through a connection that is
    closed again before returning, so jobs can run on the file next."""
    with connect_read_only(path) as con:
        return {t.ref: canonical_rows(con, t.ref, t.date_column, last_day) for t in tables}


def test_changing_a_day_of_player_games_changes_nothing_dated_on_or_before_it(
    warehouse_file: Path, tmp_path: Path, run_jobs: RunJobs, pipeline: Pipeline, phase4: dict[str, Table]
) -> None:
    changed_day = date(2021, 11, 8)
    # A private copy of the finished module warehouse (nothing writes to it, so copying is safe).
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse_file, path)
    before = snapshot(path, phase4.values(), changed_day)
    after_day = snapshot(path, phase4.values(), WINDOW[1])
    games = pipeline.tables["player_game_summary"]
    with duckdb.connect(str(path)) as writer:
        writer.execute(
            f"UPDATE {games.ref} SET points = points + 9, minutes_played = minutes_played + 4, "
            "usage_rate = usage_rate + 5, paint_attempts = paint_attempts + 6, ft_makes = ft_makes + 2 "
            f"WHERE {games.date_column} = ? AND is_active",
            [changed_day],
        )
    run_jobs(path, list(phase4), *WINDOW)
    rerun = snapshot(path, phase4.values(), changed_day)
    for ref, rows in before.items():
        assert rerun[ref] == rows, ref
    # The change must matter somewhere later, or this test could not fail.
    later = snapshot(path, phase4.values(), WINDOW[1])
    changed_later = [ref for ref, rows in after_day.items() if later[ref] != rows]
    assert phase4["player_daily_cache"].ref in changed_later
    assert phase4["ml_feature_store_v2"].ref in changed_later


# --- arrays and structs through the transpiler ------------------------------------------------------


def test_feature_arrays_and_completeness_struct_survive_the_transpiler(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = frame(con, "SELECT * FROM nba_predictions.ml_feature_store_v2")
    for row in rows.itertuples():
        features = list(row.features)
        assert len(features) == len(row.feature_names) == row.feature_count == 25
        assert None not in features  # BigQuery rejects NULL array elements in results
        missing = [i for i, value in enumerate(features) if math.isnan(value)]
        assert missing == list(row.default_feature_indices)
        assert float(row.feature_quality_score) == pytest.approx(100 * (25 - len(missing)) / 25, abs=0.01)
        completeness = row.historical_completeness
        assert completeness["games_found"] == len(completeness["contributing_game_dates"])
        assert all(d < row.game_date.date() for d in completeness["contributing_game_dates"])
    names = list(rows["feature_names"].iloc[0])
    assert names[0] == "points_avg_last_5" and names[5] == "fatigue_score" and names[24] == "team_win_pct"


def test_feature_store_copies_the_daily_cache(con: duckdb.DuckDBPyConnection) -> None:
    joined = frame(
        con,
        "SELECT f.features, c.points_avg_last_5, c.points_avg_season, p.fatigue_score "
        "FROM nba_predictions.ml_feature_store_v2 f "
        "JOIN nba_precompute.player_daily_cache c ON c.cache_date = f.game_date AND c.player_lookup = f.player_lookup "
        "JOIN nba_precompute.player_composite_factors p ON p.game_date = f.game_date "
        "AND p.player_lookup = f.player_lookup",
    )
    assert len(joined) > 100
    for row in joined.itertuples():
        assert row.features[0] == pytest.approx(float(row.points_avg_last_5))
        assert row.features[2] == pytest.approx(float(row.points_avg_season))
        assert row.features[5] == row.fatigue_score
