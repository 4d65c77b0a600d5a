"""The report's "What changed" panel: the grid's counts per table and date, the pre-test state beside the
after state, outside-the-window findings and samples, every value escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from harness.checking.changes import DayChanges, TableChanges
from harness.context.run import build_context
from harness.declaration.settings import resolve_settings
from harness.reporting.changes import changes
from harness.reporting.html import render
from harness.reporting.signoff import SignOff, Verdict
from harness.running.backfill import Backfill, ProcessorStatus

REPO = Path(__file__).resolve().parents[3]
EVIL = "<script>alert(1)</script>"


def _signoff(tmp_path: Path, found: TableChanges) -> SignOff:
    cli = {"window": "2021-10-19:2021-10-21", "pipeline": str(REPO / "pipeline.toml")}
    run = build_context(resolve_settings(cli, {}, {}, tmp_path), "run-1", today=date(2026, 1, 1))
    processor = Backfill("player_game_summary", ProcessorStatus.PASSED, changes=found)
    before = {"tables": {"player_game_summary": {"2021-10-20": 250}}, "problem": None}
    return SignOff(
        run,
        Verdict.NOT_READY,
        [],
        1,
        datetime.now(UTC),
        [],
        (),
        [processor],
        {},
        {},
        [],
        [],
        [],
        [],
        pre_test_state=before,
    )


def test_the_panel_shows_counts_outside_dates_and_escaped_samples(tmp_path: Path) -> None:
    sample = {"kind": "changed", "key": EVIL, "values": {"points": ["11", EVIL]}}
    day = DayChanges(added=2, changed=1, columns={"points": 1}, samples=[sample])
    found = TableChanges("player_game_summary", "copy", {"2021-10-20": day}, ["2021-11-20"], 0.5)
    page = render(changes, _signoff(tmp_path, found))
    assert "<h2>What changed</h2>" in page
    assert (
        'data-change-table="player_game_summary" data-change-date="2021-10-20"' in page
        and ">+2 ~1</td>" in page
    )
    assert page.count('title="unchanged">0</td>') == 2  # 10-19 and 10-21
    assert "1 dates, 250 rows" in page and "not checked" in page  # before; after: no coverage was read
    assert "Rows changed outside the window:<ul><li>player_game_summary: 2021-11-20</li>" in page
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "processed_at, created_at, updated_at" in page
