"""How the gameplan tests turn outcomes and findings into pass, fail, warn or skip, with messages a
person can act on (table, dates, reason), and properties the report reads."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from harness.checking.expected import DayState
from harness.checking.gx import Finding
from harness.context.run import HarnessRun
from harness.plugin.fixtures import PhaseChecks
from harness.running.backfill import NOT_RUN, Backfill

RecordProperty = Callable[[str, Any], None]


class SourceChainWarning(UserWarning):
    """A warning-severity finding: the run passes, the report shows it."""


def assert_backfill(outcome: Backfill, record_property: RecordProperty) -> None:
    """Steps 2 and 4: the processor ran and the warehouse agrees."""
    record_property("status", outcome.status)
    record_property("dates", len(outcome.dates))
    if outcome.result is not None:
        record_property("exit_code", outcome.result.exit_code)
        record_property("duration_seconds", round(outcome.result.duration, 2))
        record_property("log", outcome.result.log_path)
        record_property("command", outcome.result.command)
    if outcome.status == NOT_RUN:
        pytest.skip(outcome.reason)
    if outcome.failed:
        tail = outcome.result.log_tail() if outcome.result else ""
        log = f"\n--- last lines of {outcome.result.log_path} ---\n{tail}" if outcome.result and tail else ""
        pytest.fail(f"{outcome.name}: " + "\n  ".join(outcome.problems) + log, pytrace=False)


def assert_findings(
    findings: Sequence[Finding], suites: Sequence[str], record_property: RecordProperty, extra: str = ""
) -> None:
    """Fail on critical findings, warn on warnings; the suites checked and every finding are recorded for
    the report (``extra`` is appended to a failure, such as a table of failed runs)."""
    record_property("suites", list(suites))
    record_property(
        "findings",
        [
            {"suite": f.suite, "subject": f.subject, "severity": f.severity, "message": f.message}
            for f in findings
        ],
    )
    for finding in findings:
        if finding.severity == "warning":
            warnings.warn(SourceChainWarning(finding.message), stacklevel=2)
    critical = [f.message for f in findings if f.severity == "critical"]
    if critical:
        pytest.fail("\n".join(critical) + (f"\n{extra}" if extra else ""), pytrace=False)


def assert_coverage(
    processor: str,
    checks: PhaseChecks,
    run: HarnessRun,
    suites: Sequence[str],
    shown: DayState,
    record_property: RecordProperty,
) -> None:
    """Steps 3 and 5: the processor's output table against the coverage suites; the dates in state
    ``shown`` (optional or EXEMPT) are recorded, so that they are shown, never silently dropped."""
    table = run.pipeline.output_table(run.pipeline.processors[processor]).name
    record_property(f"{shown.value}_dates", [str(d) for d, s in checks.states[table].items() if s is shown])
    assert_findings(checks.for_table(table, *suites), suites, record_property)
