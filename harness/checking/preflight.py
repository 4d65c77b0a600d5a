"""Step 1: is the backfill infrastructure ready? The warehouse answers, the declared datasets, tables and
columns exist, the run-history table exists, and every processor's command resolves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from harness.declaration.commands import render, unresolved
from harness.declaration.model import Pipeline
from harness.errors import HarnessError
from harness.warehouse.base import Connection


@dataclass(frozen=True)
class Check:
    name: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def warehouse_checks(conn: Connection, pipeline: Pipeline) -> list[Check]:
    """One check per declared table: it exists with every column the declaration names."""
    try:
        conn.query("SELECT 1 AS ok")
    except HarnessError as exc:
        return [Check("warehouse answers", str(exc))]
    present = conn.table_columns(sorted(set(pipeline.datasets.values())))
    datasets = {ref.split(".")[0] for ref in present}
    checks = [Check("warehouse answers", None)]
    for dataset in sorted(set(pipeline.datasets.values())):
        checks.append(Check(f"dataset {dataset}", None if dataset in datasets else "dataset does not exist"))
    for table in pipeline.tables.values():
        columns = present.get(table.ref)
        if columns is None:
            problem = "table does not exist"
        else:
            lacking = [c for c in table.required_columns if c not in columns]
            problem = f"missing columns: {', '.join(lacking)}" if lacking else None
        role = " (run history)" if table.name == pipeline.run_history else ""
        checks.append(Check(f"table {table.ref}{role}", problem))
    return checks


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
