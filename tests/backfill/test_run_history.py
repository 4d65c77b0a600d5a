"""The gameplan's troubleshooting query as a test: for every processor that writes run history, the
latest run on each game date of the window finished and did not fail. Failures are listed as a table
like the query's output."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.checking.phase import HistoryChecks
from harness.plugin.verdicts import RecordProperty, assert_findings
from harness.running.backfill import Backfill


@pytest.mark.harness_step("run_history")
def test_run_history(
    history_processor: str,
    backfill: Callable[[str], Backfill],
    history_checks: HistoryChecks,
    record_property: RecordProperty,
) -> None:
    backfill(history_processor)
    frame = history_checks.frame
    failures = frame[(frame.subject == history_processor) & frame.status.isin(["failed", "crashed"])]
    table = failures[["day", "subject", "status", "run_id", "errors"]].rename(
        columns={"day": "data_date", "subject": "processor"}
    )
    extra = table.to_string(index=False) if len(table) else ""
    findings = [f for f in history_checks.findings if f.subject == history_processor]
    assert_findings(findings, ["run_history"], record_property, extra)
