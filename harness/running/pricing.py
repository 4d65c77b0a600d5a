"""What a run's own queries would cost on BigQuery, from dry runs: free, and nothing runs.

The plan lists every query the harness sends in a run, in the order a run sends them: Step 1's checks
(``INFORMATION_SCHEMA.COLUMNS`` per dataset and the rows the phases require), the schedule's game dates,
Step 0, each processor's judgement, the gates, each phase's checks and the sign-off's reads (run history,
and on BigQuery the run's jobs in ``INFORMATION_SCHEMA.JOBS``).
Each is priced as on-demand billing bills it: the bytes processed rounded up to the MB, and at least 10 MB
for every table the query references (an ``INFORMATION_SCHEMA`` view counts as one), so a query that reads
little still costs 10 MB a table. A byte cap below the largest of those minimums would make that query fail
("... or higher required") on every run, so it is refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.checking.chains import coverage_sql as chains_sql
from harness.checking.changes import (
    compared_columns,
    diff_params,
    diff_sql,
    fingerprints_sql,
    outside_params,
    time_travel_source,
    window_rows_sql,
)
from harness.checking.coverage import METADATA, coverage_method, coverage_query
from harness.checking.entities import entities_query, qualifying_query
from harness.checking.history import latest_runs_sql, totals_sql
from harness.checking.preflight import required_rows_sql
from harness.checking.quality import quality_sql
from harness.checking.reconcile import checks_of, mismatches_query
from harness.checking.schedule import game_dates_sql
from harness.checking.scores import scores_sql
from harness.context.run import RunContext
from harness.declaration.model import Processor, Table
from harness.errors import ConfigError, HarnessError
from harness.running.billing import jobs_sql
from harness.running.snapshot import uses_time_travel

Query = tuple[str, str, dict[str, Any]]
"""(what it is for, BigQuery SQL, parameters)."""

MB = 2**20
TABLE_MINIMUM = 10 * MB
"""On-demand pricing bills at least 10 MB for each table a query references."""


def validation_queries(run: RunContext, metadata: bool) -> Iterator[Query]:
    """Every query the harness sends in a run of the window, with the parameters the run binds."""
    from harness.warehouse.bigquery.statements import columns_sql  # imports sqlglot: only when pricing

    pipeline, window = run.pipeline, run.window
    span = {"start": window.start, "end": window.end}
    yield "Step 1 warehouse answers", "SELECT 1 AS ok", {}
    for dataset in sorted(set(pipeline.datasets.values())):
        yield f"Step 1 columns of {dataset}", columns_sql(dataset), {}
    required = {r.table: pipeline.tables[r.table] for p in pipeline.phases.values() for r in p.requires_rows}
    if required:
        yield "Step 1 rows on every game date", required_rows_sql(list(required.values())), span
    seasons = {
        "start": min([window.start, *(s.opener for s in window.seasons)]),
        "end": max([window.end, *(s.last_day for s in window.seasons)]),
        "final": pipeline.schedule.final_status,
    }
    yield "schedule: game dates of the window's seasons", game_dates_sql(pipeline), seasons
    yield (
        "Step 0 source chains",
        chains_sql(pipeline),
        {**span, "final_status": pipeline.schedule.final_status},
    )
    outputs = list({p.output: pipeline.output_table(p) for p in pipeline.processors.values()}.values())
    yield _coverage("pre-test state", outputs, run, metadata)
    for processor in pipeline.processors.values():
        yield from _change_queries(run, processor)
        yield from _judge_queries(run, processor, metadata)
    for phase in pipeline.phases.values():
        for earlier in phase.needs_complete:
            before = pipeline.phases[earlier]
            gate = f"{phase.name} gate: {before.name}"
            yield _coverage(gate, pipeline.phase_tables(earlier), run, metadata)
    for phase in pipeline.phases.values():
        yield from _phase_queries(run, phase.name, pipeline.phase_tables(phase.number), metadata)
    yield _history("run history, every processor", list(pipeline.processors.values()), run)
    yield "sign-off run history totals", totals_sql(pipeline), span
    if run.warehouse.location is not None:
        since = {"since": run.started_at, "until": run.started_at}
        yield "sign-off bytes billed (INFORMATION_SCHEMA.JOBS)", jobs_sql(run.warehouse.location), since


def _phase_queries(run: RunContext, name: str, tables: list[Table], metadata: bool) -> Iterator[Query]:
    """A phase's checks: coverage, expected entities (and where they first appear, sent only when a table
    expects none in the window), reconciliations, grains and ranges, and quality scores."""
    span = {"start": run.window.start, "end": run.window.end}
    yield _coverage(name, tables, run, metadata)
    ruled = [t for t in tables if t.entities]
    if ruled:
        sql, params = entities_query(run.pipeline, ruled)
        yield f"{name} expected entities", sql, {**params, **span}
        sql, params = qualifying_query(run.pipeline, ruled)
        yield f"{name} first date with entities (only when a table expects none)", sql, {**params, **span}
    if checks_of(tables):
        yield f"{name} reconciliations", mismatches_query(run.pipeline, tables), span
    sql, bounds = quality_sql(tables)
    yield f"{name} grains and ranges", sql, {**span, **bounds}
    if (scores := scores_sql(tables)) is not None:
        yield f"{name} quality scores", scores, span


def _change_queries(run: RunContext, processor: Processor) -> Iterator[Query]:
    """What finding a processor's changes sends (``harness.running.snapshot``): the fingerprints outside
    the window before and after, the copy of the window (unless time travel reads it back) and the diff.
    The run compares every column the table has, which only its ``INFORMATION_SCHEMA`` knows; the plan
    prices the declared ones, so its bytes are a lower bound there (the 10 MB minimums are exact). The diff
    is priced against the table itself: the copy does not exist before the run."""
    table = run.pipeline.output_table(processor)
    columns = compared_columns(table, table.required_columns, run.pipeline.rewritten_columns)
    span = {"start": run.window.start, "end": run.window.end}
    label = f"what changed {processor.name}"
    fingerprints = fingerprints_sql(table, columns, table.ref)
    yield f"{label}: fingerprints outside the window, before", fingerprints, outside_params(run.window)
    if uses_time_travel(run, run.timeout or processor.timeout_seconds):
        source, before_at = time_travel_source(table), run.started_at
    else:
        # Billed as the SELECT it copies, and priced as that: the plan dry-runs queries, not DDL.
        yield f"{label}: copy of the window", window_rows_sql(table), span
        source, before_at = table.ref, None
    yield f"{label}: diff on the grain", diff_sql(table, columns, source), diff_params(run.window, before_at)
    yield f"{label}: fingerprints outside the window, after", fingerprints, outside_params(run.window)


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


def referenced_tables(sql: str) -> set[str]:
    """``dataset.table`` of every table the SQL names (CTEs and UNNEST aliases are not tables)."""
    import sqlglot
    from sqlglot import exp

    return {
        f"{table.db}.{table.name}".lower()
        for tree in sqlglot.parse(sql, read="bigquery")
        if tree is not None
        for table in tree.find_all(exp.Table)
        if table.db
    }


def billed_bytes(processed: int, tables: int) -> int:
    """What on-demand pricing bills for a query: its bytes rounded up to the MB, at least 10 MB for each
    table it references; nothing for a query that references no table and reads nothing (``SELECT 1``)."""
    rounded = -(-processed // MB) * MB
    return max(rounded, TABLE_MINIMUM * tables)


def minimum_cap(run: RunContext) -> tuple[int, str]:
    """The smallest ``maximum_bytes_billed`` under which every query of the run can run (the largest
    per-query minimum), and the query that needs it."""
    needs = [
        (TABLE_MINIMUM * len(referenced_tables(sql)), label)
        for label, sql, _ in validation_queries(run, run.warehouse.partition_metadata)
    ]
    return max(needs)


def refuse_low_cap(run: RunContext) -> None:
    """A usage error when ``--maximum-bytes-billed`` is below what a query of the run is billed at least:
    that query would fail with "... or higher required" on every run. Only BigQuery has a cap."""
    cap = run.settings.maximum_bytes_billed.value
    if run.warehouse.embedded or not cap:
        return
    minimum, label = minimum_cap(run)
    if int(cap) < minimum:
        raise ConfigError(
            f"--maximum-bytes-billed {cap} is below the {minimum} bytes ({minimum // MB} MB) that BigQuery "
            f"bills at least for this run's largest query ({label}: 10 MB per table it references); pass "
            f"--maximum-bytes-billed {minimum} or more"
        )


def cost_lines(run: RunContext) -> list[str]:
    """Dry runs of every query of the run: bytes each would process and bill, and the total billed; a
    query BigQuery refuses (a missing table, a byte cap) is shown with the reason instead."""
    lines = ["the harness's queries, dry run (on-demand billing: rounded up to the MB, 10 MB per table):"]
    total, refused = 0, 0
    try:
        with run.warehouse.connect() as conn:
            for label, sql, params in validation_queries(run, run.warehouse.partition_metadata):
                try:
                    dry = conn.dry_run(sql, params)
                except HarnessError as exc:
                    refused += 1
                    lines.append(f"  {label}: not priced: {exc}")
                    continue
                processed = dry.bytes_processed if dry else 0
                tables = max(len(dry.referenced_tables) if dry else 0, len(referenced_tables(sql)))
                billed = billed_bytes(processed, tables)
                total += billed
                lines.append(
                    f"  {label}: {_bytes(processed)} processed, {_bytes(billed)} billed ({tables} tables)"
                )
    except HarnessError as exc:
        return [*lines, f"  not priced: {exc}"]
    unpriced = f"; {refused} queries not priced" if refused else ""
    lines.append(f"  total billed: {_bytes(total)}{unpriced}")
    if run.settings.bigquery_endpoint.value:
        lines.append("  (an emulator endpoint is set: emulators report 0 bytes for every dry run)")
    return lines


def _bytes(count: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count:,} bytes ({count / size:.1f} {unit})"
    return f"{count:,} bytes"
