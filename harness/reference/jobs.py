"""Reference backfill jobs: the ten processors behind the real backfill scripts' command line.

    python -m harness.reference.jobs player_game_summary --start-date 2021-10-19 --end-date 2021-11-15

Like the real scripts, Phase 3 jobs walk calendar days (days without games are skipped and leave no run
history, as the real early exit does) and Phase 4 jobs walk final game dates only, skipping each season's
bootstrap days with a ``success`` row of 0 records. Each date's rows replace that date's rows of the output
table in one transaction, together with its final run-history row; a ``running`` row is committed first,
so a crash leaves the old rows and a ``running`` row with no final one.

Exit codes: 0 every date succeeded, 1 a date failed, 2 bad arguments. The declaration comes from
``HARNESS_PIPELINE`` (default: the repository's pipeline.toml), the warehouse from the variables that
pipeline.toml's ``[processor_defaults] env`` passes: ``HARNESS_BACKEND`` (``duckdb``, the default, or
``bigquery``); for DuckDB the file ``HARNESS_WAREHOUSE``; for BigQuery ``HARNESS_PROJECT``,
``HARNESS_LOCATION``, ``HARNESS_DATASET_PREFIX``, ``HARNESS_MAXIMUM_BYTES_BILLED`` and
``HARNESS_BIGQUERY_ENDPOINT`` (an emulator). On BigQuery every job is labelled with ``HARNESS_RUN_ID``
(the harness run) and the processor's name.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import sys
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline, Processor, Table
from harness.errors import ConfigError, HarnessError
from harness.reference.queries import processor_kind, processor_sql
from harness.warehouse import Warehouse, open_warehouse
from harness.warehouse.base import Connection, to_date

DEFAULT_PIPELINE = Path(__file__).resolve().parents[2] / "pipeline.toml"
# Dates computed per connection: large enough that the set-based SQL runs few times per season, small
# enough that parallel jobs get the warehouse between batches.
BATCH_DATES = 30
PHASE_NAMES = {"analytics": "phase_3_analytics", "precompute": "phase_4_precompute"}


@dataclass(frozen=True)
class Job:
    """One processor's run over a list of dates."""

    processor: Processor
    table: Table
    pipeline: Pipeline
    run_id: str

    @property
    def scratch(self) -> str:
        """The session temp table of computed rows, named per run: the BigQuery emulator keeps temp tables
        in a dataset shared by every session, so parallel jobs need distinct names (BigQuery does not)."""
        return f"_harness_out_{self.run_id.rsplit('_', 1)[-1]}"

    @property
    def sql(self) -> str:
        """The processor's query (``harness.reference.queries``)."""
        return processor_sql(self.processor.name)

    @property
    def kind(self) -> str:
        """``analytics`` (calendar days, no bootstrap) or ``precompute`` (game dates, bootstrap skip)."""
        return processor_kind(self.processor.name) or "analytics"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The real scripts' flags; a bad one exits 2, as argparse does."""
    parser = argparse.ArgumentParser(
        prog="python -m harness.reference.jobs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("processor")
    parser.add_argument("--start-date", type=date.fromisoformat)
    parser.add_argument("--end-date", type=date.fromisoformat)
    parser.add_argument("--dates", help="comma-separated dates, instead of the range")
    parser.add_argument("--dry-run", action="store_true", help="list the dates, write nothing")
    parser.add_argument(
        "--no-resume", action="store_true", help="accepted for compatibility (no checkpoints)"
    )
    parser.add_argument("--skip-preflight", action="store_true", help="accepted for compatibility")
    args = parser.parse_args(argv)
    try:
        args.date_list = (
            [date.fromisoformat(d.strip()) for d in args.dates.split(",")] if args.dates else None
        )
    except ValueError:
        parser.error(f"--dates {args.dates!r}: expected comma-separated YYYY-MM-DD dates")
    if args.date_list is None and args.start_date is None:
        parser.error("--start-date is required unless --dates is given")
    args.end_date = args.end_date or args.start_date
    if args.date_list is None and args.end_date < args.start_date:
        parser.error("--end-date is before --start-date")
    return args


def game_dates(conn: Connection, first: date, last: date) -> list[date]:
    """Final game dates, the way the Phase 4 scripts list them (schedule_utils.get_game_dates_for_range)."""
    frame = conn.query(
        "SELECT DISTINCT game_date FROM nba_reference.nba_schedule "
        "WHERE game_date BETWEEN @first AND @last AND game_status = 3 ORDER BY game_date",
        {"first": first, "last": last},
    )
    return [to_date(d) for d in frame["game_date"]]


def season_openers(conn: Connection) -> dict[int, date]:
    """Each season's real opener: its first final regular-season game."""
    frame = conn.query(
        "SELECT season_year, MIN(game_date) AS opener FROM nba_reference.nba_schedule "
        "WHERE is_regular_season AND game_status = 3 GROUP BY season_year"
    )
    return {int(row.season_year): to_date(row.opener) for row in frame.itertuples()}


def season_year(day: date) -> int:
    """get_season_year_from_date: October onwards belongs to that year's season."""
    return day.year if day.month >= 10 else day.year - 1


def history_row(job: Job, day: date, status: str, started: datetime, **fields: object) -> dict[str, object]:
    """A ``processor_run_history`` row for ``day`` in the real writer's shape."""
    now = datetime.now(UTC)
    return {
        "processor_name": job.processor.run_history_name,
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
        "skip_reason": fields.pop("skip_reason", None),
        "summary": json.dumps(fields) if fields else None,
    }


def write_history(conn: Connection, job: Job, row: dict[str, object]) -> None:
    """Append a run-history row (processors that write none skip it, like UPGC's script)."""
    if not job.processor.writes_run_history:
        return
    # Unset fields are left out (NULL by default): BigQuery cannot type a NULL query parameter.
    row = {key: value for key, value in row.items() if value is not None}
    columns = ", ".join(row)
    values = ", ".join(f"PARSE_JSON(@{k})" if k in ("errors", "summary") else f"@{k}" for k in row)
    history = job.pipeline.tables[job.pipeline.run_history]
    conn.execute(f"INSERT INTO {history.ref} ({columns}) VALUES ({values})", row)


def replace_date(conn: Connection, job: Job, day: date, columns: Sequence[str]) -> int:
    """Swap one date's rows for the freshly computed ones (``columns``, matched by name); returns rows
    written. Both statements name the date, so on BigQuery they touch that date's partition only."""
    table, column = job.table.ref, job.table.date_column
    names = ", ".join(columns)
    conn.execute(f"DELETE FROM {table} WHERE {column} = @day", {"day": day})
    return conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {job.scratch} WHERE {column} = @day", {"day": day}
    )


def compute(conn: Connection, job: Job, days: list[date]) -> list[str]:
    """The processor's SQL for the batch into the session temp table ``job.scratch``; returns its columns
    (a subset of the output table's, which keeps its own defaults for the rest)."""
    conn.execute(f"DROP TABLE IF EXISTS {job.scratch}")
    conn.execute(
        f"CREATE TEMP TABLE {job.scratch} AS {job.sql.strip().rstrip(';')}",
        {"start_date": days[0], "end_date": days[-1]},
    )
    return [str(name) for name in conn.query(f"SELECT * FROM {job.scratch} LIMIT 0").columns]


def run_batch(conn: Connection, job: Job, days: list[date], log: Progress) -> int:
    """Compute ``days`` with one set-based query, then commit each date on its own; returns failures."""
    failures = 0
    columns: list[str] = []
    try:
        columns = compute(conn, job, days)
        compute_error: HarnessError | None = None
    except HarnessError as exc:
        compute_error = exc
    for day in days:
        started = datetime.now(UTC)
        log.start(day)
        write_history(conn, job, history_row(job, day, "running", started))
        try:
            if compute_error is not None:
                raise compute_error
            with conn.transaction():
                records = replace_date(conn, job, day, columns)
                write_history(conn, job, history_row(job, day, "success", started, records_processed=records))
            log.success(records)
        except HarnessError as exc:
            failures += 1
            error = [
                {
                    "error_type": type(exc).__name__,
                    "error_message": str(exc),
                    "timestamp": started.isoformat(),
                }
            ]
            write_history(conn, job, history_row(job, day, "failed", started, errors=json.dumps(error)))
            log.failure(day, exc)
    with suppress(HarnessError):  # a leftover scratch table costs nothing; the dates are committed
        conn.execute(f"DROP TABLE IF EXISTS {job.scratch}")
    return failures


class Progress:
    """Log lines in the real scripts' shape, so the harness reads both the same way."""

    def __init__(self, job: Job, total: int) -> None:
        self.label = "game date" if job.kind == "precompute" else "day"
        self.total = total
        self.index = 0

    def _say(self, message: str) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        print(f"{stamp} - INFO - {message}", flush=True)

    def start(self, day: date) -> None:
        """``Processing day i/n: DATE``."""
        self.index += 1
        self._say(f"Processing {self.label} {self.index}/{self.total}: {day}")

    def success(self, records: int) -> None:
        """``✓ Success: N records``."""
        self._say(f"  ✓ Success: {records} records")

    def skipped(self, day: date, reason: str) -> None:
        """The progress line, then ``⏭ Skipped: REASON``."""
        self.index += 1
        self._say(f"Processing {self.label} {self.index}/{self.total}: {day}")
        self._say(f"  ⏭ Skipped: {reason}")

    def failure(self, day: date, exc: Exception) -> None:
        """``✗ Failed: DATE: ERROR``."""
        self._say(f"  ✗ Failed: {day}: {exc}")


def run(args: argparse.Namespace) -> int:
    """Run the processor over the dates ``args`` name; the exit code."""
    pipeline = load_pipeline(os.environ.get("HARNESS_PIPELINE", DEFAULT_PIPELINE))
    processor = pipeline.processors.get(args.processor)
    if processor is None or processor_kind(processor.name) is None:
        where = "the declaration" if processor is None else "the reference pipeline (harness/reference/sql)"
        print(f"unknown processor {args.processor!r}: {where} has no such processor", file=sys.stderr)
        return 2
    warehouse = warehouse_from_env(os.environ, processor)
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    name = processor.run_history_name or processor.name
    job = Job(processor, pipeline.output_table(processor), pipeline, f"{name}_{stamp}_{secrets.token_hex(4)}")
    with warehouse.connect() as conn:
        first = min(args.date_list) if args.date_list else args.start_date
        last = max(args.date_list) if args.date_list else args.end_date
        played = set(game_dates(conn, first, last))
        openers = season_openers(conn)
    requested = args.date_list or [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # Phase 3 scripts walk calendar days but exit early, without run history, on days without games.
    days = sorted(d for d in requested if d in played)
    bootstrap = {
        d for d in days if job.kind == "precompute" and _is_bootstrap(d, openers, pipeline.bootstrap_days)
    }
    log = Progress(job, len(days))
    if args.dry_run:
        for day in days:
            print(f"{day} {'bootstrap skip' if day in bootstrap else 'would process'}")
        return 0
    failures = 0
    work = [d for d in days if d not in bootstrap]
    with warehouse.connect() as conn:
        for day in sorted(bootstrap):
            started = datetime.now(UTC)
            reason = f"bootstrap_period_day_0_13_of_season_{season_year(day)}"
            write_history(conn, job, history_row(job, day, "running", started))
            write_history(conn, job, history_row(job, day, "success", started, skip_reason=reason))
            log.skipped(day, "bootstrap period")
    for i in range(0, len(work), BATCH_DATES):
        batch = work[i : i + BATCH_DATES]
        with warehouse.connect() as conn:
            failures += run_batch(conn, job, batch, log)
    print(
        f"SUMMARY {processor.name}: {len(work) - failures} succeeded, {failures} failed, "
        f"{len(bootstrap)} skipped (bootstrap) of {len(days)} dates",
        flush=True,
    )
    return 1 if failures else 0


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


def _is_bootstrap(day: date, openers: dict[int, date], bootstrap_days: int) -> bool:
    opener = openers.get(season_year(day))
    return opener is not None and 0 <= (day - opener).days < bootstrap_days


def main(argv: Sequence[str] | None = None) -> int:
    """The job's command line: ``python -m harness.reference.jobs NAME --start-date D ...``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
