"""Great Expectations validates the small frames; every failed expectation becomes one message per
subject that names the table, the dates and the reason. Also: the quality and history frames come from
one query each and catch duplicates, nulls, out-of-range values, short presence and failed or crashed
runs that are planted in a real warehouse."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from harness.checking import gx as checks
from harness.checking.expected import day_states
from harness.checking.frames import coverage_frame, history_frame
from harness.checking.history import latest_runs
from harness.checking.quality import quality_frame
from harness.declaration.model import Pipeline
from harness.declaration.window import Window, parse_window
from harness.errors import ConfigError
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute

RunJobs = Callable[..., None]


@pytest.fixture(scope="module")
def window(pipeline: Pipeline) -> Window:
    return parse_window("2021-10-31:2021-11-03", pipeline.seasons, pipeline.bootstrap_days, date(2026, 1, 1))


def test_coverage_messages_name_table_dates_and_share(pipeline: Pipeline, window: Window) -> None:
    games = list(window.dates())
    names = ["player_game_summary", "player_composite_factors", "ml_feature_store_v2"]
    tables = [pipeline.tables[name] for name in names]
    states = {t.name: day_states(t, window, games) for t in tables}
    counts = {
        "player_game_summary": {date(2021, 10, 31): 40, date(2021, 11, 3): 50},
        "player_composite_factors": {date(2021, 10, 31): 7, date(2021, 11, 2): 30, date(2021, 11, 3): 30},
        # The feature store declares placeholders: its bootstrap rows are allowed.
        "ml_feature_store_v2": {date(2021, 10, 31): 7, date(2021, 11, 2): 30, date(2021, 11, 3): 30},
    }
    frame = coverage_frame(tables, counts, states)
    coverage = checks.validate("date_coverage", frame)
    assert [f.message for f in coverage] == [
        "player_game_summary: no rows on 2021-11-01, 2021-11-02 (2 of 4 expected game dates)"
    ]
    assert coverage[0].days == (date(2021, 11, 1), date(2021, 11, 2))
    exempt = checks.validate("bootstrap_exemptions", frame)
    assert [f.subject for f in exempt] == ["player_composite_factors"]
    assert (
        "rows on bootstrap dates, which are EXEMPT and must stay empty: 2021-10-31 (7 rows)"
        in exempt[0].message
    )


def test_a_suite_gx_would_load_only_in_part_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads((checks.SUITES_DIR / "run_history.json").read_text())
    data["expectations"][0]["type"] = "expect_column_pair_values_A_to_be_greater_than_B"
    (tmp_path / "run_history.json").write_text(json.dumps(data))
    monkeypatch.setattr(checks, "SUITES_DIR", tmp_path)
    checks.load_suite.cache_clear()
    try:
        with pytest.raises(ConfigError, match="rejected some expectations"):
            checks.load_suite("run_history")
    finally:
        checks.load_suite.cache_clear()


def test_quality_frame_catches_planted_faults(
    seeded_warehouse: DuckDBWarehouse, run_jobs: RunJobs, pipeline: Pipeline, window: Window
) -> None:
    run_jobs(
        seeded_warehouse.path, ["team_offense_game_summary", "player_game_summary"], window.start, window.end
    )
    pgs = "nba_analytics.player_game_summary"
    execute(
        seeded_warehouse,
        f"INSERT INTO {pgs} SELECT * FROM {pgs} WHERE game_date = '2021-11-01' AND team_abbr = "
        f"(SELECT MIN(team_abbr) FROM {pgs} WHERE game_date = '2021-11-01'); "
        f"UPDATE {pgs} SET minutes_played = 75 WHERE game_date = '2021-11-02' AND player_lookup IN "
        f"(SELECT player_lookup FROM {pgs} WHERE game_date = '2021-11-02' ORDER BY player_lookup LIMIT 2); "
        f"UPDATE {pgs} SET usage_rate = NULL WHERE game_date = '2021-11-03'",
    )
    tables = [pipeline.tables["player_game_summary"]]
    with seeded_warehouse.connect() as conn:
        before = seeded_warehouse.statements_run
        frame = quality_frame(conn, tables, window)
        assert seeded_warehouse.statements_run - before == 1
    messages = [
        f.message
        for f in checks.validate("grains_and_ranges", frame.rename(columns={"table_name": "subject"}))
    ]
    assert len(messages) == 3, messages
    assert messages[0].startswith(
        "player_game_summary: duplicate rows for the grain (player_lookup) on 2021-11-01 ("
    )
    assert (
        messages[1]
        == "player_game_summary.minutes_played: values outside [0, 70] on 2021-11-02 (2 of "
        + messages[1].split(" of ")[1]
    )
    assert messages[2].startswith(
        "player_game_summary.usage_rate: filled on fewer than 80% of is_active rows on 2021-11-03 (0% of "
    )


def test_history_frame_reports_failed_crashed_and_absent_runs(
    seeded_warehouse: DuckDBWarehouse, run_jobs: RunJobs, pipeline: Pipeline, window: Window
) -> None:
    run_jobs(seeded_warehouse.path, ["team_offense_game_summary"], window.start, date(2021, 11, 2))
    history = "nba_reference.processor_run_history"
    execute(
        seeded_warehouse,
        f"INSERT INTO {history} (processor_name, run_id, status, data_date, started_at) VALUES "
        "('TeamOffenseGameSummaryProcessor', 'late', 'running', '2021-11-01', CURRENT_TIMESTAMP()), "
        "('TeamOffenseGameSummaryProcessor', 'bad', 'running', '2021-11-02', CURRENT_TIMESTAMP()), "
        "('TeamOffenseGameSummaryProcessor', 'bad', 'failed', '2021-11-02', CURRENT_TIMESTAMP())",
    )
    processor = pipeline.processors["team_offense_game_summary"]
    with seeded_warehouse.connect() as conn:
        runs = latest_runs(conn, pipeline, [processor], window)
    states = {processor.name: day_states(pipeline.output_table(processor), window, list(window.dates()))}
    frame = history_frame(runs, states, {processor.name: 10})
    assert frame.status.tolist() == ["success", "crashed", "failed", "none"]
    messages = [f.message for f in checks.validate("run_history", frame)]
    assert (
        messages[0]
        == "team_offense_game_summary: latest run failed on 2021-11-02 (run bad: no error recorded)"
    )
    assert messages[1].startswith(
        "team_offense_game_summary: unfinished run (a 'running' row and no final row) on 2021-11-01 (run late "
        "started "
    )
    assert messages[1].endswith(
        "has only its 'running' row: it crashed, or another run held its lock (stale after 10 minutes); wait "
        "out the lock or clear it, then run --mode missing)"
    )
    assert messages[2] == "team_offense_game_summary: no run history on 2021-11-03 (1 of 4 game dates)"
    # A processor whose scripts skip bootstrap dates: no run history there is EXEMPT, not a problem.
    zone = pipeline.processors["team_defense_zone_analysis"]
    exempt = history_frame(
        {zone.name: {}},
        {zone.name: day_states(pipeline.output_table(zone), window, list(window.dates()))},
        {},
    )
    assert exempt.status.tolist() == ["exempt", "exempt", "none", "none"]
