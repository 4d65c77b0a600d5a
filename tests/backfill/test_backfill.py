"""Each phase's backfill step (Steps 2 and 4 of the gameplan): every processor, in the order its phase
declares (in parallel as far as the real dependencies allow, or strictly one after another), judged from
the warehouse: the real scripts exit 0 even when dates fail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.plugin.verdicts import RecordProperty, assert_backfill
from harness.running.backfill import Backfill


@pytest.mark.harness_step("backfill")
def test_backfill(
    backfill_processor: str, backfill: Callable[[str], Backfill], record_property: RecordProperty
) -> None:
    assert_backfill(backfill(backfill_processor), record_property)
