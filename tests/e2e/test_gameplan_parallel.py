"""The gameplan suite under pytest-xdist, as pytest.ini starts it: each processor runs once whichever
worker needs it, groups stay on one worker, Phase 3 runs in parallel where the graph allows, and the
same window gives the same outcomes and the same tables with ``-n 0`` and with ``-p no:xdist``."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from harness.declaration.model import Pipeline
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import query

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-31:2021-11-03"  # two bootstrap days, then two normal days
PHASE3_WAIT = 4.0


def slow_phase3_pipeline(directory: Path, pipeline: Pipeline) -> Path:
    """The declaration with Phase 3 commands that wait PHASE3_WAIT seconds before working."""
    names = ",".join(p.name for p in pipeline.phase(3))
    slow = f'["{{python}}", "{REPO}/tests/e2e/slow_job.py", "{PHASE3_WAIT}", "{names}", "{{name}}",'
    text = (
        (REPO / "pipeline.toml")
        .read_text()
        .replace('["{python}", "-m", "harness.reference.jobs", "{name}",', slow, 1)
    )
    path = directory / "pipeline.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def xdist_run(tmp_path_factory, history_warehouse, run_gameplan, pipeline):
    warehouse = history_warehouse()
    started = datetime.now().astimezone()
    declaration = slow_phase3_pipeline(tmp_path_factory.mktemp("slow"), pipeline)
    run = run_gameplan(warehouse, "--window", WINDOW, "-n", "4", "-v", pipeline=declaration)
    return run, DuckDBWarehouse(warehouse), started


def test_the_window_passes_with_workers(xdist_run) -> None:
    run, _, _ = xdist_run
    assert run.ret == 0, run.stdout[-3000:]
    assert run.outcomes() == {"passed": 48}


def test_each_processor_ran_exactly_once(xdist_run, pipeline: Pipeline) -> None:
    run, warehouse, started = xdist_run
    runs = query(
        warehouse,
        "SELECT processor_name, COUNT(DISTINCT run_id) AS runs FROM nba_reference.processor_run_history "
        "WHERE started_at >= @started GROUP BY 1",
        {"started": started},
    )
    expected = {p.run_history_name: 1 for p in pipeline.processors.values() if p.writes_run_history}
    assert dict(zip(runs.processor_name, runs.runs, strict=True)) == expected
    logs = {name: Path(record["result"]["log_path"]).read_text() for name, record in run.records.items()}
    assert set(logs) == set(pipeline.processors)
    assert all(log.count("\n$ ") + log.startswith("$ ") == 1 for log in logs.values())


def test_groups_stay_on_one_worker(xdist_run) -> None:
    run, _, _ = xdist_run
    placed = {
        test: worker for worker, test in re.findall(r"\[(gw\d+)\] \[[ \d]+%\] PASSED (\S+)", run.stdout)
    }
    assert len(placed) == 48, run.stdout[-2000:]
    phase4 = {w for t, w in placed.items() if t.endswith("@phase4")}
    checks = {w for t, w in placed.items() if t.endswith("@checks")}
    assert len(phase4) == 1 and len(checks) == 1, placed
    assert len(set(placed.values())) > 1, "every test ran on one worker"


def test_phase3_overlaps_where_the_graph_allows(xdist_run) -> None:
    run, _, _ = xdist_run
    spans = {name: (r["result"]["started"], r["result"]["ended"]) for name, r in run.records.items()}
    first_level = ["team_offense_game_summary", "team_defense_game_summary", "upcoming_team_game_context"]
    assert max(spans[n][0] for n in first_level) < min(spans[n][1] for n in first_level), spans
    assert spans["player_game_summary"][0] >= spans["team_offense_game_summary"][1]
    assert spans["upcoming_player_game_context"][0] >= spans["player_game_summary"][1]
    phase4 = ["team_defense_zone_analysis", "player_shot_zone_analysis", "player_composite_factors",
              "player_daily_cache", "ml_feature_store_v2"]  # fmt: skip
    for before, after in itertools.pairwise(phase4):
        assert spans[after][0] >= spans[before][1], f"{after} started before {before} ended"


def _tables(warehouse: DuckDBWarehouse, pipeline: Pipeline) -> dict[str, pd.DataFrame]:
    """Every output table, without its timestamp columns (when rows were written), in a stable order."""
    frames = {}
    for table in (pipeline.output_table(p) for p in pipeline.processors.values()):
        frame = query(warehouse, f"SELECT * FROM {table.ref}")
        frame = frame.select_dtypes(exclude=["datetimetz"]).astype(str)
        frames[table.name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


def test_a_second_run_of_the_window_leaves_identical_tables(
    xdist_run, run_gameplan, pipeline: Pipeline
) -> None:
    _, warehouse, _ = xdist_run
    before = _tables(warehouse, pipeline)
    again = run_gameplan(warehouse.path, "--window", WINDOW)
    assert again.ret == 0, again.stdout[-3000:]
    after = _tables(warehouse, pipeline)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)


@pytest.mark.parametrize("args", [["-n", "0"], ["-p", "no:xdist"]], ids=["n0", "no-xdist"])
def test_same_results_in_one_process(
    args: list[str], xdist_run, history_warehouse: Callable[[], Path], run_gameplan, pipeline: Pipeline
) -> None:
    run, workers_warehouse, _ = xdist_run
    warehouse = history_warehouse()
    single = run_gameplan(warehouse, "--window", WINDOW, *args)
    assert single.ret == 0 and single.outcomes() == run.outcomes(), single.stdout[-3000:]
    ours, theirs = _tables(DuckDBWarehouse(warehouse), pipeline), _tables(workers_warehouse, pipeline)
    for name, frame in theirs.items():
        pd.testing.assert_frame_equal(ours[name], frame, obj=name)
    shutil.rmtree(single.home)


@pytest.mark.parametrize(("args", "workers"), [([], 0), (["-n", "2"], 2)], ids=["default", "asked"])
def test_the_embedded_warehouse_runs_in_one_process_unless_asked(
    args: list[str], workers: int, warehouse_factory: Callable[[], Path], run_gameplan
) -> None:
    """The processors take turns on the DuckDB file, so pytest.ini's workers would only add start-up."""
    run = run_gameplan(warehouse_factory(), "--window", WINDOW, "-k", "source_chain", *args)
    assert run.ret == 0, run.stdout[-3000:]
    created = re.findall(r"created: (\d+)/\d+ workers", run.stdout)
    assert created == ([str(workers)] if workers else []), run.stdout[-3000:]


@pytest.mark.parametrize("mode", ["run", "verify"])
def test_one_process_runs_the_processors_before_the_checks(
    mode: str, backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    """Run mode in one process: Step 1, then the processors while Great Expectations loads on a thread,
    then every check; verify mode (no processor) keeps the gameplan's order, Step 0 first."""
    run = run_gameplan(backfilled_warehouse(), "--window", WINDOW, "--mode", mode, "-n", "0", "-v")
    assert run.ret == 0, run.stdout[-3000:]
    order = re.findall(r"^tests/backfill/(test_\w+)\.py::\S+ PASSED", run.stdout, re.MULTILINE)
    first = list(dict.fromkeys(order))
    if mode == "run":
        assert first[:3] == ["test_preflight", "test_backfill", "test_source_chains"], first
    else:
        assert first[:2] == ["test_source_chains", "test_preflight"], first
