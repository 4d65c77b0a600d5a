"""Step 1 of the gameplan: the backfill infrastructure is ready before anything runs."""

from __future__ import annotations

import pytest

from harness.checking.preflight import Check, command_checks, warehouse_checks
from harness.context.run import HarnessRun


def _fail_on(checks: list[Check]) -> None:
    failed = [f"{c.name}: {c.problem}" for c in checks if not c.ok]
    if failed:
        pytest.fail("\n".join(failed), pytrace=False)


def test_warehouse_tables_and_columns(harness_run: HarnessRun) -> None:
    with harness_run.warehouse.connect() as conn:
        _fail_on(warehouse_checks(conn, harness_run.pipeline))


def test_processor_commands_resolve(harness_run: HarnessRun) -> None:
    _fail_on(command_checks(harness_run.pipeline, harness_run.window.start, harness_run.template_context))
