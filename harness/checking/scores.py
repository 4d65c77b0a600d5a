"""Quality scores over the window: for every table that declares a ``quality_column``, the score's spread
per date (count, minimum, quartiles, maximum), for all of a phase's tables in one query.

Nothing here passes or fails: the gameplan warns that low quality scores are normal early in a season,
and the report shows them as a picture so that the person signing off sees that rather than is alarmed by
it. BigQuery's ``APPROX_QUANTILES(x, 4)`` gives the quartiles (approximate on BigQuery, exact on the
embedded warehouse); columns come from the validated declaration and the window is bound as parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from harness.declaration.model import Table
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date


@dataclass(frozen=True)
class Spread:
    """One table's quality scores on one date: how many rows had one, and their five-number summary."""

    rows: int
    low: float
    q1: float
    median: float
    q3: float
    high: float

    def to_record(self) -> dict[str, Any]:
        """As ``summary.json`` and the run directory hold it."""
        return asdict(self)


Scores = dict[str, dict[date, Spread]]
"""``{table: {day: Spread}}`` for the dates on which the table has a scored row."""


def _table_sql(table: Table) -> str:
    column = table.quality_column
    quartile = f"APPROX_QUANTILES({column}, 4)"
    return (
        f"SELECT '{table.name}' AS table_name, {table.date_column} AS day, COUNT({column}) AS n, "
        f"CAST(MIN({column}) AS FLOAT64) AS low, CAST({quartile}[OFFSET(1)] AS FLOAT64) AS q1, "
        f"CAST({quartile}[OFFSET(2)] AS FLOAT64) AS median, CAST({quartile}[OFFSET(3)] AS FLOAT64) AS q3, "
        f"CAST(MAX({column}) AS FLOAT64) AS high\n"
        f"FROM {table.ref} WHERE {table.date_column} BETWEEN @start AND @end AND {column} IS NOT NULL\n"
        f"GROUP BY {table.date_column}"
    )


def scores_sql(tables: Sequence[Table]) -> str | None:
    """One query for every table of ``tables`` that declares a quality column, or None when none does."""
    scored = [t for t in tables if t.quality_column]
    return "\nUNION ALL\n".join(_table_sql(t) for t in scored) if scored else None


def read_scores(conn: Connection, tables: Sequence[Table], window: Window) -> Scores:
    """The quality spread per date of every table in ``tables`` that declares a quality column (one
    query for all of them; none when no table declares one)."""
    sql = scores_sql(tables)
    if sql is None:
        return {}
    frame = conn.query(sql, {"start": window.start, "end": window.end})
    scores: Scores = {t.name: {} for t in tables if t.quality_column}
    for row in frame.itertuples(index=False):
        scores[str(row.table_name)][to_date(row.day)] = Spread(
            int(row.n), float(row.low), float(row.q1), float(row.median), float(row.q3), float(row.high)
        )
    return scores


def scores_record(scores: Scores) -> dict[str, dict[str, dict[str, Any]]]:
    """``{table: {ISO day: spread}}``, for the run directory and ``summary.json``."""
    return {
        table: {day.isoformat(): spread.to_record() for day, spread in sorted(days.items())}
        for table, days in scores.items()
    }


def scores_from_record(record: dict[str, dict[str, dict[str, Any]]]) -> Scores:
    """The inverse of ``scores_record``."""
    return {
        table: {date.fromisoformat(day): Spread(**spread) for day, spread in days.items()}
        for table, days in record.items()
    }
