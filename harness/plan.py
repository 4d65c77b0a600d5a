"""``--mode plan``: each processor in order with its dates and the exact command, and nothing else.

The plan reads the window's game dates when the warehouse already exists and never creates, seeds or
writes anything, so it is safe to run against production before anything else.
"""

from __future__ import annotations

from datetime import date

from harness.commands import render
from harness.pipeline import Pipeline
from harness.session import HarnessRun


def levels(pipeline: Pipeline) -> dict[str, int]:
    """Each processor's depth in the dependency graph (0: reads no other processor); processors of one
    level may run at the same time, and the number of levels is the critical path's length."""
    depth: dict[str, int] = {}
    for processor in pipeline.processors.values():  # dependency order: upstream first
        depth[processor.name] = 1 + max((depth[u] for u in processor.upstream), default=-1)
    return depth


def plan_lines(run: HarnessRun) -> list[str]:
    window, pipeline = run.window, run.pipeline
    games = run.game_dates
    if run.game_dates_problem:
        dates_line = f"game dates unknown ({run.game_dates_problem}); every calendar day is planned"
    else:
        dates_line = run.game_dates_summary
    lines = [
        f"plan for window {window} ({window.days} calendar days) on {run.warehouse.kind} {run.warehouse.location}",
        f"  {dates_line}",
    ]
    depth = levels(pipeline)
    for step, processor in enumerate(pipeline.processors.values(), 1):
        table = pipeline.output_table(processor)
        expected = _expected(run, table.expected_dates, games or list(window.dates()))
        waits = f", after {', '.join(processor.upstream)}" if processor.upstream else ""
        lines.append(
            f"{step:>2}. Phase {processor.phase} {processor.name} -> {table.ref} "
            f"(level {depth[processor.name]}{waits})"
        )
        follows = f"; only where chain {table.follows_chain} has data" if table.follows_chain else ""
        lines.append(f"    expects rows on {expected}{follows}")
        lines.append(f"    $ {render(processor, list(window.dates()), run.template_context).shown()}")
    return lines


def _expected(run: HarnessRun, expected_dates: str, days: list[date]) -> str:
    if expected_dates == "after_bootstrap":
        boot, days = run.window.split_bootstrap(days)
        exempt = f"; {len(boot)} bootstrap dates EXEMPT" if boot else ""
    else:
        exempt = ""
    span = f" ({days[0]}..{days[-1]})" if days else ""
    return f"{len(days)} game dates{span}{exempt}"
