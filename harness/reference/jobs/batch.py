"""A batch of dates: the processor's SQL once for all of them, then each date on its own, as the checks
before it decided (process it, fail it with a recorded error, or leave it with a lock held)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from harness.errors import HarnessError
from harness.reference.jobs.job import (
    Job,
    Log,
    error_json,
    history_insert,
    history_row,
    season_start,
    write_history,
)
from harness.warehouse.base import Connection, to_date


@dataclass(frozen=True)
class Refusal:
    """Why a date is not processed after its run started: a recorded failure, or a lock another run holds
    (``error_type`` None: the run then leaves only its ``running`` row and counts as a success)."""

    message: str
    error_type: str | None = "ValueError"


def compute(conn: Connection, job: Job, days: Sequence[date]) -> tuple[list[str], dict[date, int]]:
    """The processor's SQL for the batch into the session temp table ``job.scratch``; its columns (a
    subset of the output table's, which keeps its own defaults for the rest) and the rows computed per
    date, which is what each date's swap writes. The SQL gets the batch's first and last date and the first
    day of the first date's season, the bounds of its partition filters."""
    first = min(days)
    bounds = {"start_date": first, "end_date": max(days), "season_start": season_start(first)}
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {job.scratch} AS {job.sql.strip().rstrip(';')}", bounds)
    counts = conn.rows(f"SELECT {job.table.date_column} AS day, COUNT(*) AS n FROM {job.scratch} GROUP BY 1")
    columns = list(conn.rows(f"SELECT * FROM {job.scratch} LIMIT 0").columns)
    return columns, {to_date(day): int(n) for day, n in counts.values}


def swap_date(
    conn: Connection, job: Job, day: date, columns: Sequence[str], history: Mapping[str, object]
) -> None:
    """Swap one date's rows for the freshly computed ones (``columns``, matched by name), then write the
    date's final run-history row, as one multi-statement transaction: on BigQuery one job, rolled back whole
    when any statement fails. Every statement names the date, so it touches that date's partition only."""
    table, column = job.table.ref, job.table.date_column
    names = ", ".join(columns)
    statements = [
        f"DELETE FROM {table} WHERE {column} = @day",
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {job.scratch} WHERE {column} = @day",
    ]
    history_sql, history_params = history_insert(job, dict(history))
    if history_sql:
        statements.append(history_sql)
    conn.script(";\n".join(statements), {"day": day, **history_params})


def run_batch(
    conn: Connection, job: Job, days: Sequence[date], log: Log, refusals: Mapping[date, Refusal]
) -> int:
    """Compute ``days`` with one set-based query, then commit each date on its own; returns the dates
    that failed (a script that writes no run history fails a date on which it wrote no rows)."""
    failures = 0
    computed: dict[date, int] = {}
    columns: list[str] = []
    compute_error: HarnessError | None = None
    todo = [d for d in days if d not in refusals]
    try:
        if todo:
            columns, computed = compute(conn, job, todo)
    except HarnessError as exc:
        compute_error = exc
    for day in days:
        started = datetime.now(UTC)
        log.start(day)
        write_history(conn, job, history_row(job, day, "running", started))
        refusal = refusals.get(day)
        if refusal is not None and refusal.error_type is None:
            log.say(refusal.message, "WARNING")
            log.success(0)
            continue
        try:
            if refusal is not None:
                raise _Refused(refusal)
            if compute_error is not None:
                raise compute_error
            records = computed.get(day, 0)
            swap_date(
                conn, job, day, columns, history_row(job, day, "success", started, records_processed=records)
            )
        except (HarnessError, _Refused) as exc:
            failures += 1
            kind = exc.refusal.error_type if isinstance(exc, _Refused) else type(exc).__name__
            errors = error_json(kind or "Error", str(exc), started)
            row = history_row(job, day, "failed", started, errors=errors, failure_category="processing_error")
            write_history(conn, job, row)
            log.failure(day, str(exc))
            continue
        if records == 0 and not job.processor.writes_run_history:
            failures += 1  # process_date() returns 'failed' when it saved nothing
            log.say(f"⚠️  {day}: Processing failed - unknown", "WARNING")
        else:
            log.success(records)
    return failures


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal
