"""Shared fixtures for the harness's own tests: a demo season seeded once, copied per test, and the
reference jobs run the way the harness runs them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from unittest import mock

import pytest

from harness.pipeline import Pipeline, load_pipeline
from harness.warehouse.duckdb import DuckDBWarehouse

REPO = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]

RunJobs = Callable[[Path, Iterable[str], date, date], None]


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return load_pipeline(REPO / "pipeline.toml")


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Path:
    """A warehouse file holding the 2021-22 demo season, seeded once per test session."""
    from harness.reference.seed import ensure_seeded

    path = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    ensure_seeded(DuckDBWarehouse(path), pipeline, [pipeline.seasons[0]])
    return path


@pytest.fixture(scope="session")
def warehouse_factory(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path) -> Callable[[], Path]:
    """Returns a function that makes a fresh private copy of the seeded warehouse (for module fixtures)."""

    def copy() -> Path:
        path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
        shutil.copyfile(seeded_template, path)
        return path

    return copy


@pytest.fixture
def seeded_warehouse(warehouse_factory: Callable[[], Path]) -> DuckDBWarehouse:
    """A private copy of the seeded warehouse, free to damage."""
    return DuckDBWarehouse(warehouse_factory())


@pytest.fixture(scope="session")
def run_jobs() -> RunJobs:
    """Returns ``run(warehouse_path, processor_names, start, end)``: each reference job in turn through its
    command-line entry point (in-process, to save interpreter start-up), failing on a non-zero exit."""
    from harness.reference import jobs

    def run(warehouse: Path, names: Iterable[str], start: date, end: date) -> None:
        with mock.patch.dict(os.environ, {"HARNESS_WAREHOUSE": str(warehouse)}):
            for name in names:
                code = jobs.main([name, "--start-date", start.isoformat(), "--end-date", end.isoformat()])
                assert code == 0, f"reference job {name} exited {code} for {start}..{end}"

    return run
