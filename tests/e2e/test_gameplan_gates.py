"""The gameplan's STOP rules as a user meets them: `pytest --window ...` in a subprocess on a damaged
copy of the seeded warehouse or with a broken processor command. Each gate must name the table, date and
reason, skip what it blocks with that reason, and fail the run; bad input is one line and exit 4."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from signoff_checks import assert_signoff_matches_warehouse, load_signoff

from harness.declaration.model import Pipeline
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute

REPO = Path(__file__).resolve().parents[2]
BOOTSTRAP_WINDOW = "2021-10-19:2021-10-22"
WINDOW = "2021-10-31:2021-11-03"  # two bootstrap days, then two normal days


def test_missing_critical_chain_blocks_every_backfill(
    seeded_warehouse: DuckDBWarehouse, run_gameplan, pipeline: Pipeline
) -> None:
    for table in ("nbac_gamebook_player_stats", "bdl_player_boxscores", "espn_boxscores"):
        execute(seeded_warehouse, f"DELETE FROM nba_raw.{table} WHERE game_date = '2021-10-21'")
    run = run_gameplan(seeded_warehouse.path, "--window", BOOTSTRAP_WINDOW, "-n", "0")
    assert run.ret == 1
    assert "player_boxscores (critical): 1 of 4 game dates incomplete" in run.stdout
    assert "2021-10-21: no source has 3 of 3 games: 20211021_" in run.stdout
    # Every processor test and every check of their outputs is blocked, none of them ran.
    assert run.outcomes() == {"failed": 1, "passed": 8, "skipped": 39}
    assert "blocked by Step 0: critical chain player_boxscores missing on 2021-10-21" in run.stdout
    assert "harness: 39 tests blocked by a gate; the run fails" in run.stdout
    assert not (run.home / "runs").exists() or not any((run.home / "runs").glob("*/once/*.json"))
    summary = assert_signoff_matches_warehouse(run.home, run.ret, seeded_warehouse.path, pipeline)
    assert summary["verdict"] == "NOT READY"
    assert summary["reasons"][0].startswith(
        "Step 0: source chains: test_source_chain[player_boxscores] failed: "
    )
    assert summary["reasons"][1] == (
        "39 tests blocked by Step 0: critical chain player_boxscores missing on 2021-10-21"
    )
    assert summary["steps"]["Step 2: Phase 3 backfill"] == {"blocked": 5}
    report = load_signoff(run.home)[1]
    assert "Step 0: source chains" in report and "missing 3 of 3 games" in report
    assert "4 game dates: 4 bootstrap (Phase 4 exempt), no normal day" in report
    assert "No processor ran in this run." in report


def _with_command(tmp_path: Path, processor: str, command: str) -> Path:
    """pipeline.toml with ``processor``'s command replaced by ``command`` (a TOML array)."""
    text = (REPO / "pipeline.toml").read_text()
    header = f"[processors.{processor}]\n"
    path = tmp_path / "pipeline.toml"
    path.write_text(text.replace(header, f"{header}command = {command}\n"))
    return path


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (
            '["{python}", "-c", "pass"]',
            "team_defense_game_summary: exited 0 without writing a row to nba_analytics.team_defense_game_summary or "
            "a run-history row on any of the 4 expected dates: the scripts skipped every date, as their early exit "
            "does when nba_raw.v_nbac_schedule_latest has no row for a date; check that it covers the window where "
            "the scripts read it",
        ),
        ('["{python}", "-c", "raise SystemExit(3)"]', "team_defense_game_summary: exit code 3"),
    ],
    ids=["exit-0-no-rows", "exit-3"],
)
def test_failed_processor_blocks_its_dependents(
    command: str,
    problem: str,
    tmp_path: Path,
    history_warehouse: Callable[[], Path],
    run_gameplan,
    pipeline: Pipeline,
) -> None:
    declaration = _with_command(tmp_path, "team_defense_game_summary", command)
    warehouse = history_warehouse()
    run = run_gameplan(warehouse, "--window", WINDOW, "-n", "0", pipeline=declaration)
    assert run.ret == 1
    assert problem in run.stdout
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    upstream = "blocked by upstream processor team_defense_game_summary: failed: "
    gate = (
        "blocked by Step 3: Phase 3 incomplete: team_defense_game_summary, upcoming_player_game_context have no "
        "rows on 2021-10-31, 2021-11-01, 2021-11-02 (+1 more); "
    )
    assert skipped and all(upstream in line or gate in line for line in skipped), skipped
    ran = {n for n, r in run.records.items() if r["status"] != "not run"}
    # upcoming_player_game_context and every Phase 4 processor read it, directly or not.
    assert ran == {
        "team_defense_game_summary",
        "team_offense_game_summary",
        "upcoming_team_game_context",
        "player_game_summary",
    }
    summary = assert_signoff_matches_warehouse(run.home, run.ret, warehouse, pipeline)
    # player_shot_zone_analysis reads player_game_summary only: the Phase 4 gate holds it.
    (psza,) = [t for t in summary["tests"] if t["id"].endswith("test_backfill[player_shot_zone_analysis]")]
    assert psza["blocked"] and psza["message"].startswith(gate), psza
    failed = next(p for p in summary["processors"] if p["name"] == "team_defense_game_summary")
    assert failed["status"] == "failed" and problem.split(": ", 1)[1] in failed["problems"][0]
    report = load_signoff(run.home)[1]
    assert "team_defense_game_summary: last lines of " in report  # the log tail, inline


def test_incomplete_phase3_table_blocks_phase4(
    backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    path = backfilled_warehouse()
    execute(
        DuckDBWarehouse(path),
        "DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date >= '2021-11-01'",
    )
    run = run_gameplan(path, "--window", WINDOW, "--only", "team_defense_zone_analysis", "-n", "0")
    assert run.ret == 1
    assert "team_offense_game_summary: no rows on 2021-11-01, 2021-11-02, 2021-11-03" in run.stdout
    assert (
        "blocked by Step 3: Phase 3 incomplete: team_offense_game_summary has no rows on 2021-11-01, 2021-11-02, "
        "2021-11-03; verify_phase3_for_phase4.py, the Phase 4 scripts' own pre-flight, needs 95%: "
        "team_offense_game_summary has rows on 0 of 2 non-bootstrap game dates (0.0 %, 2 short), so they would "
        "exit 1 before processing anything anyway" in run.stdout
    )
    assert {n for n, r in run.records.items() if r["status"] != "not run"} == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "2021-10-19:yesterday"], "ERROR: --window '2021-10-19:yesterday': dates must be YYYY-MM-DD"),
        (["--window", "2021-11-15:2021-10-19"], "ERROR: --window '2021-11-15:2021-10-19': END is before START"),
        (["--window", "2019-10-19:2019-10-20"], "outside the declared seasons"),
        (["--window", "2021-10-19", "--backend", "duckdbb"], "is not a known backend (duckdb, bigquery); did you mean 'duckdb'?"),
        (["--window", "2021-10-19", "--mode", "verfy"], "ERROR: --mode 'verfy' is not one of run, missing, verify, only, plan; did you mean 'verify'?"),
        (["--window", "2021-10-19", "--only", "player_game_summry"], "ERROR: --only: unknown processor 'player_game_summry'; did you mean 'player_game_summary'?"),
        (["--window", "2021-10-19", "--mode", "only"], "ERROR: --mode only needs the processors to re-run: --only NAME[,NAME...]"),
        (["--window", "2021-10-19", "--timeout", "-5"], "ERROR: --timeout '-5' is not a positive number of seconds"),
        (["--window", f"{date.today() - timedelta(days=10)}:{date.today() + timedelta(days=5)}"], "ends on or after today"),
        (["--window", "2021-10-19:2025-04-13"], "spans 1273 days, more than 200; pass --max-window-days 1273 if you mean it"),
        (["--window", "2021-10-19", "--max-window-days", "lots"], "--max-window-days 'lots' is not a positive whole number"),
        (["--window", "2021-10-19'; DROP TABLE nba_raw.nbac_schedule; --"], "dates must be YYYY-MM-DD"),
        (["--window", "2021-10-19", "--only", "player_game_summary; DROP TABLE x"], "unknown processor 'player_game_summary; DROP TABLE x'"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line(tmp_path: Path, run_gameplan, args: list[str], message: str) -> None:
    warehouse = tmp_path / "untouched.duckdb"
    run = run_gameplan(warehouse, *args)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert not warehouse.exists()


def test_broken_pipeline_file_is_a_usage_error(tmp_path: Path, run_gameplan) -> None:
    broken = tmp_path / "pipeline.toml"
    text = (REPO / "pipeline.toml").read_text()
    broken.write_text(text.replace('upstream = ["team_offense_game_summary"]', 'upstream = ["nope"]'))
    run = run_gameplan(tmp_path / "w.duckdb", "--window", BOOTSTRAP_WINDOW, pipeline=broken)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "processors.player_game_summary.upstream[0]] unknown processor 'nope'" in run.stderr
