"""The issue's case: a critical source chain broken on one date. The verdict's reason line, in the
terminal, the report and summary.json, is the failure's own message, in one process and under xdist
(where pytest's report text starts with the worker header ``[gw0] linux -- Python ...``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from signoff_checks import load_signoff

from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute

WINDOW = "2021-10-31:2021-11-03"
REASON = "Step 0: source chains: test_source_chain[player_boxscores] failed: player_boxscores (critical): "


@pytest.mark.parametrize("processes", ["0", "2"], ids=["one process", "xdist"])
def test_a_reason_line_is_the_failures_own_message(
    backfilled_warehouse: Callable[[], Path], run_gameplan, processes: str
) -> None:
    warehouse = DuckDBWarehouse(backfilled_warehouse())
    for table in ("nbac_gamebook_player_stats", "bdl_player_boxscores", "espn_boxscores"):
        execute(warehouse, f"DELETE FROM nba_raw.{table} WHERE game_id = '20211102_BOS_MIL'")
    run = run_gameplan(
        warehouse.path, "--window", WINDOW, "--mode", "verify", "-k", "source_chain", "-n", processes
    )
    assert run.ret == 1
    summary, html = load_signoff(run.home)
    reasons = [r for r in summary["reasons"] if r.startswith(REASON)]
    assert reasons == [f"{REASON}1 of 4 game dates incomplete"], summary["reasons"]
    assert "[gw" not in "".join(summary["reasons"])
    assert f"  - {reasons[0]}" in run.stdout
    assert reasons[0].split(": ", 3)[-1] in html
