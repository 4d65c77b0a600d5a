"""What the Phase 3 (analytics) scripts check before and while they process a day.

- The early exit (``EarlyExitMixin``): no game with status 1 or 3 in ``nba_raw.v_nbac_schedule_latest``
  for the day means ``No games scheduled on D, skipping``: nothing written, no run history. The real view
  keeps only the last 365 days, so on a real warehouse every 2021 date is skipped this way.
- The lock (``acquire_processing_lock``): a lock ``{processor}_{date}`` taken less than ``lock_minutes``
  ago by another run means the run leaves only its ``running`` row and counts the day as a success.
  The reference keeps its locks in ``nba_reference.processing_locks``, where the real one uses Firestore.
- ``player_game_summary``'s team-stats rule (``_validate_team_stats_dependency``): on a day with gamebook
  rows, team offense must cover 80 % of two rows per final game, with no more than 20 % NULL possessions.

A script that writes no run history (``upcoming_player_game_context``: its backfill calls
``process_date()``) makes none of these checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from harness.reference.jobs.batch import Refusal
from harness.reference.jobs.job import Job, dates_between
from harness.warehouse.base import Connection, to_date

LOCKS = "nba_reference.processing_locks"

TEAM_STATS_SQL = """
WITH expected AS (
  SELECT game_date AS day, COUNT(DISTINCT game_id) * 2 AS teams
  FROM nba_reference.nba_schedule
  WHERE game_date BETWEEN @first AND @last AND game_status = 3
  GROUP BY 1
), found AS (
  SELECT game_date AS day, COUNT(DISTINCT CONCAT(game_id, '_', team_abbr)) AS teams,
    COUNTIF(possessions IS NULL) AS null_possessions
  FROM nba_analytics.team_offense_game_summary
  WHERE game_date BETWEEN @first AND @last
  GROUP BY 1
), gamebook AS (
  SELECT DISTINCT game_date AS day FROM nba_raw.nbac_gamebook_player_stats
  WHERE game_date BETWEEN @first AND @last
)
SELECT e.day, e.teams AS expected, COALESCE(f.teams, 0) AS found,
  COALESCE(f.null_possessions, 0) AS null_possessions
FROM expected AS e
JOIN gamebook AS g USING (day)
LEFT JOIN found AS f USING (day)
"""


def scheduled_days(conn: Connection, days: Sequence[date]) -> set[date]:
    """The days the early exit lets through: a game with status 1 or 3 in the schedule view."""
    first, last = dates_between(days)
    found = conn.rows(
        "SELECT DISTINCT game_date FROM nba_raw.v_nbac_schedule_latest "
        "WHERE game_date BETWEEN @first AND @last AND game_status IN (1, 3)",
        {"first": first, "last": last},
    )
    return {to_date(d) for d in found.column("game_date")}


def lock_ids(job: Job, days: Sequence[date]) -> dict[str, date]:
    """``{ClassName}_{date}`` per day, the real lock's document id."""
    return {f"{job.history_name}_{day.isoformat()}": day for day in days}


def held_locks(conn: Connection, job: Job, days: Sequence[date]) -> dict[date, Refusal]:
    """Days whose lock another run took less than ``lock_minutes`` ago."""
    ids = lock_ids(job, days)
    held = conn.rows(
        f"SELECT lock_id, execution_id FROM {LOCKS} WHERE lock_id IN UNNEST(@ids) "
        "AND acquired_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @minutes MINUTE)",
        {"ids": sorted(ids), "minutes": job.lock_minutes},
    )
    return {
        ids[str(row.lock_id)]: Refusal(
            f"🔒 Cannot acquire processing lock for {ids[str(row.lock_id)]} - another instance is processing "
            f"(execution {row.execution_id}).",
            error_type=None,
        )
        for row in held.records()
    }


def take_locks(conn: Connection, job: Job, days: Sequence[date]) -> None:
    """Take the locks of ``days`` (stale ones are taken over), for the batch's duration."""
    ids = sorted(lock_ids(job, days))
    conn.execute(f"DELETE FROM {LOCKS} WHERE lock_id IN UNNEST(@ids)", {"ids": ids})
    conn.execute(
        f"INSERT INTO {LOCKS} (lock_id, acquired_at, execution_id, processor) "
        "SELECT lock_id, CURRENT_TIMESTAMP(), @run, @processor FROM UNNEST(@ids) AS lock_id",
        {"ids": ids, "run": job.run_id, "processor": job.history_name},
    )


def release_locks(conn: Connection, job: Job, days: Sequence[date]) -> None:
    """Release this run's locks of ``days`` (never another run's)."""
    conn.execute(
        f"DELETE FROM {LOCKS} WHERE lock_id IN UNNEST(@ids) AND execution_id = @run",
        {"ids": sorted(lock_ids(job, days)), "run": job.run_id},
    )


def team_stats_refusals(conn: Connection, job: Job, days: Sequence[date]) -> dict[date, Refusal]:
    """``player_game_summary``: days whose team offense is too thin for usage rate."""
    first, last = dates_between(days)
    refusals = {}
    for row in conn.rows(TEAM_STATS_SQL, {"first": first, "last": last}).records():
        day, expected, found, null = (
            to_date(row.day),
            int(row.expected),
            int(row.found),
            int(row.null_possessions),
        )
        if expected > 0 and found < expected * 0.80:
            reason = (
                f"Team stats insufficient: {found}/{expected} teams ({round(100 * found / expected, 1)}% < 80.0% "
                "threshold). Run TeamOffenseGameSummaryProcessor first."
            )
        elif found > 0 and null / found > 0.20:
            reason = (
                f"Team stats have invalid possessions: {null}/{found} NULL ({round(100 * null / found, 1)}% > 20.0% "
                "threshold). usage_rate calculation requires valid possessions. Re-run "
                "TeamOffenseGameSummaryProcessor to fix data quality."
            )
        else:
            continue
        refusals[day] = Refusal(f"Cannot process player stats without valid team stats. {reason}")
    return refusals


DEPENDENCY_RULES: dict[str, Callable[[Connection, Job, Sequence[date]], dict[date, Refusal]]] = {
    "player_game_summary": team_stats_refusals,
}
"""The reference processors that check an input before they write, by name."""


def refusals(conn: Connection, job: Job, days: Sequence[date]) -> dict[date, Refusal]:
    """The days of a batch that are not processed: lock held, or an input too thin."""
    found = held_locks(conn, job, days)
    rule = DEPENDENCY_RULES.get(job.processor.name)
    if rule is not None:
        found = {**rule(conn, job, [d for d in days if d not in found] or days), **found}
    return found
