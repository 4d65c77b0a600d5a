"""Step 1: is the backfill infrastructure ready? The warehouse answers, the declared datasets, tables and
columns exist, the run-history table exists, and every processor's command resolves.

What Step 1 finds broken is known to every other check before it runs (``Preflight.broken``): a check
that needs a missing table is blocked with one line naming it, instead of failing with a traceback. A
phase's ``requires_rows`` tables (the schedule view the Phase 3 scripts' early exit reads) are checked
against the window's game dates in one query; a gap blocks the phase's processors before they run for
hours to find out (``Preflight.phase_gaps``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from harness.checking.expected import describe_days
from harness.declaration.commands import render, unresolved
from harness.declaration.model import Pipeline, Table
from harness.declaration.window import Window
from harness.errors import HarnessError
from harness.warehouse.base import Connection, to_date


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
    phase_gaps: dict[int, str] = field(default_factory=dict)
    """``{phase: why its processors must not run}`` when a table it requires misses game dates."""

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


def required_rows_sql(tables: Sequence[Table]) -> str:
    """``(table_name, day)`` of each date in the window on which each of ``tables`` has a row."""
    return "\nUNION ALL\n".join(
        f"SELECT '{t.name}' AS table_name, {t.date_column} AS day FROM {t.ref} "
        f"WHERE {t.window_filter()} GROUP BY 2"
        for t in tables
    )


def required_rows(
    conn: Connection, pipeline: Pipeline, window: Window, game_dates: Sequence[date], preflight: Preflight
) -> Preflight:
    """``preflight`` with a check per phase requirement (``requires_rows``): one query for all the required
    tables that exist, the dates each covers, and each phase's gap."""
    needed = {
        r.table: pipeline.tables[r.table]
        for phase in pipeline.phases.values()
        for r in phase.requires_rows
        if r.table not in preflight.broken
    }
    if not needed or not game_dates:
        return preflight
    sql = required_rows_sql(list(needed.values()))
    covered: dict[str, set[date]] = {name: set() for name in needed}
    for name, day in conn.query(sql, {"start": window.start, "end": window.end}).itertuples(
        index=False, name=None
    ):
        covered[name].add(to_date(day))
    checks, gaps = list(preflight.checks), dict(preflight.phase_gaps)
    for phase in pipeline.phases.values():
        for requirement in phase.requires_rows:
            if requirement.table not in needed:
                continue
            table = needed[requirement.table]
            uncovered = [d for d in game_dates if d not in covered[table.name]]
            problem = None
            if uncovered:
                problem = (
                    f"no row for {len(uncovered)} of {len(game_dates)} game dates "
                    f"({describe_days(uncovered, 5)}): {requirement.consequence}"
                )
                gaps.setdefault(phase.number, f"{table.ref} has {problem}")
            checks.append(Check(f"{table.ref} (needed by {phase.name} on every game date)", problem))
    return Preflight(tuple(checks), preflight.broken, gaps)


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
