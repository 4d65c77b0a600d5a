"""What happens at session start, one step each: print the plan (plan mode), take the embedded
warehouse's run lock, read the schedule, seed the embedded warehouse when it has no games yet, and record
the output tables' state before anything runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import HarnessError

if TYPE_CHECKING:
    from filelock import FileLock

    from harness.context.run import RunContext
    from harness.running.plan import ProcessorStep


def print_plan_and_exit(run: RunContext, plan: tuple[ProcessorStep, ...], reporter: Any) -> None:
    """Plan mode: the plan (and on BigQuery the price of its queries), then exit 0 having written nothing."""
    from harness.running.plan import plan_lines

    for line in plan_lines(run, plan):
        if reporter is not None:
            reporter.write_line(line)
    pytest.exit("plan mode: nothing was run or written", returncode=0)


def hold_run_lock(run: RunContext) -> FileLock | None:
    """One harness run at a time per embedded warehouse; a second one is a one-line usage error."""
    if not run.warehouse.embedded:
        return None
    from harness.running.runlock import hold_warehouse

    try:
        return hold_warehouse(run.warehouse.address, run.run_id)
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None


def read_schedule(run: RunContext) -> RunContext:
    """The context with the window's game dates; a problem is kept for Step 1, which fails with it."""
    from harness.checking.schedule import read_schedule as read

    if not run.warehouse.exists():
        return run.with_schedule_problem("the embedded warehouse does not exist yet; a run seeds it")
    try:
        with run.warehouse.connect() as conn:
            facts = read(conn, run.pipeline, run.window)
    except HarnessError as exc:
        return run.with_schedule_problem(str(exc))
    return run.with_schedule(facts.game_dates, facts.season_game_dates)


def seed_if_empty(run: RunContext) -> RunContext:
    """Run the declared seed step when an embedded warehouse has no game in a season the window touches;
    the context then has the schedule it left, and says which seasons were seeded."""
    if not run.warehouse.embedded or run.pipeline.seed is None:
        return run
    empty = [s.year for s in run.window.seasons if not run.season_game_dates.get(s.year)]
    if not empty:
        return run
    from harness.declaration.commands import render_seed
    from harness.running.runner import run_command

    command = render_seed(run.pipeline.seed, empty, run.template_context)
    log = run.directory / "logs" / "seed.log"
    result = run_command("seed", command, run.pipeline.seed.timeout_seconds, log)
    if result.exit_code != 0:
        tail = result.log_tail(3).replace("\n", " | ")
        raise pytest.UsageError(f"embedded warehouse: the seed step exited {result.exit_code}: {tail}")
    seeded = read_schedule(run)
    years = tuple(y for y in empty if seeded.season_game_dates.get(y))
    return seeded.with_seeded(years)


def record_pre_test_state(run: RunContext) -> None:
    """Every output table's rows per date in the window before any worker starts (one query), for the
    report's "before" beside the coverage grid; a table Step 1 will find missing is simply left out."""
    from harness.checking.changes import PRE_TEST_STATE, pre_test_state
    from harness.context.records import evidence_path, write_record

    record: dict[str, object] = {"tables": {}, "problem": None}
    try:
        with run.warehouse.connect() as conn:
            record["tables"] = pre_test_state(conn, run.pipeline, run.window)
    except HarnessError as exc:
        record["problem"] = str(exc)
    write_record(evidence_path(run.directory, PRE_TEST_STATE), record)
