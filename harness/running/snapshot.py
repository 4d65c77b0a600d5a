"""The snapshot before a processor writes, and after it ran what it changed (``harness.checking.changes``).

The embedded warehouse copies the window's rows beside the table (measured in ``bench/RESULTS.md``).
BigQuery reads the table ``FOR SYSTEM_TIME AS OF`` the warehouse's clock before the processor started,
which copies nothing, when the processor's timeout is inside the 48-hour minimum time-travel window; a
longer run, or an emulator (it cannot bind a parameter in ``FOR SYSTEM_TIME AS OF``), gets the copy,
which expires after a day. The copy is dropped after the diff unless ``--keep-snapshots``.
"""

from __future__ import annotations

from time import perf_counter

from harness.checking.changes import (
    Before,
    TableChanges,
    compared_columns,
    copy_sql,
    read_diff,
    read_fingerprints,
    snapshot_name,
    time_travel_source,
    touched_outside,
)
from harness.context.run import RunContext
from harness.declaration.model import Processor
from harness.errors import HarnessError
from harness.warehouse.base import Connection

TIME_TRAVEL_SECONDS = 48 * 3600
"""BigQuery's shortest configurable time-travel window: a processor that may run longer gets a copy."""


def uses_time_travel(run: RunContext, timeout: float) -> bool:
    """Whether the rows before the run can be read back by time travel instead of copied."""
    emulator = bool(run.settings.bigquery_endpoint.value)
    return run.warehouse.kind == "bigquery" and not emulator and timeout < TIME_TRAVEL_SECONDS


def planned_copy(run: RunContext, processor: Processor, timeout: float) -> str | None:
    """The copy ``take_before`` makes for the processor, named before it exists (None under time travel),
    so that an interruption at any point from its creation to the diff can drop it."""
    if uses_time_travel(run, timeout):
        return None
    return snapshot_name(run.pipeline.output_table(processor), run.snapshot_tag)


def take_before(run: RunContext, processor: Processor, timeout: float) -> Before:
    """What the processor's table holds before it writes: outside the window its per-date fingerprints,
    inside it a copy of the rows or the time to travel back to (one connection, three or four queries)."""
    table = run.pipeline.output_table(processor)
    started = perf_counter()
    window = {"start": run.window.start, "end": run.window.end}
    with run.warehouse.connect() as conn:
        found = conn.table_columns([table.dataset]).get(table.ref, [])
        columns = compared_columns(table, found, run.pipeline.rewritten_columns)
        outside = read_fingerprints(conn, table, columns, run.window)
        copy = planned_copy(run, processor, timeout)
        if copy is None:
            before_at = conn.query("SELECT CURRENT_TIMESTAMP() AS now").iloc[0, 0].to_pydatetime()
            source, method = time_travel_source(table), "time travel"
        else:
            conn.execute(f"DROP TABLE IF EXISTS {copy}; {copy_sql(table, copy)}", window)
            source, method, before_at = copy, "copy", None
    return Before(table.name, source, method, columns, outside, copy, before_at, perf_counter() - started)


def what_changed(conn: Connection, run: RunContext, processor: Processor, before: Before) -> TableChanges:
    """The diff of the window against ``before`` and the dates outside it that changed (two queries, on
    the caller's connection); the copy is dropped here, whatever happened, unless ``--keep-snapshots``."""
    table = run.pipeline.output_table(processor)
    started = perf_counter()
    try:
        days = read_diff(conn, table, before, run.window)
        after = read_fingerprints(conn, table, before.columns, run.window)
    finally:
        if before.copy is not None and not run.keep_snapshots:
            conn.execute(f"DROP TABLE IF EXISTS {before.copy}")
    outside = touched_outside(before.outside, after)
    seconds = before.seconds + perf_counter() - started
    return TableChanges(table.name, before.method, days, outside, seconds)


def drop_copy(run: RunContext, copy: str | None) -> None:
    """Remove the copy when the processor's run ended without a diff (interrupted, from the copy's
    creation to the diff); best effort, as the run is already ending (on BigQuery the copy expires after a
    day anyway)."""
    if copy is None or run.keep_snapshots:
        return
    try:
        with run.warehouse.connect() as conn:
            conn.execute(f"DROP TABLE IF EXISTS {copy}")
    except HarnessError:
        pass
