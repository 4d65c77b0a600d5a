"""Expected game dates: the days with final games in the declared schedule table, not calendar days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from harness.declaration.model import Pipeline
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date


@dataclass(frozen=True)
class ScheduleFacts:
    """What the schedule says about a window: its game dates, and each touched season's game dates."""

    game_dates: tuple[date, ...]
    season_game_dates: dict[int, int]
    """Final-game dates per season year, for the full-season estimate."""


def game_dates_sql(pipeline: Pipeline) -> str:
    """Distinct dates with a final game between ``@start`` and ``@end``."""
    schedule = pipeline.schedule
    table = pipeline.tables[schedule.table]
    return (
        f"SELECT DISTINCT {table.date_column} AS day FROM {table.ref} "
        f"WHERE {table.date_column} BETWEEN @start AND @end AND {schedule.status_column} = @final "
        "ORDER BY day"
    )


def read_schedule(conn: Connection, pipeline: Pipeline, window: Window) -> ScheduleFacts:
    """The window's final-game dates and the game-date count of every season it touches, in one query
    over the touched seasons (which hold the window)."""
    first = min([window.start, *(s.opener for s in window.seasons)])
    last = max([window.end, *(s.last_day for s in window.seasons)])
    frame = conn.query(
        game_dates_sql(pipeline),
        {"start": first, "end": last, "final": pipeline.schedule.final_status},
    )
    days = [to_date(day) for day in frame["day"]]
    return ScheduleFacts(
        game_dates=tuple(d for d in days if window.start <= d <= window.end),
        season_game_dates={
            s.year: sum(1 for d in days if s.opener <= d <= s.last_day) for s in window.seasons
        },
    )


def game_dates(conn: Connection, pipeline: Pipeline, window: Window) -> list[date]:
    """Dates in the window with at least one final game, in order (one query)."""
    frame = conn.query(
        game_dates_sql(pipeline),
        {"start": window.start, "end": window.end, "final": pipeline.schedule.final_status},
    )
    return [to_date(day) for day in frame["day"]]
