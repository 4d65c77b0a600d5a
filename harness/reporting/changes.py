"""The values of the report's "What changed" panel (``templates/changes.html.j2``): the output tables
before the run beside after it, a table x date grid of rows added, removed and changed, what touched dates
outside the window, and a few sample rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from harness.checking.changes import TableChanges
from harness.reporting.signoff import SignOff

SAMPLES_SHOWN = 5
"""Sample rows shown per table (summary.json keeps every sample the diff returned)."""


@dataclass(frozen=True)
class ChangeCell:
    """One table on one date: the kind of change (its colour), the counts shown and the columns on hover."""

    day: date
    kind: str
    """``same``, ``added``, ``removed`` or ``changed`` (the strongest of them on that date)."""
    text: str
    title: str


def changes(signoff: SignOff) -> dict[str, Any]:
    """The panel's values: the pre-test state beside after, the grid, outside-the-window findings and
    samples of changed rows."""
    days = list(signoff.run.window.dates())
    return {
        "problem": signoff.pre_test_state.get("problem"),
        "rewritten": ", ".join(signoff.run.pipeline.rewritten_columns) or "none",
        "before_after": _before_after(signoff),
        "days": days,
        "rows": [
            {
                "table": c.table,
                "label": f"{c.table} ({c.method}, {c.seconds:.2f} s)",
                "cells": [_cell(c, day) for day in days],
            }
            for c in signoff.changes
        ],
        "outside": [(c.table, ", ".join(c.outside)) for c in signoff.changes if c.outside],
        "samples": [(c.table, rows) for c in signoff.changes if (rows := _samples(c))],
    }


def _before_after(signoff: SignOff) -> list[tuple[str, str, str]]:
    """Per output table: dates with rows and rows in the window, before the run and after it."""
    found = []
    for name, days in signoff.pre_test_state.get("tables", {}).items():
        after = {d: c.rows for d, c in signoff.coverage.get(name, {}).items() if c.rows}
        after_text = (
            f"{len(after)} dates, {sum(after.values())} rows" if name in signoff.coverage else "not checked"
        )
        found.append((name, f"{len(days)} dates, {sum(days.values())} rows", after_text))
    return found


def _cell(changes: TableChanges, day: date) -> ChangeCell:
    found = changes.days.get(day.isoformat())
    if found is None:
        return ChangeCell(day, "same", "0", "unchanged")
    kind = "changed" if found.changed else ("added" if found.added else "removed")
    columns = ", ".join(f"{c} {n}" for c, n in sorted(found.columns.items())) or kind
    text = " ".join(
        f"{sign}{n}" for sign, n in (("+", found.added), ("\u2212", found.removed), ("~", found.changed)) if n
    )
    return ChangeCell(day, kind, text, f"{changes.table} {day}: {columns}")


def _samples(changes: TableChanges) -> list[tuple[str, str, str, str, str]]:
    """``(date, key, column, before, after)`` of the first changed rows."""
    samples = [
        (day, s) for day, d in sorted(changes.days.items()) for s in d.samples if s["kind"] == "changed"
    ]
    return [
        (day, str(s["key"]), column, str(old), str(new))
        for day, s in samples[:SAMPLES_SHOWN]
        for column, (old, new) in s["values"].items()
    ]
