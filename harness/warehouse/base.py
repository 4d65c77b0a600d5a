"""The warehouse protocol: what the harness asks of DuckDB and of BigQuery alike.

SQL is always BigQuery Standard SQL with named ``@parameters``; a backend translates it if it must. Every
value reaches SQL as a parameter; table references come only from the validated declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

Params = Mapping[str, Any]


@dataclass(frozen=True)
class DryRun:
    """What a dry run reports: the bytes the statements would process and the tables they reference
    (on-demand pricing bills at least 10 MB per referenced table)."""

    bytes_processed: int
    referenced_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rows:
    """A query's rows as plain Python values (DATE as ``datetime.date``, INT64 as ``int``), for code that
    starts once per processor and should not pay pandas' import (0.2-0.4 s): the reference jobs."""

    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        index = self.columns.index(name)
        return [row[index] for row in self.values]

    def records(self) -> list[SimpleNamespace]:
        """The rows as objects with one attribute per column."""
        return [SimpleNamespace(**dict(zip(self.columns, row, strict=True))) for row in self.values]


class Connection(Protocol):
    """One unit of work on the warehouse; cheap calls, expensive to open (open once per batch)."""

    partition_metadata: bool
    """As ``Warehouse.partition_metadata``, for code that holds only a connection."""

    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        """Run a query and return its rows."""
        ...

    def rows(self, sql: str, params: Params | None = None) -> Rows:
        """Run a query and return its rows without pandas."""
        ...

    def execute(self, sql: str, params: Params | None = None) -> int:
        """Run DDL or DML, one or more ``;``-separated statements; returns the rows the last one changed."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Everything inside commits together or not at all."""
        ...

    def script(self, sql: str, params: Params | None = None) -> None:
        """Run the ``;``-separated statements as one transaction sent at once: on BigQuery one
        multi-statement job, which BigQuery rolls back whole when a statement fails, so a process killed
        half-way leaves no open transaction holding a table (as separate BEGIN ... COMMIT jobs would)."""
        ...

    def insert_frame(self, table_ref: str, frame: pd.DataFrame) -> int:
        """Append ``frame`` to ``dataset.table`` matching columns by name; returns rows written."""
        ...

    def table_columns(self, datasets: list[str]) -> dict[str, list[str]]:
        """``{"dataset.table": [columns]}`` for every table of the given datasets."""
        ...

    def dry_run(self, sql: str, params: Params | None = None) -> DryRun | None:
        """What the statements would process, without running them; None where the backend cannot say."""
        ...


class Warehouse(Protocol):
    """A backend: where the data lives and how to open a connection to it."""

    kind: str
    """Short backend name shown in the report (``duckdb``, ``bigquery``)."""

    address: str
    """The warehouse file or the project, for the report header."""

    embedded: bool
    """A local file that the harness may seed and that one harness run at a time may use (DuckDB); a
    shared cloud project is neither seeded nor locked (BigQuery)."""

    location: str | None
    """Where the jobs run (a BigQuery location such as ``US``); None for the embedded file. Processors get
    it as ``{location}``."""

    partition_metadata: bool
    """Whether ``dataset.INFORMATION_SCHEMA.PARTITIONS`` answers, so coverage can count rows per day
    partition without scanning (BigQuery) instead of counting the date column (DuckDB)."""

    def connect(self) -> AbstractContextManager[Connection]:
        """One unit of work; expensive to open, so open once per batch."""
        ...

    def exists(self) -> bool:
        """Whether there is anything to read yet (a plan must not create the embedded file)."""
        ...

    def check_datasets(self, names: Iterable[str]) -> None:
        """Raise a one-line WarehouseError when the credentials, the project or a dataset is missing."""
        ...

    def day_partitioning_problems(self, claims: Mapping[str, str]) -> dict[str, str]:
        """``{dataset.table: why}`` for each of ``claims`` (``{dataset.table: date column}``) that is not
        partitioned by DAY on that column, so its partition metadata would not count rows per date."""
        ...


def to_date(value: object) -> date:
    """A DATE cell as ``datetime.date``: pandas hands DATE columns back as Timestamps, which are
    datetimes, which never compare equal to plain dates."""
    if isinstance(value, datetime):
        return value.date()
    assert isinstance(value, date), value
    return value
