"""Every output table, beyond the gameplan: its grain is unique in the window, its key columns are not
null, its declared value ranges hold, declared columns are filled (usage_rate for active players, which
a Phase 3 ordering mistake leaves empty), and its reconciled columns equal their sources (points against
the gamebook and the box score)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.checking.phase import PhaseChecks
from harness.context.run import RunContext
from harness.plugin.verdicts import RecordProperty, assert_findings, skip_if_left_out


@pytest.mark.harness_step("output_tables")
def test_output_table(
    output_processor: str,
    checks_after: Callable[[str], PhaseChecks],
    harness_run: RunContext,
    record_property: RecordProperty,
) -> None:
    processor = harness_run.pipeline.processors[output_processor]
    checks = checks_after(output_processor)
    skip_if_left_out(checks, processor.output)
    suites = ["grains_and_ranges", "reconciliation"]
    assert_findings(checks.for_table(processor.output, *suites), suites, record_property)
