"""Rows per table and date for a window: one query for all tables of a phase, never one per date.

Two ways to count, chosen per table and backend, in the same query:

- a scan that reads only the table's date column inside the window (partitions outside it are pruned);
- on BigQuery, for a table declared ``partition_coverage = true`` (partitioned by day on its date column),
  the partition metadata ``dataset.INFORMATION_SCHEMA.PARTITIONS``: row counts without scanning the table.
  Rows still in the streaming buffer are not in a dated partition yet, so they are not counted.

The embedded warehouse has no partition metadata, so there every table is scanned; the counts are the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from harness.declaration.model import Table
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date

DateToRows = dict[date, int]
SCAN = "date column scan"
METADATA = "partition metadata"


def coverage_sql(tables: Sequence[Table]) -> str:
    """UNION ALL of ``(table, day, rows)``; reads only each table's date column inside the window."""
    return "\nUNION ALL\n".join(
        f"SELECT '{t.name}' AS table_name, {t.date_column} AS day, COUNT(*) AS row_count FROM {t.ref} "
        f"WHERE {t.window_filter()} GROUP BY 2"
        for t in tables
    )


def partitions_sql(tables: Sequence[Table]) -> tuple[str, dict[str, list[str]]]:
    """The same rows from partition metadata, one SELECT per dataset, and the table names it binds.

    A day partition's id is ``YYYYMMDD``, so the window is a range of ids (``@first_partition``,
    ``@last_partition``), which also leaves out ``__NULL__`` and ``__UNPARTITIONED__``."""
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for table in tables:
        by_dataset[table.dataset].append(table.name)
    parts = [
        "SELECT table_name, PARSE_DATE('%Y%m%d', partition_id) AS day, total_rows AS row_count "
        f"FROM {dataset}.INFORMATION_SCHEMA.PARTITIONS WHERE table_name IN UNNEST(@tables_{dataset}) "
        "AND partition_id BETWEEN @first_partition AND @last_partition AND total_rows > 0"
        for dataset in by_dataset
    ]
    return "\nUNION ALL\n".join(parts), {f"tables_{d}": names for d, names in by_dataset.items()}


def coverage_method(table: Table, metadata: bool) -> str:
    """How ``table`` is counted on a backend with (``metadata``) or without partition metadata."""
    return METADATA if metadata and table.partition_coverage else SCAN


def coverage_query(tables: Sequence[Table], window: Window, metadata: bool) -> tuple[str, dict[str, Any]]:
    """The phase's one query and its parameters; ``metadata`` when the backend has partition metadata."""
    by_metadata = [t for t in tables if coverage_method(t, metadata) == METADATA]
    scanned = [t for t in tables if t not in by_metadata]
    parts: list[str] = [coverage_sql(scanned)] if scanned else []
    params: dict[str, Any] = {"start": window.start, "end": window.end}
    if by_metadata:
        sql, names = partitions_sql(by_metadata)
        parts.append(sql)
        params.update(names, first_partition=f"{window.start:%Y%m%d}", last_partition=f"{window.end:%Y%m%d}")
    return "\nUNION ALL\n".join(parts), params


def table_coverage(conn: Connection, tables: Sequence[Table], window: Window) -> dict[str, DateToRows]:
    """``{table: {date: rows}}`` for every table, empty dicts for tables without rows in the window."""
    result: dict[str, DateToRows] = {t.name: {} for t in tables}
    if not tables:
        return result
    frame = conn.query(*coverage_query(tables, window, conn.partition_metadata))
    counts: dict[str, DateToRows] = defaultdict(dict)
    for name, day, rows in frame.itertuples(index=False, name=None):
        counts[name][to_date(day)] = int(rows)
    result.update(counts)
    return result
