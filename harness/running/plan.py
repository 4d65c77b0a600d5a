"""The plan of a run as data: each processor's step in order, its phase, level, group, what it waits for,
the dates it expects rows on and its exact command.

``build_plan`` has no side effects; ``--mode plan`` prints it (``plan_lines``), the plugin places the
backfill tests by it (each step's xdist group), and the report shows the order it used. Under a phase's
``dependencies`` order each processor has a group of its own, so independent ones run at the same time;
under ``strict`` order the phase is one group, run one after another in the declared order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from harness.context.run import RunContext
from harness.declaration.commands import Command, render
from harness.declaration.model import Phase, Pipeline, Processor, Table


@dataclass(frozen=True)
class ProcessorStep:
    """One processor in the run's order."""

    number: int
    processor: Processor
    table: Table
    phase: Phase
    level: int
    """Its depth in the graph of what waits for what (0: waits for nothing)."""
    waits_for: tuple[str, ...]
    group: str
    """The pytest-xdist group its backfill test runs in."""
    expects: str
    """The dates it must write rows on, e.g. ``14 game dates (2021-11-02..2021-11-15); 14 bootstrap dates EXEMPT``."""
    command: Command
    """Its command for the whole window."""


def levels(pipeline: Pipeline) -> dict[str, int]:
    """Each processor's depth in the graph of what waits for what (0: waits for nothing); processors of
    one level may run at the same time, and the number of levels is the critical path's length."""
    depth: dict[str, int] = {}
    for processor in pipeline.processors.values():  # dependency order: upstream first
        depth[processor.name] = 1 + max((depth[u] for u in pipeline.waits_for(processor)), default=-1)
    return depth


def group_of(pipeline: Pipeline, processor: Processor) -> str:
    """The xdist group of a processor's backfill test: its own under ``dependencies`` order, its
    phase's under ``strict`` order."""
    if pipeline.phases[processor.phase].order == "strict":
        return f"phase{processor.phase}"
    return f"backfill-{processor.name}"


def build_plan(run: RunContext) -> tuple[ProcessorStep, ...]:
    """Every processor of the declaration in the order the run takes them."""
    pipeline, window = run.pipeline, run.window
    depth = levels(pipeline)
    days = list(run.game_dates) or list(window.dates())
    return tuple(
        ProcessorStep(
            number=number,
            processor=processor,
            table=pipeline.output_table(processor),
            phase=pipeline.phases[processor.phase],
            level=depth[processor.name],
            waits_for=pipeline.waits_for(processor),
            group=group_of(pipeline, processor),
            expects=_expected(run, pipeline.output_table(processor), days),
            command=render(processor, list(window.dates()), run.template_context),
        )
        for number, processor in enumerate(pipeline.processors.values(), 1)
    )


def plan_lines(run: RunContext, plan: tuple[ProcessorStep, ...]) -> list[str]:
    """The plan as ``--mode plan`` prints it; on BigQuery with the price of every validation query."""
    window = run.window
    if run.game_dates_problem:
        dates_line = f"game dates unknown ({run.game_dates_problem}); every calendar day is planned"
    else:
        dates_line = run.game_dates_summary
    lines = [
        f"plan for window {window} ({window.days} calendar days) on {run.warehouse.kind} {run.warehouse.address}",
        f"  {dates_line}",
    ]
    for phase in run.pipeline.phases.values():
        lines.append(f"  {phase.name}: {order_text(run.pipeline, phase)}")
    for step in plan:
        reads = step.processor.upstream
        turn = [name for name in step.waits_for if name not in reads]
        waits = (f", reads {', '.join(reads)}" if reads else "") + (
            f"; strict order: after {', '.join(turn)}" if turn else ""
        )
        lines.append(
            f"{step.number:>2}. Phase {step.phase.number} {step.processor.name} -> {step.table.ref} "
            f"(level {step.level}{waits})"
        )
        lines.append(f"    expects rows on {step.expects}")
        lines.append(f"    $ {step.command.shown()}")
    for table, why in sorted(run.coverage_fallbacks.items()):
        lines.append(f"  coverage of {table}: date column scan (declared partition_coverage, but {why})")
    if not run.warehouse.embedded:
        from harness.running.pricing import cost_lines

        lines.extend(cost_lines(run))
    return lines


def order_text(pipeline: Pipeline, phase: Phase) -> str:
    """How a phase's processors are ordered, in words (the plan and the report say it)."""
    if phase.order == "strict":
        sequence = " -> ".join(p.name for p in pipeline.phase(phase.number))
        return f"strict order, one processor at a time as declared: {sequence}"
    return (
        "dependency order: each processor once the processors it reads are done, in parallel where possible"
    )


def _expected(run: RunContext, table: Table, days: list[date]) -> str:
    if table.expected_dates == "after_bootstrap":
        boot, days = run.window.split_bootstrap(days)
        exempt = f"; {len(boot)} bootstrap dates EXEMPT" if boot else ""
    else:
        exempt = ""
    span = f" ({days[0]}..{days[-1]})" if days else ""
    return f"{len(days)} game dates{span}{exempt}"
