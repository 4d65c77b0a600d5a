"""A user's own processor for the declaration-only tests: copies one table's rows into another, date by
date, with the real scripts' command line and progress lines.

    mirror_job.py SOURCE TARGET --start-date D --end-date D    (tables of nba_analytics, by game_date)
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta

from harness.warehouse.duckdb import DuckDBWarehouse


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--start-date", type=date.fromisoformat, required=True)
    parser.add_argument("--end-date", type=date.fromisoformat, required=True)
    args = parser.parse_args()
    days = [args.start_date + timedelta(d) for d in range((args.end_date - args.start_date).days + 1)]
    with DuckDBWarehouse(os.environ["HARNESS_WAREHOUSE"]).connect() as conn:
        for i, day in enumerate(days, 1):
            print(f"Processing day {i}/{len(days)}: {day}", flush=True)
            with conn.transaction():
                conn.execute(f"DELETE FROM nba_analytics.{args.target} WHERE game_date = @d", {"d": day})
                conn.execute(
                    f"INSERT INTO nba_analytics.{args.target} SELECT * FROM nba_analytics.{args.source} "
                    "WHERE game_date = @d",
                    {"d": day},
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
