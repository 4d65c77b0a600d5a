"""What a backfill changed, on the BigQuery backend against the emulator: the same answers as on the
embedded warehouse. The emulator cannot bind a parameter in ``FOR SYSTEM_TIME AS OF`` (shown here), so
against an emulator endpoint the harness takes the copy (``<table>__harness_snapshot_<run id>``, expiring
after a day). The emulator does keep history and travel to a literal time, so the diff query is also run
here against its time travel; the harness's own time-travel SQL, with ``@before_at``, is parsed in
``tests/unit/checking/test_change_diff.py``."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from signoff_checks import load_signoff

from harness.checking.changes import Before, compared_columns, read_diff, time_travel_source
from harness.declaration.model import Pipeline, Table
from harness.declaration.window import parse_window
from harness.errors import HarnessError

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bigquery")]

WINDOW = "2021-10-19:2021-10-21"
THROUGH = date(2021, 10, 21)


@pytest.fixture(scope="module")
def target(seed_bigquery: Callable[[str, date], Any]) -> Any:
    return seed_bigquery("changes_", THROUGH)


@pytest.fixture(scope="module")
def first(target: Any, run_gameplan) -> dict[str, Any]:
    run = run_gameplan(Path("unused.duckdb"), "--window", WINDOW, *target.args(), "-n", "0")
    assert run.ret == 0, run.stdout[-3000:]
    return load_signoff(run.home)[0]


@pytest.fixture(scope="module")
def second(first: dict[str, Any], target: Any, run_gameplan) -> tuple[int, dict[str, Any], str]:
    run = run_gameplan(
        Path("unused.duckdb"), "--window", WINDOW, *target.args(), "-n", "0", "--expect-no-changes"
    )
    return run.ret, load_signoff(run.home)[0], run.stdout


def test_a_first_run_into_empty_tables_reports_only_additions(
    first: dict[str, Any], pipeline: Pipeline
) -> None:
    phase3 = [t.name for t in pipeline.phase_tables(3)]
    assert all(days == {} for days in first["pre_test_state"]["tables"].values())
    for table in phase3:
        change = first["changes"][table]
        assert change["method"] == "copy" and change["outside"] == []
        days = change["dates"]
        assert sorted(days) == ["2021-10-19", "2021-10-20", "2021-10-21"], table
        assert all(d["added"] > 0 and d["removed"] == d["changed"] == 0 for d in days.values()), table


def test_snapshots_are_dropped(first: dict[str, Any], target: Any, pipeline: Pipeline) -> None:
    with target.warehouse().connect() as conn:
        tables = conn.table_columns([pipeline.datasets["analytics"], pipeline.datasets["precompute"]])
    assert not [name for name in tables if "__harness_snapshot_" in name]


def test_an_identical_rerun_changes_nothing_and_passes_expect_no_changes(second) -> None:
    ret, summary, stdout = second
    assert ret == 0, stdout[-3000:]
    assert all(c["dates"] == {} and c["outside"] == [] for c in summary["changes"].values())


def test_one_changed_raw_value_changes_exactly_that_row(second, target: Any, run_gameplan) -> None:
    with target.warehouse().connect() as conn:
        player = conn.query(
            "SELECT player_lookup FROM nba_raw.nbac_gamebook_player_stats WHERE game_date = @day "
            "AND points > 10 ORDER BY player_lookup LIMIT 1",
            {"day": date(2021, 10, 20)},
        ).iloc[0, 0]
        conn.execute(
            "UPDATE nba_raw.nbac_gamebook_player_stats SET points = points + 7 "
            "WHERE game_date = @day AND player_lookup = @player",
            {"day": date(2021, 10, 20), "player": player},
        )
    run = run_gameplan(
        Path("unused.duckdb"), "--window", WINDOW, *target.args(), "-n", "0",
        "--mode", "only", "--only", "player_game_summary",
    )  # fmt: skip
    days = load_signoff(run.home)[0]["changes"]["player_game_summary"]["dates"]
    assert list(days) == ["2021-10-20"]
    day = days["2021-10-20"]
    assert (day["added"], day["removed"], day["changed"], day["columns"]["points"]) == (0, 0, 1, 1)
    (sample,) = day["samples"]
    assert (
        sample["key"] == player
        and int(sample["values"]["points"][1]) == int(sample["values"]["points"][0]) + 7
    )


def test_the_emulator_refuses_a_time_travel_parameter_so_the_copy_is_used(
    target: Any, pipeline: Pipeline
) -> None:
    """Why an emulator endpoint gets the copy: a parameter in ``FOR SYSTEM_TIME AS OF`` does not bind there."""
    table = pipeline.tables["player_game_summary"]
    with target.warehouse().connect() as conn, pytest.raises(HarnessError, match="before_at"):
        conn.query(f"SELECT COUNT(*) AS n FROM {time_travel_source(table)}", {"before_at": datetime.now(UTC)})


def test_the_diff_reads_the_emulators_time_travel(
    first: dict[str, Any], target: Any, pipeline: Pipeline
) -> None:
    """The emulator keeps a table's history and travels to a literal time: the diff query, with the table
    ``FOR SYSTEM_TIME AS OF`` that time as its before, finds exactly what changed since. (The harness binds
    the time as ``@before_at``, which only BigQuery itself takes.)"""
    games = pipeline.tables["player_game_summary"]
    table = Table("changes_time_travel", games.dataset, games.date_column, games.grain)
    span = parse_window(WINDOW, pipeline.seasons, pipeline.bootstrap_days, date(2030, 1, 1))
    with target.warehouse().connect() as conn:
        # Created empty, then filled: the emulator captures a table's states at its DML.
        conn.execute(f"CREATE TABLE {table.ref} AS SELECT * FROM {games.ref} WHERE FALSE")
        conn.execute(f"INSERT INTO {table.ref} SELECT * FROM {games.ref}")
        columns = compared_columns(table, conn.table_columns([table.dataset])[table.ref], ())
        time.sleep(1)  # the emulator's clock: the change must come strictly after the time travelled to
        before_at = conn.query("SELECT CURRENT_TIMESTAMP() AS now").iloc[0, 0].to_pydatetime()
        time.sleep(1)
        conn.execute(
            f"UPDATE {table.ref} SET points = points + 1 WHERE game_date = @day AND player_lookup = "
            f"(SELECT MIN(player_lookup) FROM {table.ref} WHERE game_date = @day AND points IS NOT NULL)",
            {"day": date(2021, 10, 21)},
        )
        literal = f"{table.ref} FOR SYSTEM_TIME AS OF TIMESTAMP '{before_at:%Y-%m-%d %H:%M:%S.%f}+00'"
        days = read_diff(conn, table, Before(table.name, literal, "time travel", columns, {}), span)
    assert list(days) == ["2021-10-21"]
    assert (days["2021-10-21"].changed, days["2021-10-21"].columns) == (1, {"points": 1})
