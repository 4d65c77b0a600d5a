"""``partition_coverage`` is checked, not trusted (issue 14, item 6): on BigQuery each table that claims it
must be partitioned by DAY on its date column, or its coverage is counted by the scan instead, and
summary.json says which method each table got and why. On the emulator (which keeps DAY partitioning)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checking.coverage import METADATA, SCAN, coverage_method, coverage_query
from harness.reporting.summary import coverage_methods
from harness.running.plan import build_plan, plan_lines
from tests.bigquery_emulator import PROJECT, emulator_client
from tests.conftest import REPO
from tests.unit.running.test_pricing import context

CLAIMED = ["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"]


@pytest.fixture
def claiming_pipeline(tmp_path: Path) -> Path:
    text = (REPO / "pipeline.toml").read_text()
    for name in CLAIMED:
        header = f"[tables.{name}]\n"
        text = text.replace(header, f"{header}partition_coverage = true\n")
    path = tmp_path / "pipeline.toml"
    path.write_text(text)
    return path


def test_a_claim_that_does_not_hold_falls_back_to_the_scan(
    emulator_url: str, claiming_pipeline: Path
) -> None:
    client = emulator_client(emulator_url)
    for name in ["nba_raw", "nba_analytics", "nba_precompute", "nba_predictions", "nba_reference"]:
        client.create_dataset(f"{PROJECT}.pc_{name}", exists_ok=True)
    for ddl in (
        "CREATE TABLE IF NOT EXISTS pc_nba_analytics.team_offense_game_summary (game_date DATE, team_abbr STRING) "
        "PARTITION BY game_date",
        "CREATE TABLE IF NOT EXISTS pc_nba_analytics.team_defense_game_summary (game_date DATE, x STRING)",
    ):
        client.query(ddl).result()
    run = context(
        Path("unused"), backend="bigquery", project=PROJECT, bigquery_endpoint=emulator_url,
        dataset_prefix="pc_", pipeline=str(claiming_pipeline),
    )  # fmt: skip
    assert set(run.coverage_fallbacks) == {"team_defense_game_summary", "player_game_summary"}
    assert run.coverage_fallbacks["team_defense_game_summary"] == "not partitioned by time"
    assert "player_game_summary not found" in run.coverage_fallbacks["player_game_summary"]
    tables = run.pipeline.tables
    assert [coverage_method(tables[n], metadata=True) for n in CLAIMED] == [METADATA, SCAN, SCAN]
    sql, _ = coverage_query([tables[n] for n in CLAIMED], run.window, metadata=True)
    assert (
        sql.count("INFORMATION_SCHEMA.PARTITIONS") == 1
        and "FROM nba_analytics.team_defense_game_summary" in sql
    )
    methods = coverage_methods(run)
    assert methods["team_offense_game_summary"] == {"method": METADATA}
    assert methods["team_defense_game_summary"] == {"method": SCAN, "reason": "not partitioned by time"}
    assert methods["upcoming_team_game_context"] == {"method": SCAN}  # never claimed
    lines = plan_lines(run.with_schedule((), {}), build_plan(run))
    assert (
        "  coverage of team_defense_game_summary: date column scan (declared partition_coverage, but not "
        "partitioned by time)"
    ) in lines


def test_the_embedded_warehouse_has_nothing_to_check(seeded_warehouse, claiming_pipeline: Path) -> None:
    run = context(seeded_warehouse.path, pipeline=str(claiming_pipeline))
    assert run.coverage_fallbacks == {}
    assert {m["method"] for m in coverage_methods(run).values()} == {SCAN}
