"""Steps 2 and 4 of the gameplan: each processor runs over the window and writes its dates.

A processor passed when the warehouse says so: the real scripts exit 0 even when dates fail, so the
exit code is reported but the verdict comes from the output table's coverage.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.coverage import table_coverage
from harness.runner import ProcessorResult
from harness.session import HarnessRun


def _check_ran(harness_run: HarnessRun, result: ProcessorResult, name: str) -> None:
    processor = harness_run.pipeline.processors[name]
    table = harness_run.pipeline.output_table(processor)
    with harness_run.warehouse.connect() as conn:
        rows = table_coverage(conn, [table], harness_run.window)[table.name]
    if result.timed_out:
        pytest.fail(f"{name}: timed out after {result.duration:.0f} s\n{result.log_tail()}", pytrace=False)
    if result.exit_code != 0:
        pytest.fail(f"{name}: exit code {result.exit_code}\n{result.log_tail()}", pytrace=False)
    if not rows:
        pytest.fail(
            f"{name}: exited 0 but wrote no rows to {table.ref} in {harness_run.window}", pytrace=False
        )


def test_phase3_processor(
    phase3_processor: str, backfill: Callable[[str], ProcessorResult], harness_run: HarnessRun
) -> None:
    _check_ran(harness_run, backfill(phase3_processor), phase3_processor)


def test_phase4_processor(
    phase4_processor: str, backfill: Callable[[str], ProcessorResult], harness_run: HarnessRun
) -> None:
    _check_ran(harness_run, backfill(phase4_processor), phase4_processor)
