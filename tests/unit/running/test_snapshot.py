"""Which snapshot a processor gets: BigQuery's time travel only when its timeout fits the 48-hour minimum
time-travel window and the endpoint is BigQuery's own; a copy everywhere else."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.checking.changes import snapshot_name
from harness.context.run import RunContext, build_context
from harness.declaration.settings import resolve_settings
from harness.running.snapshot import TIME_TRAVEL_SECONDS, uses_time_travel

REPO = Path(__file__).resolve().parents[3]


def _run(tmp_path: Path, kind: str, endpoint: str | None = None) -> RunContext:
    """A run on a stand-in warehouse of ``kind`` (only its kind and embeddedness are read)."""
    cli = {"window": "2021-10-19:2021-10-22", "pipeline": str(REPO / "pipeline.toml")}
    if endpoint:
        cli["bigquery_endpoint"] = endpoint
    run = build_context(resolve_settings(cli, {}, {}, tmp_path), "run-1", today=date(2026, 1, 1))
    return dataclasses.replace(run, warehouse=SimpleNamespace(kind=kind, embedded=kind == "duckdb"))


@pytest.mark.parametrize(
    ("kind", "endpoint", "timeout", "travels"),
    [
        ("duckdb", None, 900, False),
        ("bigquery", None, 900, True),
        ("bigquery", None, TIME_TRAVEL_SECONDS - 1, True),
        ("bigquery", None, TIME_TRAVEL_SECONDS, False),
        ("bigquery", "http://127.0.0.1:9050", 900, False),
    ],
)
def test_time_travel_only_on_bigquery_itself_within_48_hours(
    tmp_path: Path, kind: str, endpoint: str | None, timeout: float, travels: bool
) -> None:
    assert uses_time_travel(_run(tmp_path, kind, endpoint), timeout) is travels


def test_copies_are_named_by_the_run_where_runs_can_share_the_warehouse(tmp_path: Path) -> None:
    """The embedded file has one run at a time (its run lock): its copies get one name, so the statements
    that name them are translated once per machine; BigQuery's carry the run id."""
    table = _run(tmp_path, "duckdb").pipeline.tables["player_game_summary"]
    assert snapshot_name(table, _run(tmp_path, "duckdb").snapshot_tag).endswith("__harness_snapshot_latest")
    assert snapshot_name(table, _run(tmp_path, "bigquery").snapshot_tag).endswith("__harness_snapshot_run_1")
