"""What the Phase 4 (precompute) scripts check before they start.

``verify_phase3_for_phase4.py``, called by every Phase 4 script on the range path (not for ``--dates``,
``--skip-preflight`` or ``--dry-run``): each analytics table must cover 95 % of the range's regular-season
and playoff game dates past the bootstrap period, or the script prints why and exits 1 before it
processes anything. A range of bootstrap dates only passes; a range without any game date fails.
"""

from __future__ import annotations

from datetime import date

from harness.declaration.model import Pipeline
from harness.reference.jobs.job import Log, analytics_tables, is_bootstrap
from harness.warehouse.base import Connection, to_date

THRESHOLD = 95.0


def preflight_problems(
    conn: Connection, pipeline: Pipeline, openers: dict[int, date], first: date, last: date
) -> list[str] | None:
    """``name: covered/expected (pct%)`` of each table under the threshold; None when the check passes."""
    tables = analytics_tables(pipeline)
    parts = [
        f"SELECT '{t.name}' AS table_name, {t.date_column} AS day FROM {t.ref} "
        f"WHERE {t.window_filter('@first', '@last')} GROUP BY 2"
        for t in tables
    ]
    parts.append(
        "SELECT '' AS table_name, game_date AS day FROM nba_reference.nba_schedule WHERE game_date BETWEEN "
        "@first AND @last AND (is_regular_season OR is_playoffs) GROUP BY 2"
    )
    found = conn.rows("\nUNION ALL\n".join(parts), {"first": first, "last": last})
    covered: dict[str, set[date]] = {t.name: set() for t in tables}
    expected: set[date] = set()
    for name, day in found.values:
        (expected if name == "" else covered[name]).add(to_date(day))
    if expected and all(is_bootstrap(d, openers, pipeline.bootstrap_days) for d in expected):
        return None
    normal = {d for d in expected if not is_bootstrap(d, openers, pipeline.bootstrap_days)}
    short = []
    for table in tables:
        coverage = 100 * len(covered[table.name] & normal) / len(normal) if normal else 0.0
        if coverage < THRESHOLD:
            short.append(f"{table.name}: {coverage:.1f}% ({len(normal - covered[table.name])} dates missing)")
    return short or None


def report_failed_preflight(log: Log, problems: list[str], first: date, last: date) -> None:
    """The lines the real scripts log before ``sys.exit(1)``."""
    rule = "=" * 70
    for line in (
        rule,
        "❌ PRE-FLIGHT CHECK FAILED: Phase 3 data is incomplete!",
        rule,
        "Cannot proceed with Phase 4 backfill until Phase 3 is complete.",
        *(f"  - {p}" for p in problems),
        "To see details, run:",
        f"  python bin/backfill/verify_phase3_for_phase4.py --start-date {first} --end-date {last} --verbose",
    ):
        log.say(line, "ERROR")
