"""Shared fixtures for the harness's own tests: a demo season seeded once, copied per test, and the
reference jobs run the way the harness runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from unittest import mock

import pytest

from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import query

REPO = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]

RunJobs = Callable[..., None]
"""``run_jobs(warehouse, names, start, end, *extra_flags)``."""


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


def copier(tmp_path_factory: pytest.TempPathFactory, template: Path, name: str) -> Callable[[], Path]:
    """A function that makes a fresh private copy of ``template`` in a new temporary directory."""

    def copy() -> Path:
        path = tmp_path_factory.mktemp(name) / "warehouse.duckdb"
        shutil.copyfile(template, path)
        return path

    return copy


@pytest.fixture(scope="session")
def warehouse_factory(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path) -> Callable[[], Path]:
    """Returns a function that makes a fresh private copy of the seeded warehouse (for module fixtures)."""
    return copier(tmp_path_factory, seeded_template, "warehouse")


@pytest.fixture(scope="session")
def history_template(tmp_path_factory: pytest.TempPathFactory, warehouse_factory, run_jobs, pipeline) -> Path:
    """The seeded season with Phase 3 backfilled from the opener to 2021-10-30: Phase 4 on a window
    starting later reads those weeks (rolling averages), as it would in a real warehouse."""
    path = warehouse_factory()
    run_jobs(path, [p.name for p in pipeline.phase(3)], date(2021, 10, 19), date(2021, 10, 30))
    return path


@pytest.fixture(scope="session")
def history_warehouse(tmp_path_factory: pytest.TempPathFactory, history_template: Path) -> Callable[[], Path]:
    """Returns a function that makes a fresh copy of ``history_template``."""
    return copier(tmp_path_factory, history_template, "history")


@pytest.fixture(scope="session")
def backfilled_warehouse(
    tmp_path_factory: pytest.TempPathFactory, history_warehouse, run_jobs, pipeline
) -> Callable[[], Path]:
    """Returns a function that makes a fresh copy of a warehouse in which every processor has run over
    2021-10-31..2021-11-03 (after ``history_template``'s Phase 3 weeks): the window passes verify mode."""
    template = history_warehouse()
    run_jobs(template, list(pipeline.processors), date(2021, 10, 31), date(2021, 11, 3))
    return copier(tmp_path_factory, template, "backfilled")


@dataclass(frozen=True)
class SentStatement:
    """One statement a run sent, as BigQuery SQL, and who sent it (a processor's name, or ``-``)."""

    processor: str
    sql: str


SQL_LOG_WINDOW = "2021-11-01:2021-11-03"


@pytest.fixture(scope="session")
def sent_statements(tmp_path_factory: pytest.TempPathFactory, backfilled_warehouse) -> list[SentStatement]:
    """Every statement one `--mode run` of the gameplan sends, the harness's and every processor's, over
    a window with normal Phase 4 dates (``HARNESS_SQL_LOG`` of the DuckDB backend records them)."""
    home = tmp_path_factory.mktemp("sql-log")
    log = home / "statements.jsonl"
    command = [
        sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), f"--rootdir={REPO}", "-p",
        "no:cacheprovider", "-n", "0", "--warehouse", str(backfilled_warehouse()), "--report-dir",
        str(home / "reports"), "--pipeline", str(REPO / "pipeline.toml"), "--window", SQL_LOG_WINDOW,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "PYTEST_XDIST"))}
    done = subprocess.run(
        command,
        cwd=REPO,
        env={**env, "HARNESS_SQL_LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return [SentStatement(**json.loads(line)) for line in log.read_text().splitlines()]


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """The BigQuery-API emulator on 127.0.0.1 for this test process; skips when its environment is absent."""
    from tests.bigquery_emulator import EmulatorUnavailable, start_emulator

    try:
        url, stop = start_emulator()
    except EmulatorUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def seeded_warehouse(warehouse_factory: Callable[[], Path]) -> DuckDBWarehouse:
    """A private copy of the seeded warehouse, free to damage."""
    return DuckDBWarehouse(warehouse_factory())


@pytest.fixture(scope="session")
def run_jobs() -> RunJobs:
    """Returns ``run(warehouse_path, processor_names, start, end)``: each reference job in turn through its
    command-line entry point (in-process, to save interpreter start-up), failing on a non-zero exit."""
    from harness.reference import jobs

    def run(warehouse: Path, names: Iterable[str], start: date, end: date, *extra: str) -> None:
        with mock.patch.dict(os.environ, {"HARNESS_WAREHOUSE": str(warehouse)}):
            for name in names:
                code = jobs.main(
                    [name, "--start-date", start.isoformat(), "--end-date", end.isoformat(), *extra]
                )
                assert code == 0, f"reference job {name} exited {code} for {start}..{end}"
        # The jobs exit 0 even when dates fail, as the real scripts do: the run history says.
        failed = query(
            DuckDBWarehouse(warehouse),
            "SELECT processor_name, data_date FROM nba_reference.processor_run_history "
            "WHERE status = 'failed' AND data_date BETWEEN @start AND @end",
            {"start": start, "end": end},
        )
        assert failed.empty, f"reference jobs failed dates: {failed.to_dict('records')}"

    return run


@dataclass(frozen=True)
class GameplanRun:
    """One `pytest --window ...` run of the gameplan suite in a subprocess, as a user starts it."""

    ret: int
    stdout: str
    stderr: str
    home: Path
    """Holds ``reports/`` and ``runs/<run id>/`` (logs and processor records) of this run."""

    @property
    def records(self) -> dict[str, dict]:
        """The processors' outcome records (``harness.running.backfill.Backfill.to_record``) by name."""
        runs = sorted((self.home / "runs").iterdir())
        assert len(runs) == 1, f"expected one run directory, found {runs}"
        return {p.stem: json.loads(p.read_text()) for p in (runs[0] / "once").glob("*.json")}

    def outcomes(self) -> dict[str, int]:
        """``{"passed": n, "failed": n, ...}`` from the summary line."""
        last = self.stdout.strip().splitlines()[-1]
        return {
            word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|error|deselected)", last)
        }


GameplanRunner = Callable[..., GameplanRun]


@pytest.fixture(scope="session")
def run_gameplan(tmp_path_factory: pytest.TempPathFactory) -> GameplanRunner:
    """Returns ``run(warehouse, *args, pipeline=None)``: the suite over ``warehouse`` with its reports and
    run directory in a fresh directory, from this repository's pytest.ini (so with its default workers)."""

    def run(warehouse: Path, *args: str, pipeline: Path | None = None) -> GameplanRun:
        home = tmp_path_factory.mktemp("gameplan")
        command = [
            sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), f"--rootdir={REPO}",
            "-p", "no:cacheprovider", "--warehouse", str(warehouse), "--report-dir", str(home / "reports"),
            "--pipeline", str(pipeline or REPO / "pipeline.toml"), *args,
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "PYTEST_XDIST"))}
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        return GameplanRun(done.returncode, done.stdout, done.stderr, home)

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests start whole gameplan runs with their own workers and time their processors:
    keep them on one worker, one at a time, so that they do not starve each other on a small machine."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group("e2e"))
