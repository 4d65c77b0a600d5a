"""Step 4 of the gameplan: the Phase 4 processors, strictly in order, on one worker; they start only
when every core Phase 3 table is complete."""

from __future__ import annotations

from collections.abc import Callable

from harness.plugin.verdicts import RecordProperty, assert_backfill
from harness.running.backfill import Backfill


def test_phase4_processor(
    phase4_processor: str, backfill: Callable[[str], Backfill], record_property: RecordProperty
) -> None:
    assert_backfill(backfill(phase4_processor), record_property)
