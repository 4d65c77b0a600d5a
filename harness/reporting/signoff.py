"""Everything the sign-off report and ``summary.json`` say, gathered once in the controller at the end.

Workers run the tests, so the controller keeps each test's outcome and recorded properties from the
reports it receives (``StepOutcome``), and reads from the run directory what the processors and the
checks left there: the processors' records, Step 0's chains, each phase's coverage and the run history.
The sign-off issues no query of its own; what no check gathered is shown as not checked.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from harness.checking.chains import ChainResult, chains_from_record
from harness.checking.changes import PRE_TEST_STATE, TableChanges
from harness.checking.coverage import coverage_method
from harness.checking.history import HistoryTotal, LatestRun
from harness.checking.phase import Cell, Coverage, read_coverage, read_history, read_phase_scores
from harness.checking.scores import Scores
from harness.context.records import evidence_path, read_record
from harness.context.run import RunContext
from harness.reporting.estimate import Estimate, estimate
from harness.running.backfill import Backfill
from harness.running.billing import Measured
from harness.running.once import once_record
from harness.running.plan import ProcessorStep, levels

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 2
"""pytest's exit codes that the verdict tells apart (``pytest.ExitCode``)."""


class Verdict(enum.Enum):
    """What the person signing off is told, first."""

    READY = "READY FOR FULL-SEASON RUN"
    NOT_READY = "NOT READY"
    INTERRUPTED = "INTERRUPTED"

    @property
    def ready(self) -> bool:
        """Whether the full season may start."""
        return self is Verdict.READY


@dataclass
class StepOutcome:
    """One test's outcome as the controller received it."""

    nodeid: str
    step: str
    outcome: str
    """passed, failed, skipped or error."""
    message: str = ""
    blocked: bool = False
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``test_coverage[player_game_summary]`` without the path and the xdist group."""
        return self.nodeid.split("::")[-1].split("@")[0]


@dataclass
class SignOff:
    """The sign-off of one run: the verdict and its reasons, and everything the report shows."""

    run: RunContext
    verdict: Verdict
    reasons: list[str]
    exit_status: int
    ended_at: datetime
    tests: list[StepOutcome]
    plan: tuple[ProcessorStep, ...]
    processors: list[Backfill]
    chains: dict[str, ChainResult]
    coverage: Coverage
    """Every checked output table's cells; a table no check reached is absent."""
    unexercised: list[dict[str, Any]]
    """Tables the window expects no entity of on any date it judges them on (``Unexercised`` records)."""
    latest: list[LatestRun]
    history: list[HistoryTotal]
    estimates: list[Estimate]
    scores: Scores = field(default_factory=dict)
    """The quality spread per date of the checked tables that declare a quality column."""
    billing: Measured = field(default_factory=Measured)
    """What the run's BigQuery jobs were billed per processor (INFORMATION_SCHEMA.JOBS), or why not."""
    pre_test_state: dict[str, Any] = field(default_factory=dict)
    """``{tables: {table: {ISO date: rows}}, problem}``: the output tables before anything ran."""

    @property
    def changes(self) -> list[TableChanges]:
        """What each processor that ran changed in its table, in declaration order."""
        return [p.changes for p in self.processors if p.changes is not None]

    @property
    def failures(self) -> list[LatestRun]:
        """Latest runs that failed or crashed, newest first (the gameplan's troubleshooting query)."""
        return sorted((r for r in self.latest if r.problem), key=lambda r: r.started_at, reverse=True)

    def step_counts(self) -> dict[str, Counter[str]]:
        """Outcomes per step, steps in the order of the tests (blocked tests counted apart from skips)."""
        counts: dict[str, Counter[str]] = {}
        for test in self.tests:
            counts.setdefault(test.step, Counter())["blocked" if test.blocked else test.outcome] += 1
        return counts


def verdict(tests: Sequence[StepOutcome], exit_status: int) -> tuple[Verdict, list[str]]:
    """READY only when the run exited 0 with nothing failed or blocked; otherwise the reasons, one line
    each: every failed test, then every distinct gate with how many tests it blocked."""
    if exit_status == EXIT_INTERRUPTED:
        return Verdict.INTERRUPTED, ["the run was interrupted before every step finished"]
    reasons = [
        f"{t.step}: {t.name} {t.outcome}: {t.message.splitlines()[0] if t.message else 'no message'}"
        for t in tests
        if t.outcome in ("failed", "error")
    ]
    gates = Counter(t.message for t in tests if t.blocked)
    reasons += [f"{n} tests {reason}" for reason, n in gates.items()]
    if not reasons and exit_status != EXIT_OK:
        reasons.append(f"pytest exited with status {exit_status}")
    return (Verdict.READY, []) if not reasons else (Verdict.NOT_READY, reasons)


def over_budget(run: RunContext, estimates: Sequence[Estimate], billing: Measured) -> list[str]:
    """The ``--max-season-bytes`` gate: one reason per season forecast to bill more, with the figures; on
    BigQuery, also when the bill could not be measured (the budget cannot then be checked)."""
    budget = run.max_season_bytes
    if budget is None or run.warehouse.embedded:
        return []
    if billing.skipped:
        return [f"--max-season-bytes {budget} cannot be checked: {billing.skipped}"]
    return [
        f"the full season {e.season} is forecast to bill {e.season_bytes:,.0f} bytes "
        f"(${e.season_usd:,.2f} on demand, {e.season_slot_hours:,.1f} slot-hours), over --max-season-bytes "
        f"{budget:,}"
        for e in estimates
        if e.season_bytes > budget
    ]


def build_signoff(
    run: RunContext,
    tests: Sequence[StepOutcome],
    exit_status: int,
    plan: tuple[ProcessorStep, ...],
    billing: Measured | None = None,
) -> SignOff:
    """The sign-off from the tests' outcomes, what the run left in its directory and what its BigQuery
    jobs were billed (``billing``, measured by the caller: the sign-off runs no SQL)."""
    billing = billing or Measured(skipped="bytes billed not measured")
    pipeline = run.pipeline
    processors = [
        Backfill.from_record(record)
        for name in pipeline.processors
        if (record := once_record(run.directory / "once", name)) is not None
    ]
    chains_record = read_record(evidence_path(run.directory, "chains"))
    chains = chains_from_record(chains_record, pipeline) if chains_record else {}
    coverage: Coverage = {}
    unexercised: list[dict[str, Any]] = []
    scores: Scores = {}
    for phase in pipeline.phases:
        cells, idle = read_coverage(run.directory, phase) or ({}, [])
        coverage.update(cells)
        unexercised += idle
        scores.update(read_phase_scores(run.directory, phase))
    latest, totals = read_history(run.directory) or ([], [])
    depth = levels(pipeline)
    estimates = [
        e
        for s in run.window.seasons
        if (
            e := estimate(
                s.label, run.season_game_dates.get(s.year, 0), processors, run.game_dates, depth,
                None if billing.skipped else billing.usage, (pipeline.usd_per_tib, pipeline.usd_per_tib_as_of),
            )
        )
    ]  # fmt: skip
    label, reasons = verdict(tests, exit_status)
    before = read_record(evidence_path(run.directory, PRE_TEST_STATE)) or {}
    budget = over_budget(run, estimates, billing)
    if budget and label is not Verdict.INTERRUPTED:
        # A gate of the sign-off's own: over budget, a run whose tests all passed fails too.
        label, reasons = Verdict.NOT_READY, [*reasons, *budget]
        exit_status = exit_status or EXIT_FAILED
    return SignOff(
        run, label, reasons, int(exit_status), datetime.now(UTC), list(tests), plan, processors, chains,
        coverage, unexercised, latest, totals, estimates, scores, billing, before,
    )  # fmt: skip


def coverage_cell(signoff: SignOff, table: str, day: date) -> Cell | None:
    """A table's state and rows on a day, or None when no check read that table."""
    return signoff.coverage.get(table, {}).get(day)


def coverage_methods(run: RunContext) -> dict[str, dict[str, str]]:
    """How coverage counted each output table: partition metadata or a scan of its date column, and why a
    table declared ``partition_coverage`` was scanned (it is not partitioned by DAY on its date column)."""
    return {
        table.name: {
            "method": coverage_method(table, run.warehouse.partition_metadata),
            **(
                {"reason": run.coverage_fallbacks[table.name]} if table.name in run.coverage_fallbacks else {}
            ),
        }
        for phase in run.pipeline.phases
        for table in run.pipeline.phase_tables(phase)
    }
