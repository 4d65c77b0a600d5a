"""``--mode plan``: each processor in order with its dates and the exact command, and on BigQuery the cost
of every validation query the run would issue, and nothing else.

The plan reads the window's game dates when the warehouse already exists and never creates, seeds or
writes anything, so it is safe to run against production before anything else. On BigQuery it dry-runs
the validation queries (Step 0's chains, each processor's judgement, the Step 3 gate, coverage and
quality per phase, run history) and prints the bytes each would bill and the total: a dry run is free and
runs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from harness.checking.chains import coverage_sql as chains_sql
from harness.checking.coverage import METADATA, coverage_method, coverage_query
from harness.checking.history import latest_runs_sql
from harness.checking.quality import quality_sql
from harness.context.run import HarnessRun
from harness.declaration.commands import render
from harness.declaration.model import Pipeline, Processor, Table
from harness.errors import HarnessError

Query = tuple[str, str, dict[str, Any]]
"""(what it is for, BigQuery SQL, parameters)."""


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
    if run.warehouse.kind == "bigquery":
        lines.extend(cost_lines(run))
    return lines


def validation_queries(run: HarnessRun, metadata: bool) -> Iterator[Query]:
    """Every validation query of a run of the window, with the parameters the run binds."""
    pipeline, window = run.pipeline, run.window
    span = {"start": window.start, "end": window.end}
    yield (
        "Step 0 source chains",
        chains_sql(pipeline),
        {**span, "final_status": pipeline.schedule.final_status},
    )
    for processor in pipeline.processors.values():
        yield from _judge_queries(run, processor, metadata)
    yield _coverage("Step 3 gate: core Phase 3", pipeline.core_tables(), run, metadata)
    for phase in (3, 4):
        tables = pipeline.phase_tables(phase)
        yield _coverage(f"Phase {phase}", tables, run, metadata)
        sql, bounds = quality_sql(tables)
        yield f"Phase {phase} grains and ranges", sql, {**span, **bounds}
    yield _history("run history, every processor", list(pipeline.processors.values()), run)


def _judge_queries(run: HarnessRun, processor: Processor, metadata: bool) -> Iterator[Query]:
    """Judging a processor reads its table's coverage and, when it writes any, its run history."""
    yield _coverage(f"judge {processor.name}", [run.pipeline.output_table(processor)], run, metadata)
    if processor.writes_run_history:
        yield _history(f"judge {processor.name}", [processor], run)


def _coverage(label: str, tables: list[Table], run: HarnessRun, metadata: bool) -> Query:
    read = sum(coverage_method(t, metadata) == METADATA for t in tables)
    how = f"{read} of {len(tables)} tables from {METADATA}" if read else "date column scan"
    return f"{label} coverage ({how})", *coverage_query(tables, run.window, metadata)


def _history(label: str, processors: list[Processor], run: HarnessRun) -> Query:
    names = sorted(p.run_history_name for p in processors if p.run_history_name)
    params = {"start": run.window.start, "end": run.window.end, "processors": names}
    return f"{label} run history", latest_runs_sql(run.pipeline), params


def cost_lines(run: HarnessRun) -> list[str]:
    """Dry runs of every validation query: bytes each would bill and the total; a query BigQuery refuses
    (a missing table, a byte cap) is shown with the reason instead."""
    from harness.checking.coverage import reads_metadata

    lines = ["validation queries, dry run (bytes billed on demand):"]
    total, refused = 0, 0
    try:
        with run.warehouse.connect() as conn:
            for label, sql, params in validation_queries(run, reads_metadata(conn)):
                try:
                    scanned = conn.dry_run(sql, params)  # type: ignore[attr-defined]
                except HarnessError as exc:
                    refused += 1
                    lines.append(f"  {label}: not priced: {exc}")
                    continue
                total += scanned
                lines.append(f"  {label}: {_bytes(scanned)}")
    except HarnessError as exc:
        return [*lines, f"  not priced: {exc}"]
    unpriced = f"; {refused} queries not priced" if refused else ""
    lines.append(f"  total: {_bytes(total)}{unpriced}")
    if run.settings.bigquery_endpoint.value:
        lines.append("  (an emulator endpoint is set: emulators report 0 bytes for every dry run)")
    return lines


def _bytes(count: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count:,} bytes ({count / size:.1f} {unit})"
    return f"{count:,} bytes"


def _expected(run: HarnessRun, expected_dates: str, days: list[date]) -> str:
    if expected_dates == "after_bootstrap":
        boot, days = run.window.split_bootstrap(days)
        exempt = f"; {len(boot)} bootstrap dates EXEMPT" if boot else ""
    else:
        exempt = ""
    span = f" ({days[0]}..{days[-1]})" if days else ""
    return f"{len(days)} game dates{span}{exempt}"
