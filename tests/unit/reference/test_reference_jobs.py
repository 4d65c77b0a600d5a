"""The reference jobs' command line: run history, bootstrap skips, re-runs and a kill mid-window."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date

import pytest

from harness.reference import jobs
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query

RunJobs = Callable[..., None]  # the run_jobs fixture of tests/conftest.py


def history(warehouse: DuckDBWarehouse, processor: str):
    return query(
        warehouse,
        "SELECT data_date, status, records_processed, skip_reason, run_id FROM nba_reference.processor_run_history "
        "WHERE processor_name = @p ORDER BY data_date, started_at, status",
        {"p": processor},
    )


def test_running_then_final_row_per_date(run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse) -> None:
    run_jobs(seeded_warehouse.path, ["team_offense_game_summary"], date(2021, 10, 19), date(2021, 10, 21))
    rows = history(seeded_warehouse, "TeamOffenseGameSummaryProcessor")
    assert rows["status"].tolist() == ["running", "success"] * 3
    assert rows["run_id"].nunique() == 1 and rows["run_id"].iloc[0].startswith(
        "TeamOffenseGameSummaryProcessor_"
    )
    counts = query(
        seeded_warehouse,
        "SELECT game_date, COUNT(*) AS n FROM nba_analytics.team_offense_game_summary GROUP BY 1 ORDER BY 1",
    )
    assert counts["n"].tolist() == [4, 22, 6]  # two teams per game: 2, 11 and 3 games
    assert rows[rows["status"] == "success"]["records_processed"].tolist() == [4, 22, 6]


def test_rerun_leaves_identical_contents(run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse) -> None:
    snapshot = (
        "SELECT * EXCEPT (processed_at) FROM nba_analytics.team_defense_game_summary "
        "ORDER BY game_date, defending_team_abbr"
    )
    window = (date(2021, 10, 19), date(2021, 10, 24))
    run_jobs(seeded_warehouse.path, ["team_defense_game_summary"], *window)
    first = query(seeded_warehouse, snapshot)
    run_jobs(seeded_warehouse.path, ["team_defense_game_summary"], *window)
    assert query(seeded_warehouse, snapshot).equals(first), "a re-run changed the table"
    assert len(first) == 2 * (2 + 11 + 3 + 10 + 8 + 6)


def test_phase4_writes_nothing_on_bootstrap_days(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse
) -> None:
    """The Phase 4 scripts return before the processor's run() on bootstrap dates: no rows, no run history
    (contract 11.1)."""
    run_jobs(seeded_warehouse.path, ["team_defense_game_summary"], date(2021, 10, 19), date(2021, 11, 3))
    run_jobs(
        seeded_warehouse.path,
        ["team_defense_zone_analysis"],
        date(2021, 10, 31),
        date(2021, 11, 3),
        "--skip-preflight",
    )
    final = history(seeded_warehouse, "TeamDefenseZoneAnalysisProcessor").query("status != 'running'")
    assert [d.date() for d in final["data_date"]] == [date(2021, 11, 2), date(2021, 11, 3)]
    written = query(
        seeded_warehouse,
        "SELECT DISTINCT analysis_date FROM nba_precompute.team_defense_zone_analysis ORDER BY 1",
    )
    assert [d.date() for d in written["analysis_date"]] <= [date(2021, 11, 2), date(2021, 11, 3)]


def test_upcoming_player_context_writes_no_run_history(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse
) -> None:
    names = [
        "team_offense_game_summary",
        "team_defense_game_summary",
        "player_game_summary",
        "upcoming_player_game_context",
    ]
    run_jobs(seeded_warehouse.path, names, date(2021, 10, 19), date(2021, 10, 20))
    assert (
        query(seeded_warehouse, "SELECT COUNT(*) AS n FROM nba_analytics.upcoming_player_game_context")[
            "n"
        ].iloc[0]
        > 0
    )
    names_in_history = set(
        query(seeded_warehouse, "SELECT DISTINCT processor_name FROM nba_reference.processor_run_history")[
            "processor_name"
        ]
    )
    assert names_in_history == {
        "TeamOffenseGameSummaryProcessor",
        "TeamDefenseGameSummaryProcessor",
        "PlayerGameSummaryProcessor",
    }


@pytest.mark.parametrize(
    "args",
    [
        ["nope", "--start-date", "2021-10-19"],
        ["team_offense_game_summary"],
        ["team_offense_game_summary", "--start-date", "2021-10-21", "--end-date", "2021-10-19"],
        ["team_offense_game_summary", "--dates", "2021-10-19,x"],
    ],
)
def test_bad_arguments_exit_2(monkeypatch, seeded_warehouse: DuckDBWarehouse, args: list[str]) -> None:
    monkeypatch.setenv("HARNESS_WAREHOUSE", str(seeded_warehouse.path))
    with pytest.raises(SystemExit) as caught:
        raise SystemExit(jobs.main(args))
    assert caught.value.code == 2


def test_killed_mid_window_leaves_whole_dates(seeded_warehouse: DuckDBWarehouse) -> None:
    """SIGKILL after some dates committed: each date holds all its rows or none, never half."""
    env = {**os.environ, "HARNESS_WAREHOUSE": str(seeded_warehouse.path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.reference.jobs",
            "team_offense_game_summary",
            "--start-date",
            "2021-10-19",
            "--end-date",
            "2022-04-10",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    successes = 0
    for line in proc.stdout:
        successes += re.search(r"Success: [1-9]", line) is not None  # days without games log 0 records
        if successes == 40:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(60)
    per_date = query(
        seeded_warehouse,
        "SELECT s.game_date, 2 * COUNT(DISTINCT s.game_id) AS expected, "
        "(SELECT COUNT(*) FROM nba_analytics.team_offense_game_summary t WHERE t.game_date = s.game_date) AS written "
        "FROM nba_raw.nbac_schedule s WHERE s.season_year = 2021 GROUP BY 1",
    )
    partial = per_date[(per_date["written"] != 0) & (per_date["written"] != per_date["expected"])]
    assert partial.empty, partial
    done = int((per_date["written"] > 0).sum())
    assert 40 <= done < len(per_date)
    final = history(seeded_warehouse, "TeamOffenseGameSummaryProcessor").query("status == 'success'")
    assert len(final) == done


# ------------------------------------------------- what the real scripts do (pipeline-contract.md 11)

NARROW_VIEW = """
CREATE OR REPLACE VIEW nba_raw.v_nbac_schedule_latest AS
SELECT * FROM nba_raw.nbac_schedule
WHERE game_date BETWEEN DATE_SUB(CURRENT_DATE(), INTERVAL 365 DAY) AND DATE_ADD(CURRENT_DATE(), INTERVAL 30 DAY)
"""
"""The view as the real DDL defines it: only the last 365 days, so no 2021 date."""


def run_job(warehouse: DuckDBWarehouse, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """A job's exit code and log."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_WAREHOUSE", str(warehouse.path))
        code = jobs.main(list(args))
    return code, capsys.readouterr().out


def test_early_exit_writes_nothing_and_exits_0(seeded_warehouse: DuckDBWarehouse, capsys) -> None:
    execute(seeded_warehouse, NARROW_VIEW)
    code, log = run_job(
        seeded_warehouse, "team_offense_game_summary", "--start-date", "2021-10-19", "--end-date", "2021-10-20",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0
    assert "No games scheduled on 2021-10-19, skipping" in log and "✓ Success: 0 records" in log
    assert history(seeded_warehouse, "TeamOffenseGameSummaryProcessor").empty
    rows = query(seeded_warehouse, "SELECT COUNT(*) AS n FROM nba_analytics.team_offense_game_summary")
    assert rows["n"].iloc[0] == 0


def test_upcoming_player_context_follows_the_schedule_view(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse, capsys
) -> None:
    """UPGC's backfill has no early exit, but it takes each player's game from the view: none there,
    no row, and the script still exits 0."""
    run_jobs(seeded_warehouse.path, ["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"],
             date(2021, 10, 19), date(2021, 10, 20))  # fmt: skip
    execute(seeded_warehouse, NARROW_VIEW)
    code, log = run_job(
        seeded_warehouse, "upcoming_player_game_context", "--start-date", "2021-10-19", "--end-date", "2021-10-20",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0 and "2021-10-19: Processing failed - unknown" in log
    rows = query(seeded_warehouse, "SELECT COUNT(*) AS n FROM nba_analytics.upcoming_player_game_context")
    assert rows["n"].iloc[0] == 0


def test_a_held_lock_leaves_only_the_running_row(seeded_warehouse: DuckDBWarehouse, capsys) -> None:
    execute(
        seeded_warehouse,
        "INSERT INTO nba_reference.processing_locks (lock_id, acquired_at, execution_id) "
        "VALUES ('TeamOffenseGameSummaryProcessor_2021-10-20', CURRENT_TIMESTAMP(), 'another-run')",
    )
    code, log = run_job(
        seeded_warehouse, "team_offense_game_summary", "--start-date", "2021-10-19", "--end-date", "2021-10-20",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0 and "🔒 Cannot acquire processing lock for 2021-10-20" in log
    rows = history(seeded_warehouse, "TeamOffenseGameSummaryProcessor")
    by_day = rows.groupby(rows["data_date"].dt.date)["status"].apply(list).to_dict()
    assert by_day == {date(2021, 10, 19): ["running", "success"], date(2021, 10, 20): ["running"]}
    locks = query(seeded_warehouse, "SELECT lock_id, execution_id FROM nba_reference.processing_locks")
    assert locks.to_dict("records") == [
        {"lock_id": "TeamOffenseGameSummaryProcessor_2021-10-20", "execution_id": "another-run"}
    ], "the job released its own locks and kept the other run's"


def test_player_game_summary_fails_a_date_with_thin_team_offense(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse, capsys
) -> None:
    run_jobs(seeded_warehouse.path, ["team_offense_game_summary"], date(2021, 10, 20), date(2021, 10, 21))
    # 2021-10-20 has 11 games: keep 8 of its 22 team rows (36 %).
    execute(
        seeded_warehouse,
        "DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date = '2021-10-20' AND game_id NOT IN "
        "(SELECT game_id FROM nba_analytics.team_offense_game_summary WHERE game_date = '2021-10-20' "
        "ORDER BY game_id LIMIT 8)",
    )
    execute(seeded_warehouse, "DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date = '2021-10-20' "
            "AND team_abbr IN (SELECT team_abbr FROM nba_analytics.team_offense_game_summary WHERE game_date = "
            "'2021-10-20' AND home_game)")  # fmt: skip
    code, log = run_job(
        seeded_warehouse, "player_game_summary", "--start-date", "2021-10-20", "--end-date", "2021-10-21",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0, "the real script exits 0 when dates fail"
    rows = history(seeded_warehouse, "PlayerGameSummaryProcessor")
    by_day = rows.groupby(rows["data_date"].dt.date)["status"].apply(list).to_dict()
    assert by_day == {date(2021, 10, 20): ["failed", "running"], date(2021, 10, 21): ["running", "success"]}
    errors = query(
        seeded_warehouse,
        "SELECT TO_JSON_STRING(errors) AS e FROM nba_reference.processor_run_history WHERE status = 'failed'",
    )["e"].iloc[0]
    assert "Cannot process player stats without valid team stats. Team stats insufficient: " in errors
    assert "< 80.0% threshold). Run TeamOffenseGameSummaryProcessor first." in errors
    assert "✗ Failed: 2021-10-20" in log


def test_phase4_preflight_refuses_a_range_with_thin_phase3(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse, capsys
) -> None:
    """verify_phase3_for_phase4.py: every Phase 3 table on 95 % of the non-bootstrap game dates, on the
    range path only (not --dates, not --skip-preflight)."""
    run_jobs(seeded_warehouse.path, ["team_defense_game_summary"], date(2021, 10, 19), date(2021, 11, 3))
    code, log = run_job(
        seeded_warehouse, "team_defense_zone_analysis", "--start-date", "2021-10-31", "--end-date", "2021-11-03",
        capsys=capsys,
    )  # fmt: skip
    assert code == 1 and "❌ PRE-FLIGHT CHECK FAILED: Phase 3 data is incomplete!" in log
    assert "player_game_summary: 0.0% (2 dates missing)" in log
    assert history(seeded_warehouse, "TeamDefenseZoneAnalysisProcessor").empty, "nothing was processed"
    # A scattered --dates re-run skips the script's pre-flight, as the real ones do.
    code, log = run_job(
        seeded_warehouse, "team_defense_zone_analysis", "--dates", "2021-11-02,2021-11-03", capsys=capsys
    )
    assert code == 0 and "PRE-FLIGHT" not in log
    assert set(history(seeded_warehouse, "TeamDefenseZoneAnalysisProcessor")["status"]) == {
        "running",
        "success",
    }
    # A window of bootstrap days only passes.
    code, _ = run_job(
        seeded_warehouse, "team_defense_zone_analysis", "--start-date", "2021-10-20", "--end-date", "2021-10-22",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0


def test_each_date_is_swapped_by_one_script_with_its_history_row_last(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On BigQuery a script is one job (tests/unit/warehouse/test_bigquery_sessions.py): no process can die
    between the DELETE and the COMMIT, and the success row is written only with the data."""
    from harness.warehouse.duckdb import DuckDBConnection

    scripts: list[tuple[str, dict]] = []
    original = DuckDBConnection.script

    def record(self: DuckDBConnection, sql: str, params: dict | None = None) -> None:
        scripts.append((sql, dict(params or {})))
        original(self, sql, params)

    monkeypatch.setattr(DuckDBConnection, "script", record)
    run_jobs(seeded_warehouse.path, ["team_offense_game_summary"], date(2021, 10, 19), date(2021, 10, 21))
    assert [params["day"] for _, params in scripts] == [
        date(2021, 10, 19),
        date(2021, 10, 20),
        date(2021, 10, 21),
    ]
    for sql, params in scripts:
        statements = [s.strip().split(" (")[0] for s in sql.split(";")]
        assert statements == [
            "DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date = @day",
            "INSERT INTO nba_analytics.team_offense_game_summary",
            "INSERT INTO nba_reference.processor_run_history",
        ]
        assert params["status"] == "success" and params["data_date"] == params["day"]
    assert [params["records_processed"] for _, params in scripts] == [4, 22, 6]
