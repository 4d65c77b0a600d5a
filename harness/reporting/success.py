"""The gameplan's "What Success Looks Like", item by item, each met or not with the figure behind it.

The person signing off knows the gameplan's four outcomes; the report shows them as that list, judged
from what the checks left (coverage per table and date, the processors' outcomes, the run history), so
the list and the rest of the page can never disagree. READY still needs every test to pass: the list
is what the person reads first, not a second verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.checking.expected import DayState
from harness.checking.phase import Coverage
from harness.reporting.signoff import SignOff


@dataclass(frozen=True)
class SuccessItem:
    """One outcome of the gameplan's list, met or not, with the figure that decides it."""

    outcome: str
    met: bool
    figure: str


@dataclass(frozen=True)
class TableDates:
    """A table's expected dates (its ``expected`` cells) and how many of them hold rows."""

    table: str
    expected: int
    with_rows: int

    @property
    def status(self) -> str:
        """The gameplan validator's word: complete, partial or missing (nothing expected: complete)."""
        if self.with_rows == self.expected:
            return "complete"
        return "partial" if self.with_rows else "missing"


def table_dates(coverage: Coverage, table: str) -> TableDates | None:
    """The table's expected dates with rows, or None when no check read it."""
    cells = coverage.get(table)
    if cells is None:
        return None
    expected = [c for c in cells.values() if c.state is DayState.EXPECTED]
    return TableDates(table, len(expected), sum(1 for c in expected if c.rows))


def success_list(signoff: SignOff) -> list[SuccessItem]:
    """The four outcomes, in the gameplan's order: the first phase's tables complete, the later phases'
    tables on their dates after bootstrap, no errors in the processors' output, and every table's
    validation status complete or partial."""
    pipeline = signoff.run.pipeline
    phases = list(pipeline.phases.values())
    items = [_phase_item(signoff, phases[0].number, f"All {phases[0].name} core tables complete")]
    items += [
        _phase_item(signoff, phase.number, f"{phase.name} tables have their dates after the bootstrap period")
        for phase in phases[1:]
    ]
    return [*items, _errors_item(signoff), _validation_item(signoff)]


def _phase_item(signoff: SignOff, phase: int, outcome: str) -> SuccessItem:
    pipeline = signoff.run.pipeline
    tables = [t.name for t in pipeline.phase_tables(phase)]
    found = [table_dates(signoff.coverage, t) for t in tables]
    checked = [f for f in found if f is not None]
    expected = sum(f.expected for f in checked)
    with_rows = sum(f.with_rows for f in checked)
    complete = sum(1 for f in checked if f.status == "complete")
    figure = (
        f"{complete} of {len(tables)} tables complete: rows on {with_rows} of {expected} expected table-dates"
    )
    exempt = _count(signoff.coverage, tables, DayState.EXEMPT)
    none_expected = _count(signoff.coverage, tables, DayState.NONE_EXPECTED)
    if exempt:
        figure += f"; {exempt} bootstrap table-dates exempt"
    if none_expected:
        figure += f"; {none_expected} with no entity expected"
    if len(checked) < len(tables):
        figure += f"; {len(tables) - len(checked)} not checked"
    return SuccessItem(outcome, len(checked) == len(tables) and complete == len(tables), figure)


def _count(coverage: Coverage, tables: list[str], state: DayState) -> int:
    return sum(1 for t in tables for c in coverage.get(t, {}).values() if c.state is state)


def _errors_item(signoff: SignOff) -> SuccessItem:
    ran = [p for p in signoff.processors if p.result is not None]
    failed = [p.name for p in signoff.processors if p.failed]
    runs = len(signoff.failures)
    figure = (
        f"{len(ran)} processors ran, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + f"; {runs} latest runs failed or crashed in the run history"
    )
    return SuccessItem("No errors in processor output", not failed and not runs, figure)


def _validation_item(signoff: SignOff) -> SuccessItem:
    pipeline = signoff.run.pipeline
    statuses: dict[str, list[str]] = {"complete": [], "partial": [], "missing": [], "not checked": []}
    for processor in pipeline.processors.values():
        name = pipeline.output_table(processor).name
        found = table_dates(signoff.coverage, name)
        statuses["not checked" if found is None else found.status].append(name)
    figure = ", ".join(f"{len(names)} {status}" for status, names in statuses.items() if names)
    if statuses["missing"]:
        figure += f" ({', '.join(statuses['missing'])})"
    met = not statuses["missing"] and not statuses["not checked"]
    return SuccessItem('Validation shows "complete" or "partial" (not "missing")', met, figure)
