"""Every output table, beyond the gameplan: its grain is unique in the window, its key columns are not
null, its declared value ranges hold, and declared columns are filled (usage_rate for active players,
which a Phase 3 ordering mistake leaves empty)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.context.run import HarnessRun
from harness.plugin.fixtures import PhaseChecks
from harness.plugin.verdicts import RecordProperty, assert_findings
from harness.running.backfill import Backfill


def test_output_table(
    output_processor: str,
    backfill: Callable[[str], Backfill],
    harness_run: HarnessRun,
    request: pytest.FixtureRequest,
    record_property: RecordProperty,
) -> None:
    backfill(output_processor)
    processor = harness_run.pipeline.processors[output_processor]
    checks: PhaseChecks = request.getfixturevalue(f"phase{processor.phase}_checks")
    assert_findings(
        checks.for_table(processor.output, "grains_and_ranges"), ["grains_and_ranges"], record_property
    )
