"""Value reconciliation: declared columns that must equal their source for the same date and key.

Each ``Reconciliation`` of a table yields ``value`` per ``day`` and grain key from its source (the
gamebook's points, the opponent's points scored). ``read_mismatches`` joins every check of a phase with
its table in one query and returns, per check and date, how many keys were compared and differ, with
the first few differing keys and both values. Keys only one side has are the entity check's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from harness.declaration.model import Pipeline, Reconciliation, Table
from harness.declaration.templates import render
from harness.warehouse.base import Connection, to_date

SAMPLE = 5
"""Differing keys named per check and date; the rest are counted."""


@dataclass(frozen=True)
class Mismatch:
    """One key whose column differs from its source."""

    key: str
    actual: str | None
    expected: str | None


@dataclass(frozen=True)
class CheckDay:
    """One reconciliation on one date: keys compared, keys that differ, and the first of those."""

    table: str
    check: Reconciliation
    day: date
    compared: int
    differing: int
    first: tuple[Mismatch, ...]


def checks_of(tables: Sequence[Table]) -> list[tuple[Table, Reconciliation]]:
    """Every reconciliation of ``tables``, in declaration order."""
    return [(t, check) for t in tables for check in t.reconcile]


def mismatches_query(pipeline: Pipeline, tables: Sequence[Table]) -> str:
    """One query for every check of ``tables``: per check and date the compared and differing counts on
    every row, and up to ``SAMPLE`` differing keys with both values (a date without differences still
    gives one row, with no key, so that its count of compared keys is known)."""
    ctes, selects = [], []
    for i, (table, check) in enumerate(checks_of(tables)):
        on = " AND ".join(["s.day = a.day", *(f"s.{c} = a.{c}" for c in table.grain)])
        parts = [f"CAST(a.{c} AS STRING)" for c in table.grain]
        key = parts[0] if len(parts) == 1 else "CONCAT(" + ", '/', ".join(parts) + ")"
        ctes += [
            f"source_{i} AS (\n{render(check.sql, pipeline.tables, pipeline.sql).strip()}\n)",
            f"pairs_{i} AS (SELECT a.day, {key} AS entity, CAST(a.{check.column} AS STRING) AS actual, "
            f"CAST(s.value AS STRING) AS expected, a.{check.column} IS DISTINCT FROM s.value AS differs "
            f"FROM (SELECT {table.date_column} AS day, {', '.join(table.grain)}, {check.column} FROM {table.ref} "
            f"WHERE {table.window_filter()}) AS a JOIN source_{i} AS s ON {on})",
            f"ranked_{i} AS (SELECT *, COUNT(*) OVER (PARTITION BY day) AS compared, "
            "SUM(IF(differs, 1, 0)) OVER (PARTITION BY day) AS differing, "
            f"ROW_NUMBER() OVER (PARTITION BY day ORDER BY differs DESC, entity) AS n FROM pairs_{i})",
        ]
        selects.append(
            f"SELECT {i} AS check_index, day, compared, differing, IF(differs, entity, NULL) AS entity, actual, "
            f"expected FROM ranked_{i} WHERE n <= {SAMPLE} AND (differs OR n = 1)"
        )
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects)


def read_mismatches(
    conn: Connection, pipeline: Pipeline, tables: Sequence[Table], start: date, end: date
) -> list[CheckDay]:
    """Every check of ``tables`` per date between ``start`` and ``end`` (one query), in check order."""
    checks = checks_of(tables)
    if not checks:
        return []
    frame = conn.query(mismatches_query(pipeline, tables), {"start": start, "end": end})
    found: dict[tuple[int, date], tuple[int, int, list[Mismatch]]] = {}
    for row in frame.itertuples(index=False):
        key = (int(row.check_index), to_date(row.day))
        _, _, first = found.setdefault(key, (int(row.compared), int(row.differing), []))
        if row.entity is not None and row.entity == row.entity:  # not NULL (pandas may read it as NaN)
            first.append(Mismatch(str(row.entity), _text(row.actual), _text(row.expected)))
    return [
        CheckDay(
            checks[i][0].name,
            checks[i][1],
            day,
            compared,
            differing,
            tuple(sorted(first, key=lambda m: m.key)),
        )
        for (i, day), (compared, differing, first) in sorted(found.items(), key=lambda item: item[0])
    ]


def _text(value: object) -> str | None:
    return None if value is None or value != value else str(value)
