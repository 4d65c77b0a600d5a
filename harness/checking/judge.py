"""Judging one processor from what the warehouse holds after it ran.

``read_output_state`` is the one read (its table's rows per date and its latest run per date, in one
connection); ``judge`` and ``dates_to_complete`` are pure functions of what that read returned, so they
can be tested on plain data. A processor passed when its output table has rows on every expected date it
was asked for and its run history has a clean final row there: the real scripts exit 0 even when dates
fail, so the exit code alone proves nothing (a non-zero one still fails it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from harness.checking.coverage import DateToRows, table_coverage
from harness.checking.expected import DayState, describe_days, expected_days, history_days
from harness.checking.history import LatestRun, history_problems, latest_runs
from harness.declaration.model import Pipeline, Processor, Table
from harness.declaration.window import Window
from harness.warehouse.base import Connection

MAX_PROBLEM_LINES = 8


@dataclass(frozen=True)
class ExitFacts:
    """How the processor's command ended."""

    exit_code: int | None
    timed_out: bool
    duration: float


@dataclass(frozen=True)
class OutputState:
    """What the warehouse holds for one processor in the window."""

    rows: DateToRows
    runs: Mapping[date, LatestRun] | None
    """Its latest run per date, or None when it writes no run history."""


def read_output_state(
    conn: Connection, pipeline: Pipeline, processor: Processor, window: Window
) -> OutputState:
    """The processor's rows per date in the window and, if it writes run history, its latest run per
    date: what both judging and ``missing`` mode read."""
    table = pipeline.output_table(processor)
    rows = table_coverage(conn, [table], window)[table.name]
    runs = latest_runs(conn, pipeline, [processor], window).get(processor.name)
    return OutputState(rows, runs)


@dataclass(frozen=True)
class Expectations:
    """What the declaration says about one processor's run, beyond its table's expected dates."""

    early_exit: str | None = None
    """How its scripts skip a date without a trace (exit 0, no rows, no run history), to name it."""
    lock_minutes: int | None = None
    """Its phase's lock: an unfinished run may be a lock another run held, not a crash."""


def judge(
    table: Table,
    exit: ExitFacts,
    states: Mapping[date, DayState],
    asked: Collection[date],
    output: OutputState,
    expectations: Expectations = Expectations(),
) -> list[str]:
    """Why the processor failed on the ``asked`` dates; empty when it passed."""
    problems = []
    if exit.timed_out:
        problems.append(f"timed out after {exit.duration:.0f} s; its process group was ended")
    elif exit.exit_code != 0:
        problems.append(f"exit code {exit.exit_code}")
    expected = [d for d in expected_days(states) if d in asked]
    missing = [d for d in expected if not output.rows.get(d)]
    tracked = [d for d in history_days(states) if d in asked]
    silent = output.runs is not None and tracked and not any(d in output.runs for d in tracked)
    if missing and silent and exit.exit_code == 0 and len(missing) == len(expected):
        hint = f" {expectations.early_exit}" if expectations.early_exit else ""
        problems.append(
            f"exited 0 without writing a row to {table.ref} or a run-history row on any of the "
            f"{len(expected)} expected dates: the scripts skipped every date, as their early exit does{hint}"
        )
        return problems
    if missing and not any(output.rows.get(d) for d in asked):
        problems.append(f"wrote no rows to {table.ref} on any of the {len(expected)} expected dates")
    elif missing:
        problems.append(
            f"no rows in {table.ref} on {describe_days(missing)} ({len(missing)} of {len(expected)} expected dates)"
        )
    if output.runs is not None:
        history = [
            f"run history {day}: {problem}"
            for day, problem in history_problems(output.runs, tracked, expectations.lock_minutes).items()
        ]
        if len(history) > MAX_PROBLEM_LINES:
            history = [*history[:MAX_PROBLEM_LINES], f"(+{len(history) - MAX_PROBLEM_LINES} more dates)"]
        problems.extend(history)
    return problems


def dates_to_complete(
    states: Mapping[date, DayState], output: OutputState, rerun_upstream: Collection[date]
) -> list[date]:
    """``missing`` mode: expected dates without rows, dates whose run history is absent, failed or
    crashed, and dates an upstream processor re-ran in this run (``rerun_upstream``: their inputs
    changed). EXEMPT (bootstrap) dates are never among them: the scripts skip them anyway."""
    tracked = history_days(states)
    todo = {d for d in expected_days(states) if not output.rows.get(d)}
    if output.runs is not None:
        todo |= set(history_problems(output.runs, tracked))
    todo |= set(rerun_upstream) & set(tracked)
    return sorted(todo)
