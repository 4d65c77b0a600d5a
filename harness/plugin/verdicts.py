"""How the gameplan tests turn outcomes and findings into pass, fail, warn or skip, with messages a
person can act on (table, dates, reason), and properties the report reads."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from harness.checking.expected import DayState
from harness.checking.gx import Finding
from harness.checking.phase import PhaseChecks
from harness.context.run import RunContext
from harness.running.backfill import Backfill, ProcessorStatus

RecordProperty = Callable[[str, Any], None]


class SourceChainWarning(UserWarning):
    """A warning-severity finding: the run passes, the report shows it."""


def assert_backfill(outcome: Backfill, record_property: RecordProperty) -> None:
    """A phase's backfill step: the processor ran and the warehouse agrees."""
    record_property("status", outcome.status.value)
    record_property("dates", len(outcome.dates))
    if outcome.result is not None:
        record_property("exit_code", outcome.result.exit_code)
        record_property("duration_seconds", round(outcome.result.duration, 2))
        record_property("log", outcome.result.log_path)
        record_property("command", outcome.result.command)
    if outcome.status is ProcessorStatus.NOT_RUN:
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


def skip_if_left_out(checks: PhaseChecks, table: str) -> None:
    """A table Step 1 found broken was not checked: its tests are blocked, with Step 1's reason."""
    from harness.checking.gates import closed

    if table in checks.left_out:
        pytest.skip(closed(f"by Step 1: {checks.left_out[table]}").skip_reason)


class NotExercisedWarning(UserWarning):
    """The window expects no entity of a table on any date it judges: the run passes, and says so."""


SHOWN_STATES = (DayState.EXEMPT, DayState.NONE_EXPECTED)
"""Day states a coverage test records by name, so that they are shown, never silently dropped."""


def assert_coverage(
    processor: str, checks: PhaseChecks, run: RunContext, record_property: RecordProperty
) -> None:
    """A phase's coverage step: the processor's output table against the coverage suites (dates, the
    bootstrap suite for a table exempt during bootstrap, and its expected entities); EXEMPT and
    NONE_EXPECTED dates are recorded, the latter with their reasons, and a table the window does not
    exercise at all is a warning that names the first date that would."""
    table = run.pipeline.output_table(run.pipeline.processors[processor])
    skip_if_left_out(checks, table.name)
    suites = ["date_coverage", "expected_entities"]
    if table.expected_dates == "after_bootstrap":
        suites.append("bootstrap_exemptions")
    days = checks.states[table.name]
    for shown in SHOWN_STATES:
        dates = [str(d) for d, s in days.states.items() if s is shown]
        if dates:
            record_property(f"{shown.value}_dates", dates)
    if days.reasons:
        record_property("none_expected_reasons", {str(d): r for d, r in days.reasons.items()})
    if idle := checks.unexercised.get(table.name):
        record_property("not_exercised", idle.message)
        warnings.warn(NotExercisedWarning(idle.message), stacklevel=2)
    assert_findings(checks.for_table(table.name, *suites), suites, record_property)
