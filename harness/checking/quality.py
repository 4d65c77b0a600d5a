"""Grain, key, range and presence checks for every output table of a phase, in one query.

Each table is scanned once: rows are grouped by date and grain (so duplicates show up as groups of more
than one), per-date counts of every rule are summed from those groups, and an ``UNNEST`` of structs turns
the counts into long rows ``(table, check, column, day, bad_rows, checked_rows)`` that the expectation
suite validates. Values reach SQL as parameters; columns come from the validated declaration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness.declaration.model import Table
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date

if TYPE_CHECKING:
    import pandas as pd

DUPLICATE_GRAIN = "duplicate_grain"
NULL_KEY = "null_key"
OUT_OF_RANGE = "out_of_range"
PRESENT = "present"


def _table_sql(table: Table, index: int) -> tuple[str, dict[str, float]]:
    """One table's long rows, and the range bounds it binds (named per table and column)."""
    keys = ", ".join(table.grain)
    # (per-group count, per-date sum, struct of the long row); the date sums feed the structs.
    counts = [f"COUNTIF({c} IS NULL) AS null_{i}" for i, c in enumerate(table.grain)]
    sums = ["SUM(n) AS total_rows", "SUM(n - 1) AS duplicate_rows"]
    sums += [f"SUM(null_{i}) AS null_{i}" for i in range(len(table.grain))]
    rows = [
        f"STRUCT('{DUPLICATE_GRAIN}' AS check_name, '{keys}' AS column_name, duplicate_rows AS bad_rows, total_rows AS checked_rows)"
    ]
    rows += [f"STRUCT('{NULL_KEY}', '{c}', null_{i}, total_rows)" for i, c in enumerate(table.grain)]
    params: dict[str, float] = {}
    for i, (column, (low, high)) in enumerate(table.ranges.items()):
        params[f"low_{index}_{i}"], params[f"high_{index}_{i}"] = low, high
        counts.append(f"COUNTIF({column} < @low_{index}_{i} OR {column} > @high_{index}_{i}) AS range_{i}")
        sums.append(f"SUM(range_{i}) AS range_{i}")
        rows.append(f"STRUCT('{OUT_OF_RANGE}', '{column}', range_{i}, total_rows)")
    for i, (column, rule) in enumerate(table.present.items()):
        among = rule.among or "TRUE"
        counts.append(
            f"COUNTIF({among}) AS among_{i}, COUNTIF({among} AND {column} IS NOT NULL) AS filled_{i}"
        )
        sums.append(f"SUM(among_{i}) AS among_{i}, SUM(filled_{i}) AS filled_{i}")
        rows.append(f"STRUCT('{PRESENT}', '{column}', among_{i} - filled_{i}, among_{i})")
    sql = (
        f"SELECT '{table.name}' AS table_name, c.check_name, c.column_name, per_day.day, c.bad_rows, c.checked_rows\n"
        f"FROM (\n  SELECT day, {', '.join(sums)}\n  FROM (\n"
        f"    SELECT {table.date_column} AS day, COUNT(*) AS n, {', '.join(counts)}\n"
        f"    FROM {table.ref} WHERE {table.window_filter()}\n"
        f"    GROUP BY {table.date_column}, {keys}\n  ) AS per_group GROUP BY day\n) AS per_day\n"
        f"CROSS JOIN UNNEST([\n  {(',' + chr(10) + '  ').join(rows)}\n]) AS c"
    )
    return sql, params


def quality_sql(tables: Sequence[Table]) -> tuple[str, dict[str, float]]:
    """The phase's query (UNION ALL of every table's long rows) and its range parameters."""
    parts, params = [], {}
    for index, table in enumerate(tables):
        sql, bounds = _table_sql(table, index)
        parts.append(sql)
        params.update(bounds)
    return "\nUNION ALL\n".join(parts), params


def quality_frame(conn: Connection, tables: Sequence[Table], window: Window) -> pd.DataFrame:
    """Long rows for every table of ``tables`` and every date of the window that has rows, with the
    rule each check holds to (``rule``), the share of good rows and, for presence checks, its margin
    over the declared minimum (negative when short)."""
    sql, params = quality_sql(tables)
    frame = conn.query(sql, {"start": window.start, "end": window.end, **params})
    frame["day"] = [to_date(d) for d in frame["day"]]
    by_name = {t.name: t for t in tables}
    frame["rule"] = [
        _rule(by_name[t], check, column)
        for t, check, column in zip(frame.table_name, frame.check_name, frame.column_name, strict=True)
    ]
    frame["share"] = (1 - frame.bad_rows / frame.checked_rows.where(frame.checked_rows > 0)).fillna(1.0)
    min_share = [
        by_name[t].present[c].min_share if check == PRESENT else 0.0
        for t, check, c in zip(frame.table_name, frame.check_name, frame.column_name, strict=True)
    ]
    # GX has no column-pair comparison in 1.x: validate the margin (share minus the minimum) instead.
    frame["share_margin"] = frame["share"] - min_share
    return frame


def _rule(table: Table, check: str, column: str) -> str:
    if check == OUT_OF_RANGE:
        low, high = table.ranges[column]
        return f"[{low:g}, {high:g}]"
    if check == PRESENT:
        rule = table.present[column]
        return f"{rule.min_share:.0%} of {rule.among or 'all'} rows"
    return "unique" if check == DUPLICATE_GRAIN else "not null"
