"""The reference jobs' command line: run history, bootstrap skips, re-runs and a kill mid-window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date

import pytest

from harness.reference import jobs
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import query

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


def test_phase4_skips_bootstrap_days_with_success_rows(
    run_jobs: RunJobs, seeded_warehouse: DuckDBWarehouse
) -> None:
    run_jobs(seeded_warehouse.path, ["team_defense_game_summary"], date(2021, 10, 19), date(2021, 11, 3))
    run_jobs(seeded_warehouse.path, ["team_defense_zone_analysis"], date(2021, 10, 31), date(2021, 11, 3))
    final = history(seeded_warehouse, "TeamDefenseZoneAnalysisProcessor").query("status != 'running'")
    assert [d.date() for d in final["data_date"]] == [
        date(2021, 10, 31),
        date(2021, 11, 1),
        date(2021, 11, 2),
        date(2021, 11, 3),
    ]
    assert final["skip_reason"].tolist()[:2] == ["bootstrap_period_day_0_13_of_season_2021"] * 2
    assert (
        final["records_processed"].tolist()[:2] == [0, 0] and min(final["records_processed"].tolist()[2:]) > 0
    )
    written = query(
        seeded_warehouse,
        "SELECT DISTINCT analysis_date FROM nba_precompute.team_defense_zone_analysis ORDER BY 1",
    )
    assert [d.date() for d in written["analysis_date"]] == [date(2021, 11, 2), date(2021, 11, 3)]


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
        successes += "Success" in line
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
