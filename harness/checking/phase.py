"""A phase's verification and the run history's, as the check tests read them and the sign-off shows them.

``check_phase`` reads, for every output table of a phase and in one query each, the rows per date, the
expected entities against the table's, the reconciled values, the grains and ranges, and the quality
scores' spread, and validates them with the expectation suites; ``check_history`` reads the latest run per processor and date (one
query) and the totals (one query). Each leaves a record of what it gathered in the run directory, which
is all the sign-off reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.checking.coverage import DateToRows, table_coverage
from harness.checking.entities import DayStates, Qualifying, read_entities, with_rules
from harness.checking.expected import DayState, day_states
from harness.checking.frames import (
    EXEMPT,
    coverage_frame,
    entities_frame,
    history_frame,
    reconciliation_frame,
)
from harness.checking.gx import Finding, validate
from harness.checking.history import HistoryTotal, LatestRun, history_totals, latest_runs
from harness.checking.quality import quality_frame
from harness.checking.reconcile import read_mismatches
from harness.checking.scores import Scores, read_scores, scores_from_record, scores_record
from harness.checking.states import Unexercised, has_minimum, unexercised
from harness.context.records import Record, evidence_path, read_record, write_record
from harness.context.run import RunContext

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Cell:
    """One table on one calendar day, as the report's grid and ``summary.json`` show it."""

    state: DayState
    rows: int
    reason: str = ""
    """Why no row is expected on a NONE_EXPECTED date."""


Coverage = dict[str, dict[date, Cell]]
"""``{table: {day: Cell}}`` for every calendar day of the window."""


@dataclass(frozen=True)
class PhaseChecks:
    """A phase's verification: coverage per table and date, and the expectation findings."""

    states: dict[str, DayStates]
    counts: dict[str, DateToRows]
    findings: list[Finding]
    left_out: dict[str, str]
    """Tables not checked, with the reason (Step 1 found them missing or short of columns)."""
    unexercised: dict[str, Unexercised]
    """Tables the window expects no entity of on any date it judges them on."""
    scores: Scores
    """The quality spread per date of the tables that declare a quality column."""

    def for_table(self, table: str, *suites: str) -> list[Finding]:
        """The findings about ``table`` from the named suites."""
        return [f for f in self.findings if f.subject == table and f.suite in suites]

    @property
    def coverage(self) -> Coverage:
        """``{table: {day: Cell}}``: what the report's grid shows."""
        return {
            table: {
                day: Cell(state, self.counts[table].get(day, 0), days.reasons.get(day, ""))
                for day, state in days.states.items()
            }
            for table, days in self.states.items()
        }


COVERAGE_SUITES = ("date_coverage", "bootstrap_exemptions", "expected_entities")
"""The suites of a phase's coverage step."""
VALUE_SUITES = ("grains_and_ranges", "reconciliation")
"""The suites of the output-table checks."""


def check_phase(run: RunContext, phase: int, broken: Mapping[str, str]) -> PhaseChecks:
    """Every output table of ``phase`` but the ``broken`` ones (``{table: why}``: missing, or short of
    columns), in a constant number of queries: coverage, expected entities, reconciliations, grains and
    ranges (and, when a table expects no entity anywhere in the window, where one first appears),
    validated by the suites; the coverage is left in the run directory for the sign-off."""
    pipeline, window = run.pipeline, run.window
    tables = [t for t in pipeline.phase_tables(phase) if t.name not in broken]
    left_out = {t.name: broken[t.name] for t in pipeline.phase_tables(phase) if t.name in broken}
    findings: list[Finding] = []
    with run.warehouse.connect() as conn:
        counts = table_coverage(conn, tables, window)
        entities = read_entities(conn, pipeline, tables, window.start, window.end)
        states = {
            t.name: with_rules(
                t,
                day_states(t, window, run.game_dates),
                {d: Qualifying(e.expected, e.rule) for d, e in entities.get(t.name, {}).items()},
            )
            for t in tables
        }
        idle = [
            t for t in tables
            if has_minimum(t) and not any(s is DayState.EXPECTED for s in states[t.name].states.values())
        ]  # fmt: skip
        lacking = {u.table: u for u in unexercised(conn, run, idle)} if idle else {}
        mismatches = read_mismatches(conn, pipeline, tables, window.start, window.end)
        scores = read_scores(conn, tables, window)
        if tables:
            quality = quality_frame(conn, tables, window)
            findings += validate("grains_and_ranges", quality.rename(columns={"table_name": "subject"}))
    plain = {name: days.states for name, days in states.items()}
    coverage = coverage_frame(tables, counts, plain)
    reasons = {name: days.reasons for name, days in states.items()}
    findings = (
        validate("date_coverage", coverage)
        + validate("bootstrap_exemptions", coverage)
        + validate("expected_entities", entities_frame(tables, entities, plain, reasons))
        + validate("reconciliation", reconciliation_frame(mismatches))
        + findings
    )
    checks = PhaseChecks(states, counts, findings, left_out, lacking, scores)
    write_record(evidence_path(run.directory, f"phase-{phase}"), phase_record(checks))
    return checks


def phase_record(checks: PhaseChecks) -> Record:
    """The coverage and the unexercised tables as a JSON record, for the sign-off in another process."""
    return {
        "coverage": {
            table: {
                day.isoformat(): {"state": cell.state.value, "rows": cell.rows, "reason": cell.reason}
                for day, cell in days.items()
            }
            for table, days in checks.coverage.items()
        },
        "unexercised": [u.to_record() for u in checks.unexercised.values()],
        "scores": scores_record(checks.scores),
    }


def read_coverage(run_directory: Path, phase: int) -> tuple[Coverage, list[dict[str, Any]]] | None:
    """The coverage and the unexercised tables ``check_phase`` left for ``phase``, or None when the
    phase was not checked."""
    record = read_record(evidence_path(run_directory, f"phase-{phase}"))
    if record is None:
        return None
    coverage = {
        table: {
            date.fromisoformat(day): Cell(DayState(cell["state"]), int(cell["rows"]), cell.get("reason", ""))
            for day, cell in days.items()
        }
        for table, days in record["coverage"].items()
    }
    return coverage, list(record["unexercised"])


def read_phase_scores(run_directory: Path, phase: int) -> Scores:
    """The quality spreads ``check_phase`` left for ``phase`` (none when it was not checked)."""
    record = read_record(evidence_path(run_directory, f"phase-{phase}"))
    return scores_from_record(record.get("scores", {})) if record else {}


@dataclass(frozen=True)
class HistoryChecks:
    """The latest run per processor and game date, the totals per status, and the findings."""

    runs: dict[str, dict[date, LatestRun]]
    totals: list[HistoryTotal]
    frame: pd.DataFrame
    findings: list[Finding]


def check_history(run: RunContext) -> HistoryChecks:
    """Run history of every processor over the window, validated by the ``run_history`` suite and left
    in the run directory for the sign-off."""
    processors = list(run.pipeline.processors.values())
    with run.warehouse.connect() as conn:
        runs = latest_runs(conn, run.pipeline, processors, run.window)
        totals = history_totals(conn, run.pipeline, run.window)
    pipeline = run.pipeline
    states = {
        p.name: day_states(pipeline.output_table(p), run.window, run.game_dates)
        for p in processors
        if p.writes_run_history
    }
    locks = {p.name: pipeline.phases[p.phase].lock_minutes for p in processors}
    frame = history_frame(runs, states, locks)
    exempt = frame[frame["status"] == EXEMPT]["subject"].value_counts()
    totals += [  # bootstrap dates the scripts skip before run tracking: no run by design
        HistoryTotal(pipeline.processors[name].run_history_name or name, EXEMPT, int(n), 0.0, 0)
        for name, n in sorted(exempt.items())
    ]
    write_record(
        evidence_path(run.directory, "history"),
        {
            "latest": [r.to_record() for by_day in runs.values() for r in by_day.values()],
            "totals": [vars(t) for t in totals],
        },
    )
    return HistoryChecks(runs, totals, frame, validate("run_history", frame))


def read_history(run_directory: Path) -> tuple[list[LatestRun], list[HistoryTotal]] | None:
    """The latest runs and totals ``check_history`` left, or None when run history was not checked."""
    record = read_record(evidence_path(run_directory, "history"))
    if record is None:
        return None
    return (
        [LatestRun.from_record(r) for r in record["latest"]],
        [HistoryTotal(**t) for t in record["totals"]],
    )
