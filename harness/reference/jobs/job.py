"""One job: a reference processor over a list of dates, its run-history rows, its log lines and the
schedule questions every job asks."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from harness.declaration.model import Pipeline, Processor, Table
from harness.errors import ConfigError
from harness.reference.queries import processor_kind, processor_sql
from harness.warehouse import Warehouse, open_warehouse
from harness.warehouse.base import Connection, to_date

PHASE_NAMES = {"analytics": "phase_3_analytics", "precompute": "phase_4_precompute"}
LOCK_MINUTES = 10
"""The real Phase 3 lock's staleness (analytics_base.py), when the declaration does not say."""


@dataclass(frozen=True)
class Job:
    """One processor's run over a list of dates."""

    processor: Processor
    table: Table
    pipeline: Pipeline
    run_id: str
    shared_temp_tables: bool = True
    """Whether other sessions see this one's temp tables: the BigQuery emulator keeps them in one dataset
    for every session (BigQuery does not); DuckDB's belong to their connection."""

    @property
    def scratch(self) -> str:
        """The session temp table of computed rows: named per run where temp tables are shared, so parallel
        jobs do not meet; otherwise one name, so that the statements naming it read the same every run
        and their DuckDB translations are reused (``duckdb_sql``)."""
        return f"_harness_out_{self.run_id.rsplit('_', 1)[-1]}" if self.shared_temp_tables else "_harness_out"

    @property
    def sql(self) -> str:
        """The processor's query (``harness.reference.queries``)."""
        return processor_sql(self.processor.name)

    @property
    def kind(self) -> str:
        """``analytics`` (calendar days, early exit, lock) or ``precompute`` (game dates, bootstrap skip)."""
        return processor_kind(self.processor.name) or "analytics"

    @property
    def history_name(self) -> str:
        """The ``processor_name`` of its run-history rows and locks: the real processor's class name."""
        return self.processor.run_history_name or self.processor.name

    @property
    def lock_minutes(self) -> int:
        """How long another run's lock holds this processor off a date."""
        return self.pipeline.phases[self.processor.phase].lock_minutes or LOCK_MINUTES


def season_year(day: date) -> int:
    """get_season_year_from_date: October onwards belongs to that year's season."""
    return day.year if day.month >= 10 else day.year - 1


def season_start(day: date) -> date:
    """Oct 1 of ``day``'s season: no season-to-date lookback reaches before it (the real processors'
    own season boundary)."""
    return date(season_year(day), 10, 1)


def history_row(job: Job, day: date, status: str, started: datetime, **fields: object) -> dict[str, object]:
    """A ``processor_run_history`` row for ``day`` in the real writer's shape."""
    now = datetime.now(UTC)
    return {
        "processor_name": job.history_name,
        "run_id": job.run_id,
        "season_year": season_year(day),
        "status": status,
        "data_date": day,
        "started_at": started,
        "processed_at": None if status == "running" else now,
        "duration_seconds": None if status == "running" else (now - started).total_seconds(),
        "phase": PHASE_NAMES[job.kind],
        "output_table": job.table.name,
        "output_dataset": job.table.dataset,
        "backfill_mode": True,
        "execution_host": socket.gethostname(),
        "triggered_by": "harness.reference.jobs",
        "records_processed": fields.pop("records_processed", 0),
        "errors": fields.pop("errors", None),
        "failure_category": fields.pop("failure_category", None),
        "skip_reason": fields.pop("skip_reason", None),
        "summary": json.dumps(fields) if fields else None,
    }


def error_json(error_type: str, message: str, started: datetime) -> str:
    """The run-history ``errors`` of a failed run: a one-element array, as run_history_mixin.py writes."""
    return json.dumps(
        [{"error_type": error_type, "error_message": message, "timestamp": started.isoformat()}]
    )


def history_insert(job: Job, row: dict[str, object]) -> tuple[str, dict[str, object]]:
    """The INSERT of a run-history row and its parameters; ``("", {})`` for a processor that writes none
    (like UPGC's script)."""
    if not job.processor.writes_run_history:
        return "", {}
    # Unset fields are left out (NULL by default): BigQuery cannot type a NULL query parameter.
    row = {key: value for key, value in row.items() if value is not None}
    columns = ", ".join(row)
    values = ", ".join(f"PARSE_JSON(@{k})" if k in ("errors", "summary") else f"@{k}" for k in row)
    history = job.pipeline.tables[job.pipeline.run_history]
    return f"INSERT INTO {history.ref} ({columns}) VALUES ({values})", row


def write_history(conn: Connection, job: Job, row: dict[str, object]) -> None:
    """Append a run-history row (processors that write none skip it)."""
    sql, params = history_insert(job, row)
    if sql:
        conn.execute(sql, params)


class Log:
    """Log lines in the real scripts' shape (``%(asctime)s - %(levelname)s - %(message)s``), so the harness
    reads both the same way."""

    def __init__(self, job: Job, total: int) -> None:
        self.label = "game date" if job.kind == "precompute" else "day"
        self.total = total
        self.index = 0

    def say(self, message: str, level: str = "INFO") -> None:
        """One line."""
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        print(f"{stamp} - {level} - {message}", flush=True)

    def start(self, day: date) -> None:
        """``Processing day i/n: DATE``."""
        self.index += 1
        self.say(f"Processing {self.label} {self.index}/{self.total}: {day}")

    def success(self, records: int) -> None:
        """``✓ Success: N records``."""
        self.say(f"  ✓ Success: {records} records")

    def skipped(self, reason: str) -> None:
        """``⏭ Skipped: REASON``."""
        self.say(f"  ⏭ Skipped: {reason}")

    def failure(self, day: date, message: str) -> None:
        """``✗ Failed: DATE: ERROR``."""
        self.say(f"  ✗ Failed: {day}: {message}", "ERROR")


def game_dates(conn: Connection, first: date, last: date) -> list[date]:
    """Final game dates, the way the Phase 4 scripts list them (schedule_utils.get_game_dates_for_range)."""
    found = conn.rows(
        "SELECT DISTINCT game_date FROM nba_reference.nba_schedule "
        "WHERE game_date BETWEEN @first AND @last AND game_status = 3 ORDER BY game_date",
        {"first": first, "last": last},
    )
    return [to_date(d) for d in found.column("game_date")]


def season_openers(conn: Connection, first: date, last: date) -> dict[int, date]:
    """The real opener (first final regular-season game) of each season from ``first``'s to ``last``'s;
    an opener lies between its season's first day and any date of the season, which bounds the read."""
    found = conn.rows(
        "SELECT season_year, MIN(game_date) AS opener FROM nba_reference.nba_schedule "
        "WHERE game_date BETWEEN @season_start AND @last AND is_regular_season AND game_status = 3 "
        "GROUP BY season_year",
        {"season_start": season_start(first), "last": last},
    )
    return {int(row.season_year): to_date(row.opener) for row in found.records()}


def is_bootstrap(day: date, openers: Mapping[int, date], bootstrap_days: int) -> bool:
    """Days 0 .. bootstrap_days-1 after the season's real opener (``is_early_season``)."""
    opener = openers.get(season_year(day))
    return opener is not None and 0 <= (day - opener).days < bootstrap_days


def warehouse_from_env(environ: Mapping[str, str], processor: Processor) -> Warehouse:
    """The warehouse the harness passed in the environment; ConfigError (exit 2) when it is incomplete."""
    backend = environ.get("HARNESS_BACKEND") or "duckdb"
    if backend == "duckdb" and not environ.get("HARNESS_WAREHOUSE"):
        raise ConfigError("HARNESS_WAREHOUSE is not set; point it at the warehouse file")
    labels = {"processor": processor.name}
    if environ.get("HARNESS_RUN_ID"):
        labels["harness_run_id"] = environ["HARNESS_RUN_ID"]
    return open_warehouse(
        backend,
        environ.get("HARNESS_WAREHOUSE", ""),
        project=environ.get("HARNESS_PROJECT") or None,
        location=environ.get("HARNESS_LOCATION") or None,
        dataset_prefix=environ.get("HARNESS_DATASET_PREFIX") or None,
        maximum_bytes_billed=environ.get("HARNESS_MAXIMUM_BYTES_BILLED") or None,
        endpoint=environ.get("HARNESS_BIGQUERY_ENDPOINT") or None,
        labels=labels,
    )


def analytics_tables(pipeline: Pipeline) -> list[Table]:
    """The output tables of the declaration's analytics processors (the real pre-flight's five)."""
    return [
        pipeline.output_table(p)
        for p in pipeline.processors.values()
        if processor_kind(p.name) == "analytics"
    ]


def dates_between(days: Sequence[date]) -> tuple[date, date]:
    """The first and last of ``days``."""
    return min(days), max(days)
