"""Each phase's coverage step (Steps 3 and 5 of the gameplan, corrected by the contract): every output
table, by its own date column, has rows on every expected game date, and on each date exactly the
entities its rule expects (both teams of every game, every listed player, the players meeting a Phase 4
processor's minimum). A table exempt during bootstrap has no rows on bootstrap dates (EXEMPT, recorded
and shown in the report) unless it declares placeholders; a date on which no entity meets the minimum is
NONE_EXPECTED, with its reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.checking.phase import PhaseChecks
from harness.context.run import RunContext
from harness.plugin.verdicts import RecordProperty, assert_coverage


@pytest.mark.harness_step("coverage")
def test_coverage(
    coverage_processor: str,
    checks_after: Callable[[str], PhaseChecks],
    harness_run: RunContext,
    record_property: RecordProperty,
) -> None:
    checks = checks_after(coverage_processor)
    assert_coverage(coverage_processor, checks, harness_run, record_property)
