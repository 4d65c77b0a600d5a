"""Seed the embedded warehouse: the reference pipeline's tables and a generated demo season.

The harness calls ``ensure_seeded`` before a run on the embedded default; it creates missing tables and
generates raw data only for the window's seasons that have none, so a warehouse that a user repaired or
damaged on purpose (``harness query``) is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from harness.pipeline import Pipeline, Season
from harness.warehouse.base import Connection, Warehouse

DDL_PACKAGE = "harness.reference"


def ddl_statements() -> str:
    """The reference pipeline's CREATE TABLE statements (raw, Phase 3, Phase 4, run history)."""
    folder = resources.files(DDL_PACKAGE) / "sql" / "ddl"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return "\n;\n".join(f.read_text(encoding="utf-8").strip().rstrip(";") for f in files)


def create_tables(conn: Connection, pipeline: Pipeline) -> None:
    """Create every dataset and table that does not exist yet; existing ones are left alone."""
    for dataset in pipeline.datasets.values():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {dataset}")
    conn.execute(ddl_statements())


def seasons_without_data(conn: Connection, pipeline: Pipeline, seasons: Iterable[Season]) -> list[Season]:
    schedule = pipeline.tables[pipeline.schedule.table]
    present = set(
        conn.query(
            f"SELECT DISTINCT season_year FROM {schedule.ref} WHERE season_year IN UNNEST(@years)",
            {"years": [s.year for s in seasons]},
        )["season_year"].astype(int)
    )
    return [s for s in seasons if s.year not in present]


def ensure_seeded(warehouse: Warehouse, pipeline: Pipeline, seasons: Iterable[Season]) -> list[Season]:
    """Create the tables, then generate and insert each season that has no raw data.

    Returns the seasons that were seeded (empty when the warehouse already held them all).
    """
    from harness.reference.demo import generate_season

    with warehouse.connect() as conn:
        create_tables(conn, pipeline)
        missing = seasons_without_data(conn, pipeline, seasons)
        for season in missing:
            frames = generate_season(season.year, season.opener, season.last_day)
            with conn.transaction():
                for table_ref, frame in frames.items():
                    conn.insert_frame(table_ref, frame)
    return missing
