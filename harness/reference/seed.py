"""Seed a warehouse: the reference pipeline's tables and a generated demo season.

    HARNESS_WAREHOUSE=.harness/warehouse.duckdb python -m harness.reference.seed 2021,2022

The harness runs this as the declaration's ``[seed]`` command before a run on the embedded default, when
the schedule has no game in a season the window touches. ``ensure_seeded`` creates missing tables and
generates raw data only for the seasons that have none, so a warehouse that a user repaired or damaged on
purpose (``harness query``) is never overwritten. The same code seeds a BigQuery project (the
tests' emulator, or a test project behind a dataset prefix): the DDL is BigQuery SQL, the rows go in as
load jobs. A season there takes about 40 s, mostly play-by-play, so ``through`` can stop it at a date.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline, Season
from harness.errors import HarnessError
from harness.warehouse.base import Connection, Warehouse

if TYPE_CHECKING:
    import pandas as pd

DDL_PACKAGE = "harness.reference"


def ddl_statements() -> str:
    """The reference pipeline's CREATE TABLE statements (raw, Phase 3, Phase 4, run history)."""
    folder = resources.files(DDL_PACKAGE) / "sql" / "ddl"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return "\n;\n".join(f.read_text(encoding="utf-8").strip().rstrip(";") for f in files)


def create_tables(conn: Connection, pipeline: Pipeline, location: str | None = None) -> None:
    """Create every dataset and table that does not exist yet; existing ones are left alone. On BigQuery a
    dataset is created in the warehouse's ``location`` (validated when the warehouse was made); without it
    BigQuery would pick ``US`` whatever the session's location."""
    where = f" OPTIONS (location = '{location}')" if location else ""
    for dataset in pipeline.datasets.values():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {dataset}{where}")
    conn.execute(ddl_statements())


def seasons_without_data(conn: Connection, pipeline: Pipeline, seasons: Iterable[Season]) -> list[Season]:
    """The seasons whose schedule has no row at all. The date filter is there for BigQuery, where the real
    schedule table requires one (``require_partition_filter``)."""
    seasons = list(seasons)
    if not seasons:
        return []
    schedule = pipeline.tables[pipeline.schedule.table]
    present = set(
        conn.query(
            f"SELECT DISTINCT season_year FROM {schedule.ref} "
            f"WHERE {schedule.date_column} BETWEEN @first AND @last AND season_year IN UNNEST(@years)",
            {
                "first": min(s.opener for s in seasons),
                "last": max(s.last_day for s in seasons),
                "years": [s.year for s in seasons],
            },
        )["season_year"].astype(int)
    )
    return [s for s in seasons if s.year not in present]


def rows_through(pipeline: Pipeline, table_ref: str, frame: pd.DataFrame, through: date) -> pd.DataFrame:
    """The rows of a demo frame dated up to ``through`` by its declared date column."""
    import pandas as pd

    table = pipeline.tables[table_ref.split(".")[1]]
    return frame[pd.to_datetime(frame[table.date_column]) <= pd.Timestamp(through)]


def ensure_seeded(
    warehouse: Warehouse,
    pipeline: Pipeline,
    seasons: Iterable[Season],
    through: date | None = None,
    *,
    atomic: bool = True,
) -> list[Season]:
    """Create the tables, then generate and insert each season that has no raw data, up to ``through``
    when given (a season seeded in part counts as present afterwards).

    ``atomic`` inserts each season in one transaction, so that a seeding cut short leaves no part of it.
    DuckDB holds a transaction's rows in memory until it commits (about 400 MB for a season), so a caller
    that gets atomicity another way (``seed_template``: a new file, renamed into place once complete)
    passes False and each table commits on its own.

    Returns the seasons that were seeded (empty when the warehouse already held them all).
    """
    from harness.reference.demo import season_tables

    with warehouse.connect() as conn:
        create_tables(conn, pipeline, warehouse.location)
        missing = seasons_without_data(conn, pipeline, seasons)
        for season in missing:
            with conn.transaction() if atomic else contextlib.nullcontext():
                for table_ref, frame in season_tables(season.year, season.opener, season.last_day):
                    if through is not None:
                        frame = rows_through(pipeline, table_ref, frame, through)
                    conn.insert_frame(table_ref, frame)
                    del frame  # before the next table's frame is built
    return missing


DEFAULT_PIPELINE = Path(__file__).resolve().parents[2] / "pipeline.toml"
CACHE_HINT = "check the folder's permissions and free space, or set HARNESS_SEED_CACHE to a writable folder"


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the seasons named by ``argv[0]`` (comma-separated years) into ``HARNESS_WAREHOUSE``: a file
    that does not exist yet becomes a copy of the cached seeded template (``seed_template``), an existing
    one gets the seasons it has no schedule for."""
    from harness.reference.seed_template import seed_new_file
    from harness.warehouse.duckdb import DuckDBWarehouse

    args = list(sys.argv[1:] if argv is None else argv)
    warehouse = os.environ.get("HARNESS_WAREHOUSE")
    if len(args) != 1 or not warehouse or not all(y.strip().isdigit() for y in args[0].split(",")):
        print("usage: HARNESS_WAREHOUSE=FILE python -m harness.reference.seed YEAR[,YEAR]", file=sys.stderr)
        return 2
    try:
        pipeline = load_pipeline(os.environ.get("HARNESS_PIPELINE", DEFAULT_PIPELINE), check_rules=False)
        years = {int(y) for y in args[0].split(",")}
        seasons = [s for s in pipeline.seasons if s.year in years]
        if seed_new_file(Path(warehouse), pipeline, seasons):
            seeded = seasons
        else:
            seeded = ensure_seeded(DuckDBWarehouse(warehouse), pipeline, seasons)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"error: cannot write the seeded warehouse or its template ({exc}); {CACHE_HINT}", file=sys.stderr
        )
        return 1
    for season in seasons:
        print(f"season {season.label}: {'seeded' if season in seeded else 'already present'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
