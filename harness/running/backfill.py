"""Backfill one processor for the run: pick its dates from the mode, snapshot its table's window, run it
once per harness run (whichever xdist worker needs it first), then diff what it changed
(``harness.running.snapshot``), read what the warehouse holds and judge it (``harness.checking.judge``).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from harness.checking.changes import TableChanges, change_problems
from harness.checking.expected import day_states
from harness.checking.judge import ExitFacts, Expectations, dates_to_complete, judge, read_output_state
from harness.checking.states import has_minimum, table_states
from harness.context.records import Record
from harness.context.run import RunContext
from harness.declaration.commands import render
from harness.declaration.model import Processor
from harness.errors import HarnessError
from harness.running.once import run_once
from harness.running.progress import progress_feed
from harness.running.runner import ProcessorResult, run_command
from harness.running.snapshot import drop_copy, planned_copy, take_before, what_changed


class ProcessorStatus(enum.Enum):
    """What became of a processor in this run."""

    PASSED = "passed"
    FAILED = "failed"
    """It ran, and its exit or the warehouse says it did not do its job."""
    NOT_RUN = "not run"
    """The mode did not ask for it, or nothing was missing."""
    LOST = "lost"
    """The test process running it died before it finished; it was not run again."""

    @property
    def failed(self) -> bool:
        """Whether the processor counts as failed (its dependents are blocked)."""
        return self in (ProcessorStatus.FAILED, ProcessorStatus.LOST)


@dataclass(frozen=True)
class Backfill:
    """What became of one processor in this run."""

    name: str
    status: ProcessorStatus
    dates: tuple[date, ...] = ()
    """The dates the processor was asked to process."""
    problems: tuple[str, ...] = ()
    reason: str = ""
    """Why it did not run, or how it was lost."""
    result: ProcessorResult | None = None
    changes: TableChanges | None = None
    """What the run changed in its table (None when it did not run or the diff could not be read)."""

    @property
    def failed(self) -> bool:
        """Whether the processor failed or was lost."""
        return self.status.failed

    def summary(self) -> str:
        """One line: the status and the first problem, for skip reasons and the report."""
        first = self.problems[0] if self.problems else self.reason
        return f"{self.status.value}" + (f": {first}" if first else "")

    def to_record(self) -> Record:
        """The outcome as a JSON record, for the other processes of the run."""
        record = dataclasses.asdict(self)
        record["status"] = self.status.value
        record["dates"] = [d.isoformat() for d in self.dates]
        record["changes"] = self.changes.to_record() if self.changes else None
        return record

    @classmethod
    def from_record(cls, record: Record) -> Backfill:
        """The outcome ``to_record`` wrote."""
        result = record.get("result")
        changes = record.get("changes")
        return cls(
            name=record["name"],
            status=ProcessorStatus(record["status"]),
            dates=tuple(date.fromisoformat(d) for d in record.get("dates", ())),
            problems=tuple(record.get("problems", ())),
            reason=record.get("reason", ""),
            result=ProcessorResult(**result) if result else None,
            changes=TableChanges.from_record(changes) if changes else None,
        )


Emit = Callable[[str], None]
"""Where a progress line goes: the terminal in one process, the run's progress file under xdist."""


def backfill(
    run: RunContext,
    processor: Processor,
    upstream: Sequence[Backfill],
    emit: Emit,
) -> Backfill:
    """The processor's outcome for this run, computed by the first worker that asks."""

    def lost(who: str) -> Record:
        reason = f"the test process running it ({who}) died before it finished; it was not run again"
        return Backfill(processor.name, ProcessorStatus.LOST, reason=reason, problems=(reason,)).to_record()

    record = run_once(
        run.directory / "once",
        processor.name,
        lambda: _backfill(run, processor, upstream, emit).to_record(),
        lost,
    )
    return Backfill.from_record(record)


def _backfill(
    run: RunContext,
    processor: Processor,
    upstream: Sequence[Backfill],
    emit: Emit,
) -> Backfill:
    if not run.mode.runs(processor.name):
        return Backfill(processor.name, ProcessorStatus.NOT_RUN, reason=run.mode.not_run_reason())
    table = run.pipeline.output_table(processor)
    states = day_states(table, run.window, run.game_dates)
    before = None
    if has_minimum(table) or run.mode.name == "missing":
        with run.warehouse.connect() as conn:  # a minimum's entities read the sources, not the output
            states = table_states(conn, run, [table])[table.name].states
            before = (
                read_output_state(conn, run.pipeline, processor, run.window)
                if run.mode.name == "missing"
                else None
            )
    if before is not None:
        rerun = {d for u in upstream if u.status is ProcessorStatus.PASSED for d in u.dates}
        dates = dates_to_complete(states, before, rerun)
        if not dates:
            return Backfill(processor.name, ProcessorStatus.NOT_RUN, reason="missing mode: nothing missing")
    else:
        dates = list(run.window.dates())
    timeout = run.timeout or processor.timeout_seconds
    copy = planned_copy(run, processor, timeout)
    try:  # Ctrl-C or a crash from the copy's creation to the diff: the copy must not stay behind
        try:
            snapshot = take_before(run, processor, timeout)
        except HarnessError as exc:
            problem = f"{table.name}: no snapshot could be taken before the run, so it did not run: {exc}"
            return Backfill(processor.name, ProcessorStatus.FAILED, tuple(dates), (problem,))
        result = run_dates(run, processor, dates, emit, timeout)
        changes, problems = None, []
        with run.warehouse.connect() as conn:
            try:
                changes = what_changed(conn, run, processor, snapshot)
                problems += change_problems(changes, run.expect_no_changes)
            except HarnessError as exc:
                problems.append(f"{table.name}: what the run changed could not be read: {exc}")
            after = read_output_state(conn, run.pipeline, processor, run.window)
    except BaseException:
        drop_copy(run, copy)
        raise
    exit = ExitFacts(result.exit_code, result.timed_out, result.duration)
    problems = judge(table, exit, states, set(dates), after, expectations(run, processor)) + problems
    status = ProcessorStatus.FAILED if problems else ProcessorStatus.PASSED
    return Backfill(processor.name, status, tuple(dates), tuple(problems), result=result, changes=changes)


def expectations(run: RunContext, processor: Processor) -> Expectations:
    """What the processor's phase declares about its scripts: the early exit a required table's gap
    causes, and the lock an unfinished run may be waiting on."""
    phase = run.pipeline.phases[processor.phase]
    early_exit = " or ".join(
        f"when {run.pipeline.tables[r.table].ref} has no row for a date" for r in phase.requires_rows
    )
    if early_exit:
        early_exit += "; check that it covers the window where the scripts read it"
    return Expectations(early_exit=early_exit or None, lock_minutes=phase.lock_minutes)


def run_dates(
    run: RunContext, processor: Processor, dates: Sequence[date], emit: Emit, timeout: float
) -> ProcessorResult:
    """Run the processor for ``dates``: its dates command for scattered dates when it has one, else its
    range command from the first to the last date."""
    scattered = (max(dates) - min(dates)).days + 1 != len(dates)
    command = render(
        processor, dates, run.template_context, date_list=scattered and processor.takes_date_list
    )
    log_path = run.directory / "logs" / f"{processor.name}.log"
    return run_command(processor.name, command, timeout, log_path, progress_feed(processor.name, emit))
