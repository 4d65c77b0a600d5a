"""Rows per table and date for a window: one query for all tables of a phase, never one per date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from harness.pipeline import Table
from harness.warehouse.base import Connection, to_date
from harness.window import Window

DateToRows = dict[date, int]


def coverage_sql(tables: Sequence[Table]) -> str:
    """UNION ALL of ``(table, day, rows)``; reads only each table's date column inside the window."""
    return "\nUNION ALL\n".join(
        f"SELECT '{t.name}' AS table_name, {t.date_column} AS day, COUNT(*) AS row_count FROM {t.ref} "
        f"WHERE {t.date_column} BETWEEN @start AND @end GROUP BY 2"
        for t in tables
    )


def table_coverage(conn: Connection, tables: Sequence[Table], window: Window) -> dict[str, DateToRows]:
    """``{table: {date: rows}}`` for every table, empty dicts for tables without rows in the window."""
    result: dict[str, DateToRows] = {t.name: {} for t in tables}
    if not tables:
        return result
    frame = conn.query(coverage_sql(tables), {"start": window.start, "end": window.end})
    counts: dict[str, DateToRows] = defaultdict(dict)
    for name, day, rows in frame.itertuples(index=False, name=None):
        counts[name][to_date(day)] = int(rows)
    result.update(counts)
    return result
