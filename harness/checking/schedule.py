"""Expected game dates: the days with final games in the declared schedule table, not calendar days."""

from __future__ import annotations

from datetime import date

from harness.declaration.model import Pipeline
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date


def game_dates(conn: Connection, pipeline: Pipeline, window: Window) -> list[date]:
    """Dates in the window with at least one final game, in order (one query)."""
    schedule = pipeline.schedule
    table = pipeline.tables[schedule.table]
    frame = conn.query(
        f"SELECT DISTINCT {table.date_column} AS day FROM {table.ref} "
        f"WHERE {table.date_column} BETWEEN @start AND @end AND {schedule.status_column} = @final "
        "ORDER BY day",
        {"start": window.start, "end": window.end, "final": schedule.final_status},
    )
    return [to_date(day) for day in frame["day"]]
