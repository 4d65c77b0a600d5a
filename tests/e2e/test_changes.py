"""What a backfill changed, end to end on the embedded warehouse: a first run into empty tables only adds
rows; an identical re-run changes nothing and passes ``--expect-no-changes``; one raw value changed and
its processor re-run alone changes exactly that row, in that column, on that date; a processor that
writes a date outside its window fails, naming the table and the date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from signoff_checks import load_signoff
from test_faults import faulty_pipeline

from harness.declaration.model import Pipeline
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query

WINDOW = "2021-10-19:2021-10-22"
"""Four days into empty tables: Phase 3 writes every date, Phase 4 none (bootstrap)."""


@pytest.fixture(scope="module")
def warehouse(warehouse_factory: Callable[[], Path]) -> Path:
    """A seeded warehouse no processor has written yet."""
    return warehouse_factory()


@pytest.fixture(scope="module")
def first_run(warehouse: Path, run_gameplan) -> tuple[dict[str, Any], str]:
    """summary.json and the report of the first run."""
    run = run_gameplan(warehouse, "--window", WINDOW, "-n", "0")
    assert run.ret == 0, run.stdout[-3000:]
    return load_signoff(run.home)


@pytest.fixture(scope="module")
def first(first_run: tuple[dict[str, Any], str]) -> dict[str, Any]:
    return first_run[0]


@pytest.fixture(scope="module")
def second(first: dict[str, Any], warehouse: Path, run_gameplan) -> tuple[int, dict[str, Any], str]:
    run = run_gameplan(warehouse, "--window", WINDOW, "-n", "0", "--expect-no-changes")
    return run.ret, load_signoff(run.home)[0], run.stdout


def test_the_pre_test_state_is_the_empty_tables(first: dict[str, Any], pipeline: Pipeline) -> None:
    phase3 = [t.name for t in pipeline.phase_tables(3)]
    assert first["format_version"] == "1.1"
    state = first["pre_test_state"]
    assert state["problem"] is None
    assert set(phase3) <= set(state["tables"]) and all(days == {} for days in state["tables"].values())


def test_a_first_run_into_empty_tables_reports_only_additions(
    first: dict[str, Any], pipeline: Pipeline
) -> None:
    phase3 = [t.name for t in pipeline.phase_tables(3)]
    changes = first["changes"]
    assert set(phase3) <= set(changes)
    for table in phase3:
        days = changes[table]["dates"]
        assert sorted(days) == ["2021-10-19", "2021-10-20", "2021-10-21", "2021-10-22"], table
        added = {day: d["added"] for day, d in days.items()}
        assert all(n > 0 for n in added.values()), (table, added)
        assert all(d["removed"] == 0 and d["changed"] == 0 for d in days.values()), table
        assert added == {day: first["coverage"][table][day]["rows"] for day in added}
        assert changes[table]["outside"] == [] and changes[table]["method"] == "copy"
    assert all(changes[t]["dates"] == {} for t in changes if t not in phase3)  # bootstrap: nothing


def test_the_report_shows_what_changed(first_run: tuple[dict[str, Any], str]) -> None:
    html = first_run[1]
    assert "<h2>What changed</h2>" in html and 'id="harness-pre-test-state"' in html
    assert 'data-change-table="player_game_summary" data-change-date="2021-10-19"' in html


def test_snapshots_are_dropped(first: dict[str, Any], warehouse: Path) -> None:
    with DuckDBWarehouse(warehouse).connect() as conn:
        tables = conn.table_columns(["nba_analytics", "nba_precompute", "nba_predictions"])
    assert tables and not [name for name in tables if "__harness_snapshot_" in name]


def test_an_identical_rerun_changes_nothing_and_passes_expect_no_changes(second) -> None:
    ret, summary, stdout = second
    assert ret == 0, stdout[-3000:]
    assert summary["changes"] and all(c["dates"] == {} for c in summary["changes"].values())
    assert "changed:" not in stdout
    # The pre-test state is now the first run's result.
    assert summary["pre_test_state"]["tables"]["player_game_summary"] == {
        day: cell["rows"] for day, cell in summary["coverage"]["player_game_summary"].items() if cell["rows"]
    }


def test_one_changed_raw_value_changes_exactly_that_row(second, warehouse: Path, run_gameplan) -> None:
    wh = DuckDBWarehouse(warehouse)
    player = query(
        wh,
        "SELECT player_lookup FROM nba_raw.nbac_gamebook_player_stats WHERE game_date = '2021-10-20' "
        "AND points > 10 ORDER BY player_lookup LIMIT 1",
    ).iloc[0, 0]
    execute(
        wh,
        "UPDATE nba_raw.nbac_gamebook_player_stats SET points = points + 7 "
        "WHERE game_date = '2021-10-20' AND player_lookup = @player",
        {"player": player},
    )
    run = run_gameplan(
        warehouse, "--window", WINDOW, "-n", "0", "--mode", "only", "--only", "player_game_summary"
    )
    summary = load_signoff(run.home)[0]
    assert list(summary["changes"]) == ["player_game_summary"]
    days = summary["changes"]["player_game_summary"]["dates"]
    assert list(days) == ["2021-10-20"]
    day = days["2021-10-20"]
    assert (day["added"], day["removed"], day["changed"]) == (0, 0, 1)
    assert day["columns"]["points"] == 1
    (sample,) = day["samples"]
    assert sample["key"] == player and sample["kind"] == "changed"
    old, new = sample["values"]["points"]
    assert int(new) == int(old) + 7
    (line,) = [line for line in run.stdout.splitlines() if "changed: player_game_summary:" in line]
    assert "player_game_summary: +0 -0 ~1 rows on 1 date (" in line and "points 1" in line, line


def test_a_processor_writing_outside_its_window_fails(warehouse_factory, run_gameplan, tmp_path) -> None:
    pipeline = faulty_pipeline(tmp_path, "write-outside:2021-11-20", "team_defense_game_summary")
    run = run_gameplan(warehouse_factory(), "--window", WINDOW, "-n", "0", pipeline=pipeline)
    assert run.ret == 1
    summary = load_signoff(run.home)[0]
    (processor,) = [p for p in summary["processors"] if p["name"] == "team_defense_game_summary"]
    assert processor["status"] == "failed"
    assert any(
        "team_defense_game_summary: rows changed outside the window on 2021-11-20" in p
        for p in processor["problems"]
    ), processor["problems"]
    assert summary["changes"]["team_defense_game_summary"]["outside"] == ["2021-11-20"]
    assert summary["verdict"] == "NOT READY"
