"""Step 1: is the backfill infrastructure ready? The warehouse answers, the declared datasets, tables and
columns exist, the run-history table exists, and every processor's command resolves.

What Step 1 finds broken is known to every other check before it runs (``Preflight.broken``): a check
that needs a missing table is blocked with one line naming it, instead of failing with a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from harness.declaration.commands import render, unresolved
from harness.declaration.model import Pipeline
from harness.errors import HarnessError
from harness.warehouse.base import Connection


@dataclass(frozen=True)
class Check:
    """One Step 1 check and its problem, if any."""

    name: str
    problem: str | None

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.problem is None


@dataclass(frozen=True)
class Preflight:
    """Step 1's warehouse checks, and the tables they found missing or short of columns."""

    checks: tuple[Check, ...]
    broken: dict[str, str]
    """``{table name: problem}`` for every declared table that does not exist or lacks columns; every
    table when the warehouse does not answer."""

    def blocker(self, tables: Iterable[str]) -> str | None:
        """``by Step 1: table nba_raw.x does not exist`` for the first broken table among ``tables``."""
        for table in tables:
            if table in self.broken:
                return f"by Step 1: {self.broken[table]}"
        return None


def warehouse_checks(conn: Connection, pipeline: Pipeline) -> Preflight:
    """One check per declared table: it exists with every column the declaration names."""
    try:
        conn.query("SELECT 1 AS ok")
    except HarnessError as exc:
        everything = {name: f"the warehouse does not answer ({exc})" for name in pipeline.tables}
        return Preflight((Check("warehouse answers", str(exc)),), everything)
    present = conn.table_columns(sorted(set(pipeline.datasets.values())))
    datasets = {ref.split(".")[0] for ref in present}
    checks = [Check("warehouse answers", None)]
    for dataset in sorted(set(pipeline.datasets.values())):
        checks.append(Check(f"dataset {dataset}", None if dataset in datasets else "dataset does not exist"))
    broken = {}
    for table in pipeline.tables.values():
        columns = present.get(table.ref)
        problem: str | None
        if columns is None:
            problem = "table does not exist"
        else:
            lacking = [c for c in table.required_columns if c not in columns]
            problem = f"missing columns: {', '.join(lacking)}" if lacking else None
        role = " (run history)" if table.name == pipeline.run_history else ""
        checks.append(Check(f"table {table.ref}{role}", problem))
        if problem:
            broken[table.name] = f"table {table.ref}: {problem}"
    return Preflight(tuple(checks), broken)


def command_checks(pipeline: Pipeline, day: date, context: Mapping[str, str]) -> list[Check]:
    """Each processor's command resolves: its program and its script or module exist."""
    checks = []
    for processor in pipeline.processors.values():
        try:
            problem = unresolved(render(processor, [day], context))
        except HarnessError as exc:
            problem = str(exc)
        checks.append(Check(f"command of {processor.name}", problem))
    return checks
