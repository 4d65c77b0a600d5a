"""Backfill one processor for the run: pick its dates from the mode, run it once per harness run (whichever
xdist worker needs it first), and judge it from the warehouse.

A processor passed when its output table has rows on every expected date it was asked for and its run
history has a clean final row there; the real scripts exit 0 even when dates fail, so the exit code alone
proves nothing (a non-zero one still fails it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from harness.checking.coverage import table_coverage
from harness.checking.expected import DayState, day_states, describe_days, expected_days
from harness.checking.history import LatestRun, history_problems, latest_runs
from harness.context.run import HarnessRun
from harness.declaration.commands import render
from harness.declaration.model import Processor
from harness.running.once import Record, run_once
from harness.running.progress import PROGRESS_FILE, file_emitter, progress_feed
from harness.running.runner import ProcessorResult, run_command

PASSED, FAILED, NOT_RUN, CRASHED = "passed", "failed", "not run", "crashed"
MAX_PROBLEM_LINES = 8


@dataclass(frozen=True)
class Backfill:
    """What became of one processor in this run."""

    name: str
    status: str
    dates: tuple[date, ...] = ()
    """The dates the processor was asked to process."""
    problems: tuple[str, ...] = ()
    reason: str = ""
    """Why it did not run, or how it crashed."""
    result: ProcessorResult | None = None

    @property
    def failed(self) -> bool:
        return self.status in (FAILED, CRASHED)

    def summary(self) -> str:
        """One line: the status and the first problem, for skip reasons and the report."""
        first = self.problems[0] if self.problems else self.reason
        return f"{self.status}" + (f": {first}" if first else "")

    def to_record(self) -> Record:
        record = dataclasses.asdict(self)
        record["dates"] = [d.isoformat() for d in self.dates]
        return record

    @classmethod
    def from_record(cls, record: Record) -> Backfill:
        result = record.get("result")
        return cls(
            name=record["name"],
            status=record["status"],
            dates=tuple(date.fromisoformat(d) for d in record.get("dates", ())),
            problems=tuple(record.get("problems", ())),
            reason=record.get("reason", ""),
            result=ProcessorResult(**result) if result else None,
        )


def backfill(
    run: HarnessRun, processor: Processor, chain_absent: Mapping[str, set[date]], upstream: Sequence[Backfill]
) -> Backfill:
    """The processor's outcome for this run, computed by the first worker that asks."""

    def crashed(who: str) -> Record:
        reason = f"the test process running it ({who}) died before it finished; it was not run again"
        return Backfill(processor.name, CRASHED, reason=reason, problems=(reason,)).to_record()

    record = run_once(
        run.directory / "once",
        processor.name,
        lambda: _backfill(run, processor, chain_absent, upstream).to_record(),
        crashed,
    )
    return Backfill.from_record(record)


def _backfill(
    run: HarnessRun, processor: Processor, chain_absent: Mapping[str, set[date]], upstream: Sequence[Backfill]
) -> Backfill:
    if not run.mode.runs(processor.name):
        return Backfill(processor.name, NOT_RUN, reason=run.mode.not_run_reason(processor.name))
    states = day_states(run.pipeline.output_table(processor), run.window, run.game_dates, chain_absent)
    if run.mode.name == "missing":
        dates = dates_to_complete(run, processor, states, upstream)
        if not dates:
            return Backfill(processor.name, NOT_RUN, reason="missing mode: nothing missing")
    else:
        dates = list(run.window.dates())
    result = run_dates(run, processor, dates)
    return Backfill(
        processor.name,
        FAILED if (p := judge(run, processor, result, states, dates)) else PASSED,
        tuple(dates),
        tuple(p),
        result=result,
    )


def run_dates(run: HarnessRun, processor: Processor, dates: Sequence[date]) -> ProcessorResult:
    """Run the processor for ``dates``: its dates command for scattered dates when it has one, else its
    range command from the first to the last date."""
    scattered = (max(dates) - min(dates)).days + 1 != len(dates)
    command = render(
        processor, dates, run.template_context, date_list=scattered and processor.takes_date_list
    )
    log_path = run.directory / "logs" / f"{processor.name}.log"
    progress = progress_feed(processor.name, run.progress or file_emitter(run.directory / PROGRESS_FILE))
    return run_command(processor.name, command, run.timeout or processor.timeout_seconds, log_path, progress)


def dates_to_complete(
    run: HarnessRun, processor: Processor, states: Mapping[date, DayState], upstream: Sequence[Backfill]
) -> list[date]:
    """``missing`` mode: expected dates without rows, game dates whose run history is absent, failed or
    crashed, and game dates an upstream processor re-ran in this run (their inputs changed)."""
    rows, runs = output_state(run, processor)
    todo = {d for d in expected_days(states) if not rows.get(d)}
    if runs is not None:
        todo |= set(history_problems(runs, run.game_dates))
    for outcome in upstream:
        if outcome.status == PASSED:
            todo |= set(outcome.dates) & set(run.game_dates)
    return sorted(todo)


def output_state(
    run: HarnessRun, processor: Processor
) -> tuple[dict[date, int], dict[date, LatestRun] | None]:
    """The processor's rows per date in the window and, if it writes run history, its latest run per
    date (None if it writes none): what both judging and ``missing`` mode read, in one connection."""
    table = run.pipeline.output_table(processor)
    with run.warehouse.connect() as conn:
        rows = table_coverage(conn, [table], run.window)[table.name]
        runs = latest_runs(conn, run.pipeline, [processor], run.window).get(processor.name)
    return rows, runs


def judge(
    run: HarnessRun,
    processor: Processor,
    result: ProcessorResult,
    states: Mapping[date, DayState],
    dates: Sequence[date],
) -> list[str]:
    """Why the processor failed on ``dates``, from its exit and the warehouse; empty when it passed."""
    problems = []
    if result.timed_out:
        problems.append(f"timed out after {result.duration:.0f} s; its process group was ended")
    elif result.exit_code != 0:
        problems.append(f"exit code {result.exit_code}")
    table = run.pipeline.output_table(processor)
    asked = set(dates)
    expected = [d for d in expected_days(states) if d in asked]
    rows, runs = output_state(run, processor)
    missing = [d for d in expected if not rows.get(d)]
    if missing and not any(rows.get(d) for d in asked):
        problems.append(f"wrote no rows to {table.ref} on any of the {len(expected)} expected dates")
    elif missing:
        problems.append(
            f"no rows in {table.ref} on {describe_days(missing)} ({len(missing)} of {len(expected)} expected dates)"
        )
    if runs is not None:
        asked_games = [d for d in run.game_dates if d in asked]
        history = [
            f"run history {day}: {problem}" for day, problem in history_problems(runs, asked_games).items()
        ]
        if len(history) > MAX_PROBLEM_LINES:
            history = [*history[:MAX_PROBLEM_LINES], f"(+{len(history) - MAX_PROBLEM_LINES} more dates)"]
        problems.extend(history)
    return problems
