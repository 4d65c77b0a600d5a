"""Run history for the window: the latest run per processor and date, from one query.

Readers of ``processor_run_history`` take the latest run by ``started_at``. Each run streams a
``running`` row when it starts and a final row when it ends, both with the run's id; a latest run with
no final row crashed (or is still going), and a latest run that ended ``failed`` means the date needs
a re-run, whatever the script's exit code said.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from harness.declaration.model import Pipeline, Processor
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date


class RunState(enum.Enum):
    """How a processor's latest run on a date ended, as its run-history rows say."""

    SUCCESS = "success"
    PARTIAL = "partial"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNFINISHED = "crashed"
    """A ``running`` row and no final row."""

    @classmethod
    def of_final(cls, status: str) -> RunState:
        """The state a final row's status means; a status the harness does not know counts as failed."""
        try:
            state = cls(status)
        except ValueError:
            return cls.FAILED
        return cls.FAILED if state is cls.UNFINISHED else state


def latest_runs_sql(pipeline: Pipeline) -> str:
    """The latest run per processor and data date in the window: one row each."""
    table = pipeline.tables[pipeline.run_history]
    return f"""
WITH runs AS (
  SELECT processor_name, data_date, run_id,
    MIN(started_at) AS started_at,
    COUNTIF(status <> 'running') AS final_rows,
    MAX(IF(status <> 'running', status, NULL)) AS final_status,
    MAX(IF(status <> 'running', TO_JSON_STRING(errors), NULL)) AS errors,
    MAX(records_processed) AS records_processed,
    MAX(skip_reason) AS skip_reason
  FROM {table.ref}
  WHERE data_date BETWEEN @start AND @end AND processor_name IN UNNEST(@processors)
  GROUP BY processor_name, data_date, run_id
), ranked AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY processor_name, data_date ORDER BY started_at DESC, run_id DESC) AS recency
  FROM runs
)
SELECT processor_name, data_date, run_id, started_at, final_rows, final_status, errors, records_processed, skip_reason
FROM ranked WHERE recency = 1
"""


def totals_sql(pipeline: Pipeline) -> str:
    """Final runs per processor and status in the window: dates, seconds and records."""
    table = pipeline.tables[pipeline.run_history]
    return (
        "SELECT processor_name, status, COUNT(DISTINCT data_date) AS dates, SUM(duration_seconds) AS seconds, "
        f"SUM(records_processed) AS records FROM {table.ref} "
        "WHERE data_date BETWEEN @start AND @end AND status <> 'running' GROUP BY 1, 2 ORDER BY 1, 2"
    )


@dataclass(frozen=True)
class LatestRun:
    """The latest run of one processor on one data date."""

    processor: str
    day: date
    run_id: str
    started_at: datetime
    state: RunState
    errors: str | None
    records: int | None
    skip_reason: str | None

    @property
    def status(self) -> str:
        """The state as the run-history frame and the report show it."""
        return self.state.value

    @property
    def problem(self) -> str | None:
        """Why this date needs attention, or None."""
        return self.explained(None)

    def explained(self, lock_minutes: int | None) -> str | None:
        """Why this date needs attention and what to do, or None. An unfinished run of a processor that
        takes a lock (``lock_minutes``) may be a lock another run held rather than a crash."""
        if self.state is RunState.UNFINISHED:
            started = f"{self.started_at:%Y-%m-%d %H:%M:%S}"
            if lock_minutes:
                return (
                    f"run {self.run_id} started {started} and has only its 'running' row: it crashed, or another "
                    f"run held its lock (stale after {lock_minutes} minutes); wait out the lock or clear it, "
                    "then run --mode missing"
                )
            return f"run {self.run_id} started {started} and never finished (crashed); run --mode missing"
        if self.state is RunState.FAILED:
            return f"failed in run {self.run_id}: {self.errors or 'no error recorded'}"
        return None

    def to_record(self) -> dict[str, Any]:
        """The run as a JSON record, for the sign-off in another process."""
        return {
            "processor": self.processor,
            "day": self.day.isoformat(),
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "state": self.state.value,
            "errors": self.errors,
            "records": self.records,
            "skip_reason": self.skip_reason,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> LatestRun:
        """The run ``to_record`` wrote."""
        return cls(
            processor=record["processor"],
            day=date.fromisoformat(record["day"]),
            run_id=record["run_id"],
            started_at=datetime.fromisoformat(record["started_at"]),
            state=RunState(record["state"]),
            errors=record["errors"],
            records=record["records"],
            skip_reason=record["skip_reason"],
        )


@dataclass(frozen=True)
class HistoryTotal:
    """Final runs of one processor with one status in the window."""

    processor: str
    status: str
    dates: int
    seconds: float
    records: int


RunsByDay = dict[date, LatestRun]


def latest_runs(
    conn: Connection, pipeline: Pipeline, processors: Sequence[Processor], window: Window
) -> dict[str, RunsByDay]:
    """``{processor name: {data date: latest run}}`` for the processors that write run history."""
    names = {p.run_history_name: p.name for p in processors if p.run_history_name}
    result: dict[str, RunsByDay] = {name: {} for name in names.values()}
    if not names:
        return result
    frame = conn.query(
        latest_runs_sql(pipeline), {"start": window.start, "end": window.end, "processors": sorted(names)}
    )
    for row in frame.itertuples(index=False):
        day = to_date(row.data_date)
        state = RunState.of_final(str(row.final_status)) if int(row.final_rows) else RunState.UNFINISHED
        result[names[row.processor_name]][day] = LatestRun(
            processor=names[row.processor_name],
            day=day,
            run_id=str(row.run_id),
            started_at=row.started_at,
            state=state,
            errors=_error_text(_text(row.errors)),
            records=None if _text(row.records_processed) is None else int(row.records_processed),
            skip_reason=_text(row.skip_reason),
        )
    return result


def history_totals(conn: Connection, pipeline: Pipeline, window: Window) -> list[HistoryTotal]:
    """Final runs per processor and status in the window (the report's run-history totals)."""
    frame = conn.query(totals_sql(pipeline), {"start": window.start, "end": window.end})
    return [
        HistoryTotal(
            str(r.processor_name), str(r.status), int(r.dates), _number(r.seconds), int(_number(r.records))
        )
        for r in frame.itertuples(index=False)
    ]


def history_problems(
    runs: Mapping[date, LatestRun], days: Sequence[date], lock_minutes: int | None = None
) -> dict[date, str]:
    """For each of ``days`` that needs attention: no run history, a failed or an unfinished latest run."""
    problems = {}
    for day in days:
        run = runs.get(day)
        problem = "no run history" if run is None else run.explained(lock_minutes)
        if problem:
            problems[day] = problem
    return problems


def _error_text(raw: str | None) -> str | None:
    """``BadRequest: query exceeded resources`` from the writer's JSON array of error objects."""
    try:
        errors = json.loads(raw) if raw else None
    except ValueError:
        return raw
    if isinstance(errors, list) and errors and all(isinstance(e, dict) for e in errors):
        return "; ".join(f"{e.get('error_type', 'error')}: {e.get('error_message', '')}" for e in errors)
    return raw


def _text(value: object) -> str | None:
    """A nullable cell as text (pandas gives None, NaN, NaT or NA for SQL NULL; JSON NULL is ``null``)."""
    import pandas as pd

    if value is None or pd.isna(value) or str(value) == "null":
        return None
    return str(value)


def _number(value: object) -> float:
    """A nullable numeric cell as a float, 0 for NULL."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if number != number else number
