"""The declaration is the one source: an 11th processor, a Phase 5 and a pipeline without Phase 4 need
TOML and no change to the harness. A processor whose table is missing is blocked by Step 1 with one
line, and summary.json is written whatever fails."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from signoff_checks import load_signoff

from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-31:2021-11-03"  # two bootstrap days, then two normal days
PHASE4 = (
    "team_defense_zone_analysis", "player_shot_zone_analysis", "player_composite_factors",
    "player_daily_cache", "ml_feature_store_v2",
)  # fmt: skip


def sections(text: str) -> list[tuple[str, str]]:
    """``pipeline.toml`` as (header, body) pairs; the text before the first header has header ''."""
    parts = re.split(r"(?m)^(\[[^\]\n]+\])\n", text)
    return [("", parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]


def declaration(tmp_path: Path, keep: Callable[[str], bool] = lambda h: True, extra: str = "") -> Path:
    """The repository's declaration with the sections ``keep`` rejects left out and ``extra`` added."""
    text = "".join(
        f"{h}\n{body}" if h else body for h, body in sections((REPO / "pipeline.toml").read_text()) if keep(h)
    )
    path = tmp_path / "pipeline.toml"
    path.write_text(text + extra)
    return path


MIRROR = f"""
[tables.team_offense_mirror]
dataset = "analytics"
date_column = "game_date"
grain = ["team_abbr"]

[processors.team_offense_mirror]
phase = 3
output = "team_offense_mirror"
upstream = ["team_offense_game_summary"]
command = ["{{python}}", "{REPO / "tests" / "e2e" / "mirror_job.py"}", "team_offense_game_summary", "team_offense_mirror", "--start-date", "{{start}}", "--end-date", "{{end}}"]
dates_command = []
"""


def _summary(home: Path) -> dict:
    return json.loads(next((home / "reports").glob("*.summary.json")).read_text())


def test_an_eleventh_processor_needs_only_toml(tmp_path: Path, history_warehouse, run_gameplan) -> None:
    path = history_warehouse()
    execute(
        DuckDBWarehouse(path),
        "CREATE TABLE nba_analytics.team_offense_mirror AS "
        "SELECT * FROM nba_analytics.team_offense_game_summary WHERE FALSE",
    )
    run = run_gameplan(path, "--window", WINDOW, "-n", "0", pipeline=declaration(tmp_path, extra=MIRROR))
    assert run.ret == 0, run.stdout[-3000:]
    summary = _summary(run.home)
    assert summary["verdict"] == "READY FOR FULL-SEASON RUN"
    assert summary["steps"]["Step 2: Phase 3 backfill"] == {"passed": 6}
    assert {p["name"] for p in summary["processors"]} >= {"team_offense_mirror"}
    mirror = summary["coverage"]["team_offense_mirror"]
    assert all(cell["rows"] > 0 for cell in mirror.values() if cell["state"] == "expected"), mirror


def test_a_processor_whose_table_is_missing_is_blocked_by_step1(
    tmp_path: Path, history_warehouse, run_gameplan
) -> None:
    run = run_gameplan(
        history_warehouse(), "--window", WINDOW, "-n", "0", pipeline=declaration(tmp_path, extra=MIRROR)
    )
    assert run.ret == 1
    assert "Traceback" not in run.stdout
    reason = "blocked by Step 1: table nba_analytics.team_offense_mirror: table does not exist"
    assert reason in run.stdout
    summary = _summary(run.home)
    assert summary["verdict"] == "NOT READY"
    assert any("test_warehouse_tables_and_columns failed" in r for r in summary["reasons"]), summary[
        "reasons"
    ]
    assert any(r.endswith(reason) for r in summary["reasons"]), summary["reasons"]
    mirror = [t for t in summary["tests"] if "team_offense_mirror" in t["id"]]
    assert mirror and all(t["blocked"] for t in mirror), mirror
    # The other Phase 3 processors ran and passed; Phase 4 waits for a complete Phase 3, so Step 1 blocks it.
    assert sorted(p["status"] for p in summary["processors"]) == ["passed"] * 5
    assert summary["steps"]["Step 4: Phase 4 backfill"] == {"blocked": 5}


def test_a_fifth_phase_needs_only_toml(tmp_path: Path, history_warehouse, run_gameplan) -> None:
    text = declaration(tmp_path).read_text()
    feature_store = "[processors.ml_feature_store_v2]\nphase = 4\n"
    assert feature_store in text
    text = text.replace(feature_store, "[processors.ml_feature_store_v2]\nphase = 5\n")
    text += (
        '\n[phases.5]\nname = "Phase 5"\nbackfill_step = "Step 6: Phase 5 backfill"\n'
        'coverage_step = "Step 7: Phase 5 coverage"\nneeds_complete = [3, 4]\n'
    )
    path = tmp_path / "phase5.toml"
    path.write_text(text)
    run = run_gameplan(history_warehouse(), "--window", WINDOW, "-n", "0", pipeline=path)
    assert run.ret == 0, run.stdout[-3000:]
    summary = _summary(run.home)
    assert summary["steps"]["Step 4: Phase 4 backfill"] == {"passed": 4}
    assert summary["steps"]["Step 6: Phase 5 backfill"] == {"passed": 1}
    assert summary["steps"]["Step 7: Phase 5 coverage"] == {"passed": 1}
    assert "Phase 5 nba_predictions.ml_feature_store_v2" in load_signoff(run.home)[1]


def test_a_pipeline_without_phase4_needs_only_toml(tmp_path: Path, history_warehouse, run_gameplan) -> None:
    def keep(header: str) -> bool:
        return header != "[phases.4]" and header not in {f"[processors.{name}]" for name in PHASE4}

    run = run_gameplan(
        history_warehouse(), "--window", WINDOW, "-n", "0", pipeline=declaration(tmp_path, keep)
    )
    assert run.ret == 0, run.stdout[-3000:]
    summary = _summary(run.home)
    assert summary["verdict"] == "READY FOR FULL-SEASON RUN"
    assert not any("Phase 4" in step for step in summary["steps"])
    assert sorted(p["name"] for p in summary["processors"]) == sorted(
        ["team_offense_game_summary", "team_defense_game_summary", "upcoming_team_game_context",
         "player_game_summary", "upcoming_player_game_context"]
    )  # fmt: skip
