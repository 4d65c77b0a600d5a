"""What the run's BigQuery jobs were billed, measured from ``region-<location>.INFORMATION_SCHEMA.JOBS``.

After the processors ran, one query reads the jobs created in the project since the run started. A job
belongs to a processor when it carries the run's labels (``harness_run_id`` and ``processor``, as the
reference jobs set them), or, for scripts that set no labels, when it was created by the run's principal
(the ``user_email`` of the run's own labelled jobs: the same credentials) while that processor, and no
other, was running. The harness's own jobs carry the run label and no processor. Overlapping processors
share a time span, so an unlabelled job there is counted apart (``unattributed``), never guessed.

A multi-statement job is billed by its child jobs, which JOBS lists too: its parent row (statement type
``SCRIPT``) is left out so nothing is counted twice. JOBS keeps 180 days and is partitioned by
``creation_time``; the read filters on it. It needs ``bigquery.jobs.listAll`` on the project
(``roles/bigquery.resourceViewer``); without it the measurement is skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from harness.context.run import RunContext
from harness.errors import HarnessError
from harness.running.backfill import Backfill
from harness.running.once import once_record

HARNESS = "harness"
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class JobRow:
    """One row of ``INFORMATION_SCHEMA.JOBS``, in the columns the measurement reads."""

    creation_time: datetime
    user_email: str
    statement_type: str | None
    total_bytes_billed: int | None
    total_slot_ms: int | None
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Usage:
    """What a set of jobs was billed: bytes (on-demand) and slot time (capacity pricing)."""

    jobs: int = 0
    bytes_billed: int = 0
    slot_ms: int = 0

    def plus(self, row: JobRow) -> Usage:
        """This usage with one more job."""
        return Usage(
            self.jobs + 1,
            self.bytes_billed + (row.total_bytes_billed or 0),
            self.slot_ms + (row.total_slot_ms or 0),
        )


@dataclass(frozen=True)
class Span:
    """When a processor ran (epoch seconds, as the runner records them)."""

    processor: str
    started: float
    ended: float


def jobs_sql(location: str) -> str:
    """The run's candidate jobs: every query job of the project created in ``[@since, @until]``.
    ``location`` was validated as a BigQuery location (letters, digits, ``-``) when the warehouse was made."""
    return (
        "SELECT creation_time, user_email, statement_type, total_bytes_billed, total_slot_ms, labels "
        f"FROM `region-{location.lower()}`.INFORMATION_SCHEMA.JOBS "
        "WHERE creation_time BETWEEN @since AND @until AND job_type = 'QUERY'"
    )


def attribute(rows: Iterable[JobRow], run_id: str, spans: Sequence[Span]) -> dict[str, Usage]:
    """Usage per processor, ``harness`` for the run's own jobs and ``unattributed`` for the principal's
    unlabelled jobs while several processors ran (see the module docstring)."""
    rows = list(rows)
    principals = {r.user_email for r in rows if r.labels.get("harness_run_id") == run_id}
    usage: dict[str, Usage] = {}
    for row in rows:
        if row.statement_type == "SCRIPT":
            continue  # billed by its child jobs, which are rows of their own
        owner = _owner(row, run_id, principals, spans)
        if owner is not None:
            usage[owner] = usage.get(owner, Usage()).plus(row)
    return usage


def _owner(row: JobRow, run_id: str, principals: set[str], spans: Sequence[Span]) -> str | None:
    if row.labels.get("harness_run_id") == run_id:
        return row.labels.get("processor") or HARNESS
    if row.user_email not in principals or "harness_run_id" in row.labels:
        return None  # someone else's job, or another harness run's
    moment = row.creation_time.timestamp()
    running = [s.processor for s in spans if s.started <= moment <= s.ended]
    if not running:
        return None
    return running[0] if len(running) == 1 else UNATTRIBUTED


@dataclass(frozen=True)
class Measured:
    """The run's usage per processor from JOBS, or why it was not measured."""

    usage: dict[str, Usage] = field(default_factory=dict)
    skipped: str | None = None


def measure(run: RunContext) -> Measured:
    """Read JOBS once for the run's time span and attribute the jobs to the processors that ran (their
    records in the run directory); on the embedded warehouse, or when BigQuery refuses the read, the
    reason instead."""
    location = run.warehouse.location
    if run.warehouse.embedded or location is None:
        why = "the embedded warehouse bills nothing" if run.warehouse.embedded else "no BigQuery location"
        return Measured(skipped=f"bytes billed not measured: {why}")
    spans = [
        Span(outcome.name, outcome.result.started, outcome.result.ended)
        for name in run.pipeline.processors
        if (record := once_record(run.directory / "once", name)) is not None
        and (outcome := Backfill.from_record(record)).result is not None
    ]
    params = {"since": run.started_at, "until": datetime.now(UTC)}
    try:
        with run.warehouse.connect() as conn:
            frame = conn.query(jobs_sql(location), params)
    except HarnessError as exc:
        return Measured(
            skipped=f"bytes billed not measured: INFORMATION_SCHEMA.JOBS could not be read: {exc}"
        )
    rows = [
        JobRow(
            creation_time=row.creation_time.to_pydatetime(),
            user_email=str(row.user_email),
            statement_type=None if row.statement_type is None else str(row.statement_type),
            total_bytes_billed=_int(row.total_bytes_billed),
            total_slot_ms=_int(row.total_slot_ms),
            labels={str(item["key"]): str(item["value"]) for item in row.labels},
        )
        for row in frame.itertuples(index=False)
    ]
    return Measured(usage=attribute(rows, run.run_id, spans))


def _int(value: object) -> int | None:
    return None if value is None or value != value else int(value)  # type: ignore[call-overload]
