"""Everything the sign-off report and ``summary.json`` say, gathered once in the controller at the end.

Workers run the tests, so the controller keeps each test's outcome and recorded properties from the
reports it receives, reads the processors' records from the run directory, and asks the warehouse the
few questions the report needs (coverage of every output table in one query, run history in two, the
season's game dates in one per season).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from harness.checking.chains import ChainResult
from harness.checking.coverage import table_coverage
from harness.checking.expected import DayState, day_states
from harness.checking.history import LatestRun, latest_runs
from harness.checking.schedule import game_dates
from harness.context.run import HarnessRun
from harness.declaration.window import Window
from harness.reporting.estimate import Estimate, estimate
from harness.running.backfill import Backfill
from harness.running.once import read_record
from harness.running.plan import levels

READY, NOT_READY, INTERRUPTED = "READY FOR FULL-SEASON RUN", "NOT READY", "INTERRUPTED"
STEPS = {
    "test_step0": "Step 0: source chains",
    "test_step1": "Step 1: preflight",
    "test_step2": "Step 2: Phase 3 backfill",
    "test_step3": "Step 3: Phase 3 coverage",
    "test_step4": "Step 4: Phase 4 backfill",
    "test_step5": "Step 5: Phase 4 coverage",
    "test_step6": "Output tables: grain, keys, ranges",
    "test_step7": "Run history",
}


@dataclass
class StepOutcome:
    nodeid: str
    step: str
    outcome: str
    """passed, failed, skipped or error."""
    message: str = ""
    blocked: bool = False
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``test_phase3_coverage[player_game_summary]`` without the path and the xdist group."""
        return self.nodeid.split("::")[-1].split("@")[0]


def outcome_of(report: pytest.TestReport) -> StepOutcome | None:
    """The outcome a report settles (call, or a setup that failed or skipped, or a failed teardown)."""
    if report.when != "call" and report.passed:
        return None
    module = report.nodeid.split("::")[0].rsplit("/", 1)[-1]
    step = next((title for prefix, title in STEPS.items() if module.startswith(prefix)), module)
    outcome = report.outcome if report.when == "call" or report.skipped else "error"
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2]).removeprefix("Skipped: ")
    else:
        message = report.longreprtext.strip() if report.failed else ""
    blocked = report.skipped and message.startswith("blocked")
    return StepOutcome(report.nodeid, step, outcome, message, blocked, dict(report.user_properties))


@dataclass
class HistoryRow:
    processor: str
    status: str
    dates: int
    seconds: float
    records: int


@dataclass
class SignOff:
    run: HarnessRun
    verdict: str
    reasons: list[str]
    exit_status: int
    ended_at: datetime
    tests: list[StepOutcome]
    processors: list[Backfill]
    chains: dict[str, ChainResult]
    coverage: dict[str, dict[date, tuple[DayState, int]]]
    latest: dict[str, dict[date, LatestRun]]
    history: list[HistoryRow]
    estimates: list[Estimate]

    @property
    def failures(self) -> list[LatestRun]:
        """Latest runs that failed or crashed, newest first (the gameplan's troubleshooting query)."""
        bad = [r for runs in self.latest.values() for r in runs.values() if r.problem]
        return sorted(bad, key=lambda r: r.started_at, reverse=True)

    def step_counts(self) -> dict[str, Counter[str]]:
        """Outcomes per step, steps in the gameplan's order (blocked tests counted apart from skips)."""
        order = [*STEPS.values(), *sorted({t.step for t in self.tests} - set(STEPS.values()))]
        counts: dict[str, Counter[str]] = {step: Counter() for step in order}
        for test in self.tests:
            counts[test.step]["blocked" if test.blocked else test.outcome] += 1
        return {step: c for step, c in counts.items() if c}


def verdict(tests: Sequence[StepOutcome], exit_status: int) -> tuple[str, list[str]]:
    """READY only when the run exited 0 with nothing failed or blocked; otherwise the reasons, one line
    each: every failed test, then every distinct gate with how many tests it blocked."""
    if exit_status == pytest.ExitCode.INTERRUPTED:
        return INTERRUPTED, ["the run was interrupted before every step finished"]
    reasons = [
        f"{t.step}: {t.name} {t.outcome}: {t.message.splitlines()[0] if t.message else 'no message'}"
        for t in tests
        if t.outcome in ("failed", "error")
    ]
    gates = Counter(t.message for t in tests if t.blocked)
    reasons += [f"{n} tests {reason}" for reason, n in gates.items()]
    if not reasons and exit_status != pytest.ExitCode.OK:
        reasons.append(f"pytest exited with status {exit_status}")
    return (READY, []) if not reasons else (NOT_READY, reasons)


def build_signoff(
    run: HarnessRun, tests: Sequence[StepOutcome], exit_status: int, chains: dict[str, ChainResult]
) -> SignOff:
    from harness.warehouse.base import Connection

    pipeline, window = run.pipeline, run.window
    processors = []
    for name in pipeline.processors:
        record = read_record(run.directory / "once", name)
        if record is not None:
            processors.append(Backfill.from_record(record))
    absent = {name: result.absent for name, result in chains.items()}
    tables = [pipeline.output_table(p) for p in pipeline.processors.values()]
    conn: Connection
    with run.warehouse.connect() as conn:
        counts = table_coverage(conn, tables, window)
        latest = latest_runs(conn, pipeline, list(pipeline.processors.values()), window)
        history = _history_rows(conn, run)
        season_dates = {
            s.year: len(game_dates(conn, pipeline, _season_window(run, s))) for s in window.seasons
        }
    coverage = {
        t.name: {
            d: (s, counts[t.name].get(d, 0)) for d, s in day_states(t, window, run.game_dates, absent).items()
        }
        for t in tables
    }
    depth = levels(pipeline)
    estimates = [
        e
        for s in window.seasons
        if (e := estimate(_label(s.year), season_dates[s.year], processors, run.game_dates, depth))
    ]
    label, reasons = verdict(tests, exit_status)
    return SignOff(
        run, label, reasons, int(exit_status), datetime.now(UTC), list(tests), processors, chains,
        coverage, latest, history, estimates,
    )  # fmt: skip


def _history_rows(conn: Any, run: HarnessRun) -> list[HistoryRow]:
    table = run.pipeline.tables[run.pipeline.run_history]
    frame = conn.query(
        f"SELECT processor_name, status, COUNT(DISTINCT data_date) AS dates, SUM(duration_seconds) AS seconds, "
        f"SUM(records_processed) AS records FROM {table.ref} "
        f"WHERE data_date BETWEEN @start AND @end AND status <> 'running' GROUP BY 1, 2 ORDER BY 1, 2",
        {"start": run.window.start, "end": run.window.end},
    )
    return [
        HistoryRow(
            str(r.processor_name), str(r.status), int(r.dates), _number(r.seconds), int(_number(r.records))
        )
        for r in frame.itertuples(index=False)
    ]


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if number != number else number


def _season_window(run: HarnessRun, season: Any) -> Window:
    return dataclasses.replace(run.window, start=season.opener, end=season.last_day, seasons=(season,))


def _label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"
