"""The diff of what a backfill changed, on a real embedded warehouse: rows added, removed and changed per
date on the grain, per-column counts and samples, rewritten columns left out, arrays and structs compared,
dates outside the window fingerprinted; and the BigQuery time-travel SQL, which no emulator runs, parsed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlglot

from harness.checking.changes import (
    Before,
    DayChanges,
    TableChanges,
    change_problems,
    compared_columns,
    copy_sql,
    diff_sql,
    read_diff,
    read_fingerprints,
    snapshot_name,
    time_travel_source,
    touched_outside,
)
from harness.declaration.model import Table
from harness.declaration.window import Window
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute

TABLE = Table("scores", "nba_analytics", "game_date", ("player_lookup",))
WINDOW = Window(date(2021, 10, 19), date(2021, 10, 21), (), 14)
REWRITTEN = ("processed_at",)
ROWS = """
INSERT INTO nba_analytics.scores VALUES
  (DATE '2021-10-19', 'ann', 10, ['a'], STRUCT(1 AS n), TIMESTAMP '2021-10-20 00:00:00'),
  (DATE '2021-10-19', 'bob', 20, ['b'], STRUCT(2 AS n), TIMESTAMP '2021-10-20 00:00:00'),
  (DATE '2021-10-20', 'ann', 11, ['a'], STRUCT(1 AS n), TIMESTAMP '2021-10-21 00:00:00'),
  (DATE '2021-10-20', 'cid', NULL, [], STRUCT(3 AS n), TIMESTAMP '2021-10-21 00:00:00'),
  (DATE '2021-10-21', 'ann', 12, ['a'], STRUCT(1 AS n), TIMESTAMP '2021-10-22 00:00:00'),
  (DATE '2021-09-01', 'old', 5, ['z'], STRUCT(9 AS n), TIMESTAMP '2021-09-02 00:00:00')
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(tmp_path / "wh.duckdb", lock_timeout=60)
    execute(
        wh,
        "CREATE SCHEMA nba_analytics; CREATE TABLE nba_analytics.scores (game_date DATE, player_lookup STRING, "
        "points INT64, tags ARRAY<STRING>, detail STRUCT<n INT64>, processed_at TIMESTAMP); " + ROWS,
    )
    return wh


def _before(warehouse: DuckDBWarehouse) -> Before:
    """A copy of the window, as ``take_before`` makes on the embedded warehouse."""
    copy = snapshot_name(TABLE, "20261208T001500Z-abc123")
    with warehouse.connect() as conn:
        columns = compared_columns(TABLE, conn.table_columns(["nba_analytics"])[TABLE.ref], REWRITTEN)
        outside = read_fingerprints(conn, TABLE, columns, WINDOW)
        conn.execute(copy_sql(TABLE, copy), {"start": WINDOW.start, "end": WINDOW.end})
    return Before(TABLE.name, copy, "copy", columns, outside, copy)


def _diff(warehouse: DuckDBWarehouse, before: Before) -> tuple[dict[str, DayChanges], list[str]]:
    with warehouse.connect() as conn:
        days = read_diff(conn, TABLE, before, WINDOW)
        after = read_fingerprints(conn, TABLE, before.columns, WINDOW)
    return days, touched_outside(before.outside, after)


def test_the_snapshot_sits_beside_its_table_with_a_plain_name() -> None:
    assert snapshot_name(TABLE, "20261208T001500Z-abc123") == (
        "nba_analytics.scores__harness_snapshot_20261208t001500z_abc123"
    )
    assert compared_columns(TABLE, ["game_date", "player_lookup", "points", "processed_at"], REWRITTEN) == (
        "points",
    )


def test_nothing_changed_when_only_rewritten_columns_change(warehouse: DuckDBWarehouse) -> None:
    before = _before(warehouse)
    execute(warehouse, "UPDATE nba_analytics.scores SET processed_at = CURRENT_TIMESTAMP() WHERE TRUE")
    # A rewrite in another row order (delete and insert again) is no change either.
    execute(warehouse, f"DELETE FROM nba_analytics.scores WHERE TRUE; {ROWS}")
    assert _diff(warehouse, before) == ({}, [])


def test_added_removed_and_changed_rows_per_date_with_columns_and_samples(warehouse: DuckDBWarehouse) -> None:
    before = _before(warehouse)
    execute(
        warehouse,
        "UPDATE nba_analytics.scores SET points = 13, tags = ['a', 'x'] "
        "WHERE game_date = '2021-10-20' AND player_lookup = 'ann'; "
        "UPDATE nba_analytics.scores SET points = 1 WHERE game_date = '2021-10-20' AND player_lookup = 'cid'; "
        "UPDATE nba_analytics.scores SET detail = STRUCT(7 AS n) WHERE player_lookup = 'bob'; "
        "DELETE FROM nba_analytics.scores WHERE game_date = '2021-10-21'; "
        "INSERT INTO nba_analytics.scores VALUES (DATE '2021-10-21', 'dan', 3, ['d'], STRUCT(4 AS n), NULL)",
    )
    days, outside = _diff(warehouse, before)
    assert outside == []
    assert sorted(days) == ["2021-10-19", "2021-10-20", "2021-10-21"]
    assert (days["2021-10-19"].changed, days["2021-10-19"].columns) == (1, {"detail": 1})
    changed = days["2021-10-20"]
    assert (changed.added, changed.removed, changed.changed) == (0, 0, 2)
    assert changed.columns == {"points": 2, "tags": 1}
    assert changed.samples == [
        {"kind": "changed", "key": "ann", "values": {"points": ["11", "13"], "tags": ['["a"]', '["a","x"]']}},
        {"kind": "changed", "key": "cid", "values": {"points": ["null", "1"]}},
    ]
    replaced = days["2021-10-21"]
    assert (replaced.added, replaced.removed, replaced.changed) == (1, 1, 0)
    assert [(s["kind"], s["key"]) for s in replaced.samples] == [("added", "dan"), ("removed", "ann")]


def test_a_date_outside_the_window_is_caught_and_fails(warehouse: DuckDBWarehouse) -> None:
    before = _before(warehouse)
    execute(
        warehouse,
        "UPDATE nba_analytics.scores SET points = 6 WHERE game_date = '2021-09-01'; "
        "INSERT INTO nba_analytics.scores VALUES (DATE '2021-10-25', 'eve', 1, [], STRUCT(1 AS n), NULL)",
    )
    days, outside = _diff(warehouse, before)
    assert days == {} and outside == ["2021-09-01", "2021-10-25"]
    (problem,) = change_problems(TableChanges("scores", "copy", days, outside), expect_no_changes=True)
    assert problem.startswith("scores: rows changed outside the window on 2021-09-01, 2021-10-25")


def test_expect_no_changes_turns_a_change_into_a_problem() -> None:
    changes = TableChanges("scores", "copy", {"2021-10-20": DayChanges(changed=1, columns={"points": 1})})
    assert change_problems(changes, expect_no_changes=False) == []
    (problem,) = change_problems(changes, expect_no_changes=True)
    assert problem.startswith(
        "--expect-no-changes: scores: +0 -0 ~1 rows on 1 date (points 1), on 2021-10-20"
    )
    assert TableChanges.from_record(changes.to_record()) == changes


def test_the_time_travel_diff_parses_as_bigquery() -> None:
    """No emulator runs ``FOR SYSTEM_TIME AS OF @param``: the SQL BigQuery gets is parsed here instead."""
    sql = diff_sql(TABLE, ("points", "tags"), time_travel_source(TABLE))
    tree = sqlglot.parse_one(sql, read="bigquery")
    travelled = [t for t in tree.find_all(sqlglot.exp.Table) if t.args.get("version")]
    assert len(travelled) == 1 and travelled[0].name == "scores"
    assert "FOR SYSTEM_TIME AS OF @before_at" in travelled[0].sql(dialect="bigquery")
    assert {p.name for p in tree.find_all(sqlglot.exp.Parameter)} >= {"start", "end", "samples", "before_at"}
