"""Step 5 of the gameplan, corrected by the contract: each Phase 4 table by its own date column has rows
on every game date after the bootstrap period; bootstrap dates are EXEMPT, recorded here and shown in
the report, and rows on them are an error unless the table declares placeholders."""

from __future__ import annotations

from collections.abc import Callable

from harness.checking.expected import DayState
from harness.context.run import HarnessRun
from harness.plugin.fixtures import PhaseChecks
from harness.plugin.verdicts import RecordProperty, assert_coverage
from harness.running.backfill import Backfill

SUITES = ["date_coverage", "bootstrap_exemptions"]


def test_phase4_coverage(
    phase4_output: str,
    backfill: Callable[[str], Backfill],
    phase4_checks: PhaseChecks,
    harness_run: HarnessRun,
    record_property: RecordProperty,
) -> None:
    backfill(phase4_output)  # a blocked processor's checks are blocked too
    assert_coverage(phase4_output, phase4_checks, harness_run, SUITES, DayState.EXEMPT, record_property)
