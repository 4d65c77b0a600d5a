"""A seeded warehouse file kept as a template, so that only the first cold run generates the demo seasons.

Generating and inserting a season costs seconds and most of a cold run's memory, and gives the same
file every time for the same inputs. So the first seeding of a new embedded warehouse writes a template
under ``.harness/seed-templates/`` next to the declaration (or ``HARNESS_SEED_CACHE``) and copies it;
later cold runs only copy. The template's name is a digest of everything its content depends on: the
declaration, the reference DDL, the generator's source (its version: any change to it makes a new
template), the DuckDB version that wrote the file and the seasons. Only a warehouse file that does not
exist yet is ever made from a template; an existing one is seeded in place (``ensure_seeded``), so a
file a user repaired or damaged is never replaced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from harness.declaration.model import Pipeline, Season
from harness.reference.seed import ddl_statements, ensure_seeded

CACHE_ENV = "HARNESS_SEED_CACHE"
GENERATOR_PACKAGE = "harness.reference.demo"


def generator_version() -> str:
    """A digest of the demo generator's source files: what the generated rows depend on besides the
    declaration and the seasons."""
    digest = hashlib.sha256()
    sources = resources.files(GENERATOR_PACKAGE)
    for source in sorted((f for f in sources.iterdir() if f.name.endswith(".py")), key=lambda f: f.name):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def template_key(pipeline: Pipeline, seasons: Sequence[Season]) -> str:
    """The template's name: a digest of the declaration, the DDL, the generator, DuckDB and the seasons."""
    import duckdb

    digest = hashlib.sha256()
    for part in (
        pipeline.path.read_bytes(),
        ddl_statements().encode(),
        generator_version().encode(),
        duckdb.__version__.encode(),
        ",".join(str(s.year) for s in sorted(seasons, key=lambda s: s.year)).encode(),
    ):
        digest.update(part + b"\0")
    return digest.hexdigest()[:24]


def cache_directory(pipeline: Pipeline) -> Path:
    """``HARNESS_SEED_CACHE``, or ``.harness/seed-templates`` in the declaration's folder."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else pipeline.path.parent / ".harness" / "seed-templates"


def seeded_template(pipeline: Pipeline, seasons: Sequence[Season]) -> Path:
    """The template file for ``seasons``, generated first when the cache has none. It is built in a
    folder of its own and renamed into place once complete, so a seeding cut short, or another process
    building the same template at the same time, never leaves a partial template under the final name."""
    from harness.warehouse.duckdb import DuckDBWarehouse

    directory = cache_directory(pipeline)
    template = directory / f"{template_key(pipeline, seasons)}.duckdb"
    if template.is_file():
        return template
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=directory))
    try:
        building = scratch / template.name
        ensure_seeded(DuckDBWarehouse(building), pipeline, seasons, atomic=False)
        os.replace(building, template)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return template


def seed_new_file(warehouse: Path, pipeline: Pipeline, seasons: Sequence[Season]) -> bool:
    """Make the warehouse file ``warehouse`` a copy of the seeded template, when it does not exist; False
    (and nothing written) when it does. The copy is made beside it and hard-linked to the final name,
    which fails rather than replace a file that appeared meanwhile; the warehouse is never half-written."""
    if warehouse.exists():
        return False
    template = seeded_template(pipeline, seasons)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    partial = warehouse.with_name(f".{warehouse.name}.{os.getpid()}.seeding")
    try:
        shutil.copyfile(template, partial)
        os.link(partial, warehouse)
    except FileExistsError:
        return False
    finally:
        partial.unlink(missing_ok=True)
    return True
