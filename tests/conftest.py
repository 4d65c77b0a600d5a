"""Shared fixtures for the harness's own tests: a demo season seeded once, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.pipeline import Pipeline, load_pipeline
from harness.warehouse.duckdb import DuckDBWarehouse

REPO = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]


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


@pytest.fixture
def seeded_warehouse(seeded_template: Path, tmp_path: Path) -> DuckDBWarehouse:
    """A private copy of the seeded warehouse, free to damage."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(seeded_template, path)
    return DuckDBWarehouse(path)
