"""The embedded warehouse: BigQuery SQL with parameters, transactions, and the inter-process lock."""

from __future__ import annotations

import multiprocessing
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from harness.errors import WarehouseBusyError, WarehouseError
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(tmp_path / "wh.duckdb", lock_timeout=60)
    execute(
        wh,
        "CREATE SCHEMA IF NOT EXISTS nba_raw; "
        "CREATE TABLE nba_raw.t (game_date DATE NOT NULL, team STRING, points INT64) PARTITION BY game_date",
    )
    return wh


def test_bigquery_sql_and_parameters(warehouse: DuckDBWarehouse) -> None:
    with warehouse.connect() as conn:
        frame = pd.DataFrame(
            {"points": [100, 90], "team": ["BOS", "NYK"], "game_date": [date(2021, 10, 19)] * 2}
        )
        assert conn.insert_frame("nba_raw.t", frame) == 2
        # An injection attempt stays a value: it matches no team instead of running.
        out = conn.query(
            "SELECT team, SUM(points) AS pts FROM `proj.nba_raw.t` WHERE game_date = @d AND team != @evil GROUP BY team ORDER BY team",
            {"d": date(2021, 10, 19), "evil": "x'; DROP TABLE nba_raw.t; --"},
        )
    assert out.to_dict("records") == [{"team": "BOS", "pts": 100}, {"team": "NYK", "pts": 90}]


def test_rows_are_plain_python_values_like_bigquerys(warehouse: DuckDBWarehouse) -> None:
    with warehouse.connect() as conn:
        conn.execute(
            "INSERT INTO nba_raw.t VALUES (DATE '2021-10-19', 'BOS', 100), (DATE '2021-10-19', 'NYK', 90)"
        )
        rows = conn.rows(
            "SELECT game_date, team, SUM(points) AS pts FROM nba_raw.t WHERE game_date = @d GROUP BY 1, 2 "
            "ORDER BY team",
            {"d": date(2021, 10, 19)},
        )
        empty = conn.rows("SELECT * FROM nba_raw.t LIMIT 0")
    assert rows.columns == ("game_date", "team", "pts")
    assert rows.values == [(date(2021, 10, 19), "BOS", 100), (date(2021, 10, 19), "NYK", 90)]
    assert [type(v) for v in rows.values[0]] == [date, str, int]  # a SUM is HUGEINT in DuckDB: still an int
    assert rows.column("team") == ["BOS", "NYK"]
    assert [(r.team, r.pts) for r in rows.records()] == [("BOS", 100), ("NYK", 90)]
    assert (empty.columns, empty.values) == (("game_date", "team", "points"), [])


def test_missing_parameter_is_named(warehouse: DuckDBWarehouse) -> None:
    with pytest.raises(WarehouseError, match="@d has no value"):
        query(warehouse, "SELECT * FROM nba_raw.t WHERE game_date = @d")


def test_failed_transaction_leaves_old_rows(warehouse: DuckDBWarehouse) -> None:
    execute(warehouse, "INSERT INTO nba_raw.t VALUES (DATE '2021-10-19', 'BOS', 1)")
    with warehouse.connect() as conn, pytest.raises(WarehouseError), conn.transaction():
        conn.execute("DELETE FROM nba_raw.t WHERE game_date = @d", {"d": date(2021, 10, 19)})
        conn.execute("INSERT INTO nba_raw.t VALUES (NULL, 'BOS', 2)")  # NOT NULL violation
    assert query(warehouse, "SELECT points FROM nba_raw.t")["points"].tolist() == [1]


def _writer(path: str, worker: int, count: int) -> None:
    wh = DuckDBWarehouse(path, lock_timeout=120)
    for i in range(count):
        with wh.connect() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO nba_raw.t VALUES (@d, @team, @points)",
                {"d": date(2021, 10, 19), "team": f"W{worker}", "points": i},
            )


def test_two_processes_write_at_once(warehouse: DuckDBWarehouse) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(warehouse.path), w, 25)) for w in (1, 2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    counts = query(warehouse, "SELECT team, COUNT(*) AS n FROM nba_raw.t GROUP BY team ORDER BY team")
    assert counts.to_dict("records") == [{"team": "W1", "n": 25}, {"team": "W2", "n": 25}]


def _hold(path: str, ready, release) -> None:
    with DuckDBWarehouse(path).connect():
        ready.set()
        release.wait(60)


def test_busy_warehouse_names_the_holder(warehouse: DuckDBWarehouse) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(warehouse.path), ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        impatient = DuckDBWarehouse(warehouse.path, lock_timeout=0.5)
        with pytest.raises(WarehouseBusyError, match=rf"busy: held by pid {holder.pid}"), impatient.connect():
            pass
    finally:
        release.set()
        holder.join(60)
