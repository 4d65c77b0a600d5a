"""What the validation queries of a run would cost on BigQuery, from dry runs: free, and nothing runs.

The plan prints each query's bytes and the total (on-demand pricing bills the bytes), so a run can be
priced against production before anything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.checking.chains import coverage_sql as chains_sql
from harness.checking.coverage import METADATA, coverage_method, coverage_query
from harness.checking.history import latest_runs_sql
from harness.checking.quality import quality_sql
from harness.checking.scores import scores_sql
from harness.context.run import RunContext
from harness.declaration.model import Processor, Table
from harness.errors import HarnessError

Query = tuple[str, str, dict[str, Any]]
"""(what it is for, BigQuery SQL, parameters)."""


def validation_queries(run: RunContext, metadata: bool) -> Iterator[Query]:
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
    for phase in pipeline.phases.values():
        for earlier in phase.needs_complete:
            before = pipeline.phases[earlier]
            gate = f"{phase.name} gate: {before.name}"
            yield _coverage(gate, pipeline.phase_tables(earlier), run, metadata)
    for phase in pipeline.phases.values():
        tables = pipeline.phase_tables(phase.number)
        yield _coverage(phase.name, tables, run, metadata)
        sql, bounds = quality_sql(tables)
        yield f"{phase.name} grains and ranges", sql, {**span, **bounds}
        if (scores := scores_sql(tables)) is not None:
            yield f"{phase.name} quality scores", scores, span
    yield _history("run history, every processor", list(pipeline.processors.values()), run)


def _judge_queries(run: RunContext, processor: Processor, metadata: bool) -> Iterator[Query]:
    """Judging a processor reads its table's coverage and, when it writes any, its run history."""
    yield _coverage(f"judge {processor.name}", [run.pipeline.output_table(processor)], run, metadata)
    if processor.writes_run_history:
        yield _history(f"judge {processor.name}", [processor], run)


def _coverage(label: str, tables: list[Table], run: RunContext, metadata: bool) -> Query:
    read = sum(coverage_method(t, metadata) == METADATA for t in tables)
    how = f"{read} of {len(tables)} tables from {METADATA}" if read else "date column scan"
    return f"{label} coverage ({how})", *coverage_query(tables, run.window, metadata)


def _history(label: str, processors: list[Processor], run: RunContext) -> Query:
    names = sorted(p.run_history_name for p in processors if p.run_history_name)
    params = {"start": run.window.start, "end": run.window.end, "processors": names}
    return f"{label} run history", latest_runs_sql(run.pipeline), params


def cost_lines(run: RunContext) -> list[str]:
    """Dry runs of every validation query: bytes each would bill and the total; a query BigQuery refuses
    (a missing table, a byte cap) is shown with the reason instead."""
    lines = ["validation queries, dry run (bytes billed on demand):"]
    total, refused = 0, 0
    try:
        with run.warehouse.connect() as conn:
            for label, sql, params in validation_queries(run, run.warehouse.partition_metadata):
                try:
                    scanned = conn.dry_run(sql, params) or 0
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
