"""The jobs' command line, the real scripts' flags, and the walk over the dates of one run."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness.declaration.loading import load_pipeline
from harness.errors import ConfigError, HarnessError
from harness.reference.jobs import analytics
from harness.reference.jobs.batch import Refusal, run_batch
from harness.reference.jobs.job import Job, Log, game_dates, is_bootstrap, season_openers, warehouse_from_env
from harness.reference.jobs.precompute import preflight_problems, report_failed_preflight
from harness.reference.queries import processor_kind
from harness.warehouse.base import Connection, Warehouse, to_date

DEFAULT_PIPELINE = Path(__file__).resolve().parents[3] / "pipeline.toml"
BATCH_DATES = 30
"""Dates computed per connection: large enough that the set-based SQL runs few times per season, small
enough that parallel jobs get the warehouse between batches."""
EXIT_PREFLIGHT = 1


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The real scripts' flags; a bad one exits 2, as argparse does."""
    parser = argparse.ArgumentParser(
        prog="python -m harness.reference.jobs", description="reference backfill job"
    )
    parser.add_argument("processor")
    parser.add_argument("--start-date", type=date.fromisoformat)
    parser.add_argument("--end-date", type=date.fromisoformat)
    parser.add_argument("--dates", help="comma-separated dates, instead of the range")
    parser.add_argument("--dry-run", action="store_true", help="list the dates, write nothing")
    parser.add_argument(
        "--no-resume", action="store_true", help="accepted for compatibility (no checkpoints)"
    )
    parser.add_argument("--skip-preflight", action="store_true", help="Phase 4: skip the Phase 3 check")
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


def requested_days(args: argparse.Namespace) -> list[date]:
    """The ``--dates`` list, or every calendar day of the range."""
    if args.date_list:
        return sorted(set(args.date_list))
    return [args.start_date + timedelta(days=i) for i in range((args.end_date - args.start_date).days + 1)]


def run(args: argparse.Namespace) -> int:
    """Run the processor over the dates ``args`` name; the exit code."""
    pipeline = load_pipeline(os.environ.get("HARNESS_PIPELINE", DEFAULT_PIPELINE), check_rules=False)
    processor = pipeline.processors.get(args.processor)
    if processor is None or processor_kind(processor.name) is None:
        where = "the declaration" if processor is None else "the reference pipeline (harness/reference/sql)"
        print(f"unknown processor {args.processor!r}: {where} has no such processor", file=sys.stderr)
        return 2
    warehouse = warehouse_from_env(os.environ, processor)
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    name = processor.run_history_name or processor.name
    job = Job(
        processor, pipeline.output_table(processor), pipeline, f"{name}_{stamp}_{secrets.token_hex(4)}",
        shared_temp_tables=not warehouse.embedded,
    )  # fmt: skip
    requested = requested_days(args)
    if job.kind == "precompute":
        return _precompute(job, args, requested, warehouse)
    return _analytics(job, args, requested, warehouse)


def _analytics(job: Job, args: argparse.Namespace, requested: list[date], warehouse: Warehouse) -> int:
    """Calendar days; the early exit skips days without games in the schedule view, before any run
    tracking; a script with run history also takes a lock per day."""
    tracked = job.processor.writes_run_history
    with warehouse.connect() as conn:
        scheduled = analytics.scheduled_days(conn, requested) if tracked else _gamebook_days(conn, requested)
    log = Log(job, len(requested))
    if args.dry_run:
        for day in requested:
            print(f"{day} {'would process' if day in scheduled else 'no games: skipped'}")
        return 0
    failures = 0
    work = [d for d in requested if d in scheduled]
    for day in requested:
        if day not in scheduled:
            log.start(day)
            log.say(f"No games scheduled on {day}, skipping")
            log.success(0)
    for i in range(0, len(work), BATCH_DATES):
        batch = work[i : i + BATCH_DATES]
        with warehouse.connect() as conn:
            refusals = analytics.refusals(conn, job, batch) if tracked else {}
            if tracked:
                analytics.take_locks(
                    conn, job, [d for d in batch if d not in refusals or refusals[d].error_type]
                )
            try:
                failures += run_batch(conn, job, batch, log, refusals)
            finally:
                if tracked:
                    analytics.release_locks(conn, job, batch)
    _summary(log, job, len(work) - failures, failures, len(requested) - len(work), "no games")
    return 0


def _gamebook_days(conn: Connection, days: list[date]) -> set[date]:
    """``process_date()`` has players only on days with gamebook rows (its backfill-mode player list)."""
    found = conn.rows(
        "SELECT DISTINCT game_date FROM nba_raw.nbac_gamebook_player_stats WHERE game_date BETWEEN @first AND @last",
        {"first": min(days), "last": max(days)},
    )
    return {to_date(d) for d in found.column("game_date")}


def _precompute(job: Job, args: argparse.Namespace, requested: list[date], warehouse: Warehouse) -> int:
    """Final game dates; bootstrap days are skipped before anything is written; a range run checks the
    analytics tables first and exits 1 when one is short."""
    first, last = min(requested), max(requested)
    with warehouse.connect() as conn:
        played = set(game_dates(conn, first, last))
        openers = season_openers(conn, first, last)
        checked = not (args.date_list or args.skip_preflight or args.dry_run)
        problems = preflight_problems(conn, job.pipeline, openers, first, last) if checked else None
    days = [d for d in requested if d in played]
    log = Log(job, len(days))
    if problems:
        report_failed_preflight(log, problems, first, last)
        return EXIT_PREFLIGHT
    bootstrap = {d for d in days if is_bootstrap(d, openers, job.pipeline.bootstrap_days)}
    if args.dry_run:
        for day in days:
            print(f"{day} {'bootstrap skip' if day in bootstrap else 'would process'}")
        return 0
    failures = 0
    work = [d for d in days if d not in bootstrap]
    for day in sorted(bootstrap):
        log.start(day)
        log.skipped("bootstrap period")
    refusals: dict[date, Refusal] = {}
    for i in range(0, len(work), BATCH_DATES):
        batch = work[i : i + BATCH_DATES]
        with warehouse.connect() as conn:
            failures += run_batch(conn, job, batch, log, refusals)
    _summary(log, job, len(work) - failures, failures, len(bootstrap), "bootstrap")
    return 0


def _summary(log: Log, job: Job, succeeded: int, failed: int, skipped: int, why: str) -> None:
    log.say(
        f"SUMMARY {job.processor.name}: {succeeded} succeeded, {failed} failed, {skipped} skipped ({why})"
    )


@contextmanager
def ending_on_sigterm() -> Iterator[None]:
    """SIGTERM (how the harness ends a processor that timed out) as SystemExit, so that ``finally`` blocks
    run and every open connection ends its BigQuery session; Python's default would exit on the spot."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """The job's command line: ``python -m harness.reference.jobs NAME --start-date D ...``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        with ending_on_sigterm():
            return run(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
