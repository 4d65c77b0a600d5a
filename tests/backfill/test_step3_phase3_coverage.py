"""Step 3 of the gameplan: every Phase 3 table has rows on every expected game date.

Expected dates come from the schedule and the declaration: a table that follows an optional chain
(the upcoming tables and the odds feeds) is expected only where that chain has data. An incomplete core
table also blocks Phase 4 (the ``phase3_gate`` fixture)."""

from __future__ import annotations

from collections.abc import Callable

from harness.checking.expected import DayState
from harness.context.run import HarnessRun
from harness.plugin.fixtures import PhaseChecks
from harness.plugin.verdicts import RecordProperty, assert_coverage
from harness.running.backfill import Backfill


def test_phase3_coverage(
    phase3_output: str,
    backfill: Callable[[str], Backfill],
    phase3_checks: PhaseChecks,
    harness_run: HarnessRun,
    record_property: RecordProperty,
) -> None:
    backfill(phase3_output)  # a blocked processor's checks are blocked too
    assert_coverage(
        phase3_output, phase3_checks, harness_run, ["date_coverage"], DayState.OPTIONAL, record_property
    )
