"""Step 2 of the gameplan: the Phase 3 processors, in parallel as far as their real dependencies allow
(each in its own xdist group; a processor waits for the ones it reads)."""

from __future__ import annotations

from collections.abc import Callable

from harness.plugin.verdicts import RecordProperty, assert_backfill
from harness.running.backfill import Backfill


def test_phase3_processor(
    phase3_processor: str, backfill: Callable[[str], Backfill], record_property: RecordProperty
) -> None:
    assert_backfill(backfill(phase3_processor), record_property)
