"""Step 1 of the gameplan: the backfill infrastructure is ready before anything runs."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from harness.checking.preflight import Check, Preflight, command_checks
from harness.context.run import RunContext


def _fail_on(checks: Sequence[Check]) -> None:
    failed = [f"{c.name}: {c.problem}" for c in checks if not c.ok]
    if failed:
        pytest.fail("\n".join(failed), pytrace=False)


@pytest.mark.harness_step("preflight")
def test_warehouse_tables_and_columns(harness_run: RunContext, preflight: Preflight) -> None:
    schedule = [Check("schedule", harness_run.game_dates_problem)]
    _fail_on([*preflight.checks, *schedule])


@pytest.mark.harness_step("preflight")
def test_processor_commands_resolve(harness_run: RunContext) -> None:
    _fail_on(command_checks(harness_run.pipeline, harness_run.window.start, harness_run.template_context))
