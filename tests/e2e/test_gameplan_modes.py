"""The modes as a user meets them after a first run: verify checks without running, missing repairs
exactly the dates that are broken, only re-runs the named processor, plan prints and touches nothing;
and expected dates skip the days without games."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from signoff_checks import assert_signoff_matches_warehouse

from harness.declaration.loading import load_pipeline
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-31:2021-11-03"
HISTORY = "nba_reference.processor_run_history"

RunJobs = Callable[..., None]


@pytest.fixture(scope="module")
def backfilled(history_warehouse: Callable[[], Path], run_gameplan, tmp_path_factory) -> Path:
    """A warehouse after a passing run of the window (run mode, one process)."""
    path = history_warehouse()
    first = run_gameplan(path, "--window", WINDOW, "-n", "0")
    assert first.ret == 0, first.stdout[-3000:]
    signoff[WINDOW] = assert_signoff_matches_warehouse(
        first.home, first.ret, path, load_pipeline(REPO / "pipeline.toml")
    )
    return path


signoff: dict[str, dict] = {}
"""The summaries of the runs above, for the tests that read them."""


def test_a_passing_bootstrap_window_is_signed_ready(backfilled: Path) -> None:
    summary = signoff[WINDOW]
    assert summary["verdict"] == "READY FOR FULL-SEASON RUN" and summary["reasons"] == []
    assert summary["bootstrap_dates"] == ["2021-10-31", "2021-11-01"]
    assert summary["steps"]["Step 5: Phase 4 coverage"] == {"passed": 5}
    assert {p["status"] for p in summary["processors"]} == {"passed"}
    assert summary["estimates"][0]["season_game_dates"] == 166


@pytest.fixture
def warehouse(backfilled: Path, tmp_path: Path) -> DuckDBWarehouse:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(backfilled, path)
    return DuckDBWarehouse(path)


def _fail_latest_run(warehouse: DuckDBWarehouse, processor_name: str, day: str) -> None:
    """A later run of ``processor_name`` on ``day`` that ended ``failed``, as a crashed query would leave."""
    execute(
        warehouse,
        f"INSERT INTO {HISTORY} (processor_name, run_id, status, data_date, started_at, processed_at, errors) "
        "VALUES (@p, @run, 'failed', @day, CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP(), "
        'JSON \'[{"error_type": "BadRequest", "error_message": "query exceeded resources"}]\')',
        {"p": processor_name, "run": f"{processor_name}_injected", "day": date.fromisoformat(day)},
    )


def _ran(records: dict[str, dict]) -> dict[str, list[str]]:
    return {name: r["dates"] for name, r in sorted(records.items()) if r["status"] != "not run"}


def test_verify_runs_nothing_and_passes(warehouse: DuckDBWarehouse, run_gameplan) -> None:
    before = query(warehouse, f"SELECT COUNT(*) AS n FROM {HISTORY}")["n"][0]
    run = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "verify")
    assert run.ret == 0, run.stdout[-3000:]
    assert run.outcomes() == {"passed": 38, "skipped": 10}
    assert _ran(run.records) == {}
    assert query(warehouse, f"SELECT COUNT(*) AS n FROM {HISTORY}")["n"][0] == before


def test_missing_mode_repairs_exactly_what_was_broken(warehouse: DuckDBWarehouse, run_gameplan) -> None:
    execute(warehouse, "DELETE FROM nba_analytics.player_game_summary WHERE game_date = '2021-11-02'")
    _fail_latest_run(warehouse, "TeamDefenseZoneAnalysisProcessor", "2021-11-03")

    broken = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "verify", "-n", "0")
    assert broken.ret == 1
    assert "player_game_summary: no rows on 2021-11-02 (1 of 4 expected game dates)" in broken.stdout
    assert (
        "team_defense_zone_analysis: latest run failed on 2021-11-03 (run TeamDefenseZoneAnalysisProcessor_injected: "
        in broken.stdout
    )
    assert "BadRequest: query exceeded resources" in broken.stdout

    repaired = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "missing")
    assert repaired.ret == 0, repaired.stdout[-3000:]
    both = ["2021-11-02", "2021-11-03"]
    assert _ran(repaired.records) == {
        "player_game_summary": ["2021-11-02"],
        "upcoming_player_game_context": ["2021-11-02"],  # reads player_game_summary
        "team_defense_zone_analysis": ["2021-11-03"],
        "player_shot_zone_analysis": ["2021-11-02"],  # reads player_game_summary only
        "player_composite_factors": both,  # reads both of them
        "player_daily_cache": ["2021-11-02"],  # does not read team_defense_zone_analysis
        "ml_feature_store_v2": both,
    }
    again = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "missing", "-n", "0")
    assert again.ret == 0 and _ran(again.records) == {}


def test_only_mode_reruns_the_named_processor_and_verifies_all(
    warehouse: DuckDBWarehouse, run_gameplan
) -> None:
    _fail_latest_run(warehouse, "PlayerDailyCacheProcessor", "2021-11-02")
    run = run_gameplan(warehouse.path, "--window", WINDOW, "--only", "player_daily_cache", "-n", "0")
    assert run.ret == 0, run.stdout[-3000:]
    assert list(_ran(run.records)) == ["player_daily_cache"]
    assert run.outcomes() == {"passed": 39, "skipped": 9}


def test_plan_prints_every_command_and_writes_nothing(tmp_path: Path, run_gameplan, pipeline) -> None:
    absent = tmp_path / "absent.duckdb"
    run = run_gameplan(absent, "--window", WINDOW, "--mode", "plan")
    assert run.ret == 0, run.stderr
    commands = [line for line in run.stdout.splitlines() if line.strip().startswith("$ (cd ")]
    assert len(commands) == len(pipeline.processors)
    assert all("--start-date 2021-10-31 --end-date 2021-11-03" in c for c in commands)
    order = [line.split()[3] for line in run.stdout.splitlines() if ". Phase " in line]
    assert order == list(pipeline.processors)
    assert "plan mode: nothing was run or written" in run.stderr
    assert not absent.exists() and not any(run.home.iterdir())


def test_expected_dates_skip_a_day_without_games(
    warehouse_factory: Callable[[], Path], run_jobs: RunJobs, run_gameplan, pipeline
) -> None:
    path = warehouse_factory()
    run_jobs(path, [p.name for p in pipeline.phase(3)], date(2021, 10, 19), date(2021, 11, 23))
    run = run_gameplan(path, "--window", "2021-11-24:2021-11-26", "-n", "0")  # 2021-11-25: Thanksgiving
    assert run.ret == 0, run.stdout[-3000:]
    assert "2 game dates: 0 bootstrap (Phase 4 exempt), first normal day 2021-11-24" in run.stdout
    rows = query(
        DuckDBWarehouse(path),
        "SELECT DISTINCT game_date FROM nba_analytics.player_game_summary WHERE game_date >= '2021-11-24'",
    )
    assert sorted(str(d)[:10] for d in rows["game_date"]) == ["2021-11-24", "2021-11-26"]
    summary = assert_signoff_matches_warehouse(run.home, run.ret, path, pipeline)
    assert {t: c["2021-11-25"]["state"] for t, c in summary["coverage"].items()} == dict.fromkeys(
        summary["coverage"], "no_games"
    )
