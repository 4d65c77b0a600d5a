"""The embedded warehouse: one DuckDB file, datasets as schemas, every access under a file lock.

DuckDB lets one process at a time open a file read-write, and pytest-xdist workers and processor
commands are processes; so each unit of work takes an inter-process lock, opens the file, works and
closes (measured: without the lock 169 of 200 concurrent writers failed, with it none). Opening costs
about 55 ms, so callers hold one connection for a batch, never one per statement, and never keep one open
while waiting on something else: an open connection blocks every other process.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from filelock import FileLock, Timeout

from harness.errors import WarehouseBusyError, WarehouseError
from harness.warehouse.base import DryRun, Params, Rows
from harness.warehouse.duckdb_sql import TranspileError, to_duckdb

if TYPE_CHECKING:
    import pandas as pd

# filelock waiters poll, so the lock is unfair; one waiter was measured at 7 s behind busy writers.
DEFAULT_LOCK_TIMEOUT = 300.0


class DuckDBConnection:
    """A connection that speaks BigQuery SQL: statements are transpiled, parameters bound by name."""

    partition_metadata = False

    def __init__(self, con: duckdb.DuckDBPyConnection, warehouse: DuckDBWarehouse) -> None:
        self._con = con
        self._warehouse = warehouse

    def _run(self, sql: str, params: Params | None) -> duckdb.DuckDBPyConnection:
        try:
            statements = to_duckdb(sql)
        except TranspileError as exc:
            raise WarehouseError(str(exc)) from None
        self._warehouse.log_sql(sql)
        params = params or {}
        result = self._con
        for statement in statements:
            missing = [name for name in statement.params if name not in params]
            if missing:
                raise WarehouseError(f"query parameter @{missing[0]} has no value; pass it in params")
            self._warehouse.count_statement()
            try:
                result = self._con.execute(statement.sql, {name: params[name] for name in statement.params})
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0]
                raise WarehouseError(f"{type(exc).__name__}: {first}") from exc
        return result

    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        """Run the statements; the last one's rows, HUGEINT sums as Int64 (BigQuery's INT64)."""
        result = self._run(sql, params)
        huge = [col[0] for col in result.description or () if str(col[1]).upper() == "HUGEINT"]
        frame = result.df()
        # SUM over INT64 is HUGEINT in DuckDB and arrives as float64; BigQuery returns INT64.
        for name in huge:
            frame[name] = frame[name].astype("Int64")
        return frame

    def rows(self, sql: str, params: Params | None = None) -> Rows:
        """Run the statements; the last one's rows as Python values (HUGEINT sums are plain ints)."""
        result = self._run(sql, params)
        return Rows(tuple(col[0] for col in result.description or ()), result.fetchall())

    def execute(self, sql: str, params: Params | None = None) -> int:
        """Run the statements; the rows the last one changed."""
        result = self._run(sql, params)
        # DuckDB answers DML (and DDL) with one row holding the count of rows changed.
        if [col[0] for col in result.description or ()] != ["Count"]:
            return 0
        row = result.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN/COMMIT on the connection; ROLLBACK when the block raises."""
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def script(self, sql: str, params: Params | None = None) -> None:
        """The statements in one transaction (DuckDB has no multi-statement job to send)."""
        with self.transaction():
            self._run(sql, params)

    def insert_frame(self, table_ref: str, frame: pd.DataFrame) -> int:
        """Append ``frame`` matching columns by name; rows written."""
        # BY NAME: a plain SELECT * would match columns by position.
        self._con.register("_harness_frame", frame)
        try:
            self._warehouse.count_statement()
            self._con.execute(f"INSERT INTO {table_ref} BY NAME SELECT * FROM _harness_frame")
        except duckdb.Error as exc:
            raise WarehouseError(f"insert into {table_ref}: {str(exc).splitlines()[0]}") from exc
        finally:
            self._con.unregister("_harness_frame")
        return len(frame)

    def table_columns(self, datasets: list[str]) -> dict[str, list[str]]:
        """Every table's columns per schema (dataset), in column order."""
        frame = self._con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema IN (SELECT UNNEST($datasets)) ORDER BY table_schema, table_name, ordinal_position",
            {"datasets": list(datasets)},
        ).fetchall()
        columns: dict[str, list[str]] = {}
        for schema, table, column in frame:
            columns.setdefault(f"{schema}.{table}", []).append(column)
        return columns

    def dry_run(self, sql: str, params: Params | None = None) -> DryRun | None:
        """DuckDB has no dry run and bills nothing."""
        return None


class DuckDBWarehouse:
    """A DuckDB file shared by processes; ``connect()`` is the only way in."""

    kind = "duckdb"
    embedded = True
    partition_metadata = False
    location: str | None = None

    def __init__(self, path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.path = Path(path).resolve()
        self.address = str(self.path)
        self.lock_timeout = lock_timeout
        self.statements_run = 0
        self._query_log = os.environ.get("HARNESS_QUERY_LOG")
        self._lock = FileLock(f"{self.path}.lock")
        self._holder = Path(f"{self.path}.holder")

    def count_statement(self) -> None:
        """Count a statement sent to DuckDB; with ``HARNESS_QUERY_LOG`` set, also append who sent it (the
        running test, and the processor when a processor's command sent it) for the benchmarks."""
        self.statements_run += 1
        if self._query_log:
            test = os.environ.get("PYTEST_CURRENT_TEST", "session").split(" (")[0]
            processor = os.environ.get("HARNESS_PROCESSOR", "-")
            with open(self._query_log, "a", encoding="utf-8") as log:
                log.write(f"{test}\t{processor}\n")

    def log_sql(self, sql: str) -> None:
        """With ``HARNESS_SQL_LOG`` set, append the BigQuery SQL about to run and who sent it (a processor's
        name, or ``-`` for the harness) as a JSON line: the tests read every statement a run sends from it
        (partition filters, the plan's completeness)."""
        target = os.environ.get("HARNESS_SQL_LOG")
        if target:
            line = {"processor": os.environ.get("HARNESS_PROCESSOR", "-"), "sql": sql}
            with open(target, "a", encoding="utf-8") as log:
                log.write(json.dumps(line) + "\n")

    @contextmanager
    def connect(self) -> Iterator[DuckDBConnection]:
        """Take the file lock, open the file, yield a connection; close and release however the block ends."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=self.lock_timeout)
        except Timeout:
            holder = self._holder.read_text().strip() if self._holder.exists() else "unknown"
            raise WarehouseBusyError(
                f"warehouse {self.path} is busy: held by {holder} for over {self.lock_timeout:.0f} s; "
                "wait for that run to finish or stop it"
            ) from None
        try:
            self._holder.write_text(f"pid {os.getpid()} ({' '.join(sys.argv[:3])})")
            con = duckdb.connect(str(self.path))
            try:
                con.execute("SET TimeZone='UTC'")
                yield DuckDBConnection(con, self)
            finally:
                con.close()
        finally:
            self._lock.release()

    def exists(self) -> bool:
        """Whether the file exists (a plan must not create it)."""
        return self.path.exists()

    def check_datasets(self, names: Iterable[str]) -> None:
        """Nothing to check up front: Step 1 reports missing schemas and tables."""

    def day_partitioning_problems(self, claims: Mapping[str, str]) -> dict[str, str]:
        """DuckDB has no partitions, and coverage never reads partition metadata here."""
        return {}
