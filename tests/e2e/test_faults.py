"""The fault matrix: each way a backfill goes wrong, injected into the warehouse or into a processor
command, is caught by the right step with a message that names the table, date and reason; the run
exits non-zero; nothing is lost or doubled; and a repair run fixes exactly what was broken."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-31:2021-11-03"  # two bootstrap days, then two normal days
FAULTY = REPO / "tests" / "e2e" / "faulty_job.py"


def faulty_pipeline(directory: Path, fault: str, processor: str) -> Path:
    """pipeline.toml whose commands inject ``fault`` into ``processor``'s job (see faulty_job.py)."""
    text = (REPO / "pipeline.toml").read_text()
    default = '["{python}", "-m", "harness.reference.jobs", "{name}",'
    assert default in text
    path = directory / "pipeline.toml"
    path.write_text(
        text.replace(default, f'["{{python}}", "{FAULTY}", "{fault}", "{processor}", "{{name}}",', 1)
    )
    return path


def _warehouse(factory: Callable[[], Path]) -> DuckDBWarehouse:
    return DuckDBWarehouse(factory())


# -------------------------------------------------------------------- source chains (Step 0 only)


def test_fallback_source_passes_and_is_named(backfilled_warehouse, run_gameplan) -> None:
    warehouse = _warehouse(backfilled_warehouse)
    execute(warehouse, "DELETE FROM nba_raw.nbac_gamebook_player_stats WHERE game_date = '2021-11-02'")
    run = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "verify", "-k", "source_chain")
    assert run.ret == 0, run.stdout[-2000:]
    report = next((run.home / "reports").glob("*.html")).read_text()
    assert "player_boxscores 2021-11-02: fallback: bdl_player_boxscores" in report


def test_one_missing_game_in_a_date_with_others_fails_step0(backfilled_warehouse, run_gameplan) -> None:
    warehouse = _warehouse(backfilled_warehouse)
    for table in (
        "nbac_team_boxscore",
        "nbac_gamebook_player_stats",
        "bdl_player_boxscores",
        "espn_boxscores",
    ):
        execute(warehouse, f"DELETE FROM nba_raw.{table} WHERE game_id = '20211102_BOS_MIL'")
    run = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "verify", "-k", "source_chain")
    assert run.ret == 1
    assert "2021-11-02: no source has 1 of 5 games: 20211102_BOS_MIL" in run.stdout


def test_warning_chain_gap_warns_and_passes(backfilled_warehouse, run_gameplan) -> None:
    warehouse = _warehouse(backfilled_warehouse)
    for table in ("odds_api_player_points_props", "bettingpros_player_points_props"):
        execute(warehouse, f"DELETE FROM nba_raw.{table} WHERE game_date = '2021-11-03'")
    run = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "verify", "-k", "source_chain")
    assert run.ret == 0
    assert "SourceChainWarning: player_props (warning): 1 of 4 game dates incomplete" in run.stdout


# ------------------------------------------------------------------------------ processor faults


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            "record-failed:2021-11-02",
            "team_defense_zone_analysis: latest run failed on 2021-11-02 (run TeamDefenseZoneAnalysisProcessor_fault: "
            "InjectedFault: a date failed after writing)",
        ),
        (
            "leave-running:2021-11-03",
            "team_defense_zone_analysis: unfinished run (a 'running' row and no final row) on 2021-11-03 "
            "(run TeamDefenseZoneAnalysisProcessor_fault started 2",
        ),
    ],
    ids=["rows-but-failed", "running-without-final"],
)
def test_run_history_faults_fail_the_processor(
    fault: str, message: str, tmp_path: Path, history_warehouse, run_gameplan
) -> None:
    declaration = faulty_pipeline(tmp_path, fault, "team_defense_zone_analysis")
    run = run_gameplan(history_warehouse(), "--window", WINDOW, "-n", "0", pipeline=declaration)
    assert run.ret == 1
    assert message in run.stdout
    assert "team_defense_zone_analysis: run history 2021-11-0" in run.stdout  # Step 4 judged it from history
    assert run.records["player_shot_zone_analysis"]["status"] == "passed"  # reads PGS only (11.6)
    assert "player_composite_factors" not in run.records  # reads TDZA: blocked, never started
    assert (
        "blocked by upstream processor team_defense_zone_analysis: failed: run history 2021-11-0"
        in run.stdout
    )


def test_a_hanging_processor_is_ended_with_its_children(
    tmp_path: Path, history_warehouse, run_gameplan
) -> None:
    declaration = faulty_pipeline(tmp_path, "hang", "team_defense_game_summary")
    run = run_gameplan(
        history_warehouse(), "--window", WINDOW, "-n", "0", "--timeout", "3", pipeline=declaration
    )
    assert run.ret == 1
    assert "team_defense_game_summary: timed out after 3 s; its process group was ended" in run.stdout
    assert "blocked by upstream processor team_defense_game_summary: failed: timed out" in run.stdout
    left = subprocess.run(["pgrep", "-f", "sleep 301.5"], capture_output=True, text=True)
    assert left.stdout == "", "the hung processor's child outlived the run"


def test_a_processor_killed_mid_window_keeps_finished_dates_and_missing_completes_the_rest(
    tmp_path: Path, history_warehouse, run_gameplan
) -> None:
    path = history_warehouse()
    declaration = faulty_pipeline(tmp_path, "die-after:2", "player_game_summary")
    killed = run_gameplan(path, "--window", WINDOW, "-n", "0", pipeline=declaration)
    assert killed.ret == 1
    assert "player_game_summary: exit code -9" in killed.stdout
    warehouse = DuckDBWarehouse(path)
    days = query(
        warehouse,
        "SELECT game_date, COUNT(*) AS n FROM nba_analytics.player_game_summary "
        "WHERE game_date >= '2021-10-31' GROUP BY 1 ORDER BY 1",
    )
    assert [str(d)[:10] for d in days["game_date"]] == ["2021-10-31", "2021-11-01"]  # whole dates, no others
    repaired = run_gameplan(path, "--window", WINDOW, "--mode", "missing", "-n", "0")
    assert repaired.ret == 0, repaired.stdout[-3000:]
    assert repaired.records["player_game_summary"]["dates"] == ["2021-11-02", "2021-11-03"]
    again = query(
        warehouse,
        "SELECT game_date, COUNT(*) AS n FROM nba_analytics.player_game_summary "
        "WHERE game_date >= '2021-10-31' GROUP BY 1 ORDER BY 1",
    )
    assert again["n"].tolist()[:2] == days["n"].tolist()  # the finished dates were neither lost nor doubled


def test_a_worker_that_dies_ends_the_run_without_running_twice(
    tmp_path: Path, history_warehouse, run_gameplan
) -> None:
    declaration = faulty_pipeline(tmp_path, "kill-worker", "team_offense_game_summary")
    run = run_gameplan(history_warehouse(), "--window", WINDOW, "-n", "2", pipeline=declaration)
    assert run.ret == 1
    record = run.records["team_offense_game_summary"]
    assert record["status"] == "lost" and "died before it finished; it was not run again" in record["reason"]
    log = next((run.home / "runs").glob("*/logs/team_offense_game_summary.log")).read_text()
    assert log.count("$ (cd ") == 1
    summary = json.loads(next((run.home / "reports").glob("*.summary.json")).read_text())
    assert summary["verdict"] == "NOT READY"
    assert any("died before it finished" in r for r in summary["reasons"]), summary["reasons"]


# -------------------------------------------------------------------------------- table faults


@pytest.mark.parametrize(
    ("damage", "messages"),
    [
        pytest.param(
            "INSERT INTO nba_precompute.player_daily_cache SELECT * FROM nba_precompute.player_daily_cache "
            "WHERE cache_date = '2021-11-02' LIMIT 3; "
            "ALTER TABLE nba_analytics.team_offense_game_summary ALTER COLUMN team_abbr DROP NOT NULL; "
            "UPDATE nba_analytics.team_offense_game_summary SET team_abbr = NULL WHERE game_date = '2021-11-01' "
            "AND team_abbr = (SELECT MIN(team_abbr) FROM nba_analytics.team_offense_game_summary WHERE game_date = '2021-11-01'); "
            "UPDATE nba_precompute.player_composite_factors SET fatigue_score = 140 WHERE game_date = '2021-11-03'",
            [
                "player_daily_cache: duplicate rows for the grain (player_lookup) on 2021-11-02 (3 extra rows)",
                "team_offense_game_summary.team_abbr: null key values on 2021-11-01 (1 rows)",
                "player_composite_factors.fatigue_score: values outside [0, 100] on 2021-11-03 (",
            ],
            id="grain-key-range",
        ),
        pytest.param(
            "INSERT INTO nba_precompute.player_daily_cache SELECT * REPLACE (DATE '2021-11-01' AS cache_date) "
            "FROM nba_precompute.player_daily_cache WHERE cache_date = '2021-11-02'; "
            "DELETE FROM nba_precompute.player_shot_zone_analysis WHERE analysis_date = '2021-11-03'",
            [
                "player_daily_cache: rows on bootstrap dates, which are EXEMPT and must stay empty: 2021-11-01 (",
                "player_shot_zone_analysis: no rows on 2021-11-03 (1 of 2 expected game dates)",
            ],
            id="bootstrap-rows-and-missing-date",
        ),
    ],
)
def test_verify_names_table_column_and_date_of_each_fault(
    damage: str, messages: list[str], backfilled_warehouse, run_gameplan
) -> None:
    warehouse = _warehouse(backfilled_warehouse)
    execute(warehouse, damage)
    run = run_gameplan(warehouse.path, "--window", WINDOW, "--mode", "verify")
    assert run.ret == 1
    for message in messages:
        assert message in run.stdout, message


# ----------------------------------------------------------------- interrupts and concurrent runs


def _start(warehouse: Path, home: Path, *args: str, pipeline: Path | None = None) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), f"--rootdir={REPO}", "-p", "no:cacheprovider",
        "--warehouse", str(warehouse), "--report-dir", str(home / "reports"),
        "--pipeline", str(pipeline or REPO / "pipeline.toml"), "--window", WINDOW, "-n", "0", *args,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "PYTEST_XDIST"))}
    # A shell's background job ignores SIGINT, and children inherit that: give the run its Ctrl-C back.
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for(path_glob: Callable[[], list[Path]], seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not path_glob():
        assert time.time() < deadline, "the run never reached the point the test waits for"
        time.sleep(0.2)


def test_ctrl_c_writes_an_interrupted_report_and_missing_completes(
    tmp_path: Path, history_warehouse, run_gameplan
) -> None:
    path = history_warehouse()
    home = tmp_path / "first"
    proc = _start(path, home)
    _wait_for(lambda: [p for p in home.glob("runs/*/progress.log")] or list(home.glob("runs/*/logs/*.log")))
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out[-3000:]
    summary = json.loads(next((home / "reports").glob("*.summary.json")).read_text())
    assert summary["verdict"] == "INTERRUPTED"
    assert next((home / "reports").glob("*.html")).exists()
    with DuckDBWarehouse(path).connect() as conn:  # the interrupted processor's snapshot was dropped
        tables = conn.table_columns(["nba_analytics", "nba_precompute", "nba_predictions"])
    assert tables and not [name for name in tables if "__harness_snapshot_" in name]
    repaired = run_gameplan(path, "--window", WINDOW, "--mode", "missing", "-n", "0")  # the lock was released
    assert repaired.ret == 0, repaired.stdout[-3000:]


def test_a_second_run_on_the_same_warehouse_refuses(tmp_path: Path, history_warehouse, run_gameplan) -> None:
    path = history_warehouse()
    declaration = faulty_pipeline(tmp_path, "hang", "team_offense_game_summary")
    first = _start(path, tmp_path / "first", "--timeout", "20", pipeline=declaration)
    _wait_for(lambda: list((tmp_path / "first").glob("runs/*/logs/*.log")))
    second = run_gameplan(path, "--window", WINDOW, "-n", "0")
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=120)
    assert second.ret == pytest.ExitCode.USAGE_ERROR
    assert "is in use by another harness run (run " in second.stderr
    assert "wait for it to finish, or pass another --warehouse" in second.stderr
    assert not list(second.home.rglob("*.html")) and not list(second.home.rglob("*.json"))
