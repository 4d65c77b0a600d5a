"""The ``harness`` command: what is not a test run.

    harness query "SELECT game_date, COUNT(*) FROM nba_raw.nbac_gamebook_player_stats GROUP BY 1"
    harness seed --season 2021

``query`` runs BigQuery-dialect SQL (queries and DML) on the embedded warehouse and prints the result as a
table, like ``bq query`` does, so a person can inspect or repair the warehouse.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.errors import ConfigError, HarnessError

EXIT_ERROR = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="NBA backfill harness tools")
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("HARNESS_WAREHOUSE", ".harness/warehouse.duckdb"),
        help="embedded warehouse file (env HARNESS_WAREHOUSE; default .harness/warehouse.duckdb)",
    )
    parser.add_argument(
        "--pipeline",
        default=os.environ.get("HARNESS_PIPELINE", "pipeline.toml"),
        help="pipeline declaration (env HARNESS_PIPELINE; default pipeline.toml)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    query = commands.add_parser(
        "query", help="run BigQuery-dialect SQL on the warehouse and print the result"
    )
    query.add_argument("sql", help="one or more statements; the last one's result is printed")
    query.add_argument("--max-rows", type=int, default=200, help="rows to print at most (default 200)")
    seed = commands.add_parser("seed", help="create the tables and generate demo seasons that are missing")
    seed.add_argument("--season", type=int, action="append", help="season year, e.g. 2021 (repeatable)")
    return parser


def _query(args: argparse.Namespace) -> int:
    from harness.warehouse.duckdb import DuckDBWarehouse

    if not Path(args.warehouse).exists():
        raise ConfigError(
            f"warehouse {args.warehouse} does not exist; run the gameplan once or `harness seed`"
        )
    with DuckDBWarehouse(args.warehouse).connect() as conn:
        frame = conn.query(args.sql)
    if frame.empty:
        print(f"(no rows; columns: {', '.join(map(str, frame.columns))})")
        return 0
    print(frame.head(args.max_rows).to_string(index=False))
    if len(frame) > args.max_rows:
        print(f"... {len(frame) - args.max_rows} more rows (raise --max-rows)")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from harness.declaration.loading import load_pipeline
    from harness.reference.seed import ensure_seeded
    from harness.warehouse.duckdb import DuckDBWarehouse

    pipeline = load_pipeline(args.pipeline)
    wanted = args.season or [pipeline.seasons[0].year]
    unknown = sorted(set(wanted) - {s.year for s in pipeline.seasons})
    if unknown:
        raise ConfigError(f"--season {unknown[0]} is not declared in {args.pipeline} [seasons]")
    seasons = [s for s in pipeline.seasons if s.year in wanted]
    seeded = ensure_seeded(DuckDBWarehouse(args.warehouse), pipeline, seasons)
    for season in seasons:
        state = "seeded" if season in seeded else "already present"
        print(f"season {season.year}: {state} in {args.warehouse}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``harness`` command; user mistakes exit 2 with one line, warehouse errors 1, and a reader
    that closed the pipe early (``harness query ... | head``) ends the command quietly with 0."""
    args = _parser().parse_args(argv)
    try:
        return {"query": _query, "seed": _seed}[args.command](args)
    except BrokenPipeError:
        # Python would report the lost output again when it flushes stdout at exit: point stdout at
        # /dev/null first, as the documentation of signal.SIGPIPE advises.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except ConfigError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HarnessError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
