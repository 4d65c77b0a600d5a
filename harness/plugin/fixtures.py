"""The gameplan suite's fixtures: Step 0, the per-processor backfill fixtures, the STOP gates, and the
per-phase verification that the check tests read.

Backfill fixtures are generated from the declaration (``backfill_fixtures``), one session fixture per
processor, each requesting its upstream processors' fixtures so that pytest resolves the order. Every
gate is a skip whose reason starts with ``blocked``; the plugin turns any such skip into a failed run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from harness.checking.expected import DayState, day_states, describe_days, missing_days

if TYPE_CHECKING:
    import pandas as pd

    from harness.checking.chains import ChainResult
    from harness.checking.gx import Finding
    from harness.checking.history import LatestRun
    from harness.context.run import HarnessRun
    from harness.running.backfill import Backfill

BLOCKED = "blocked"


def blocked(reason: str) -> None:
    pytest.skip(f"{BLOCKED} {reason}")


@pytest.fixture(scope="session")
def harness_run(request: pytest.FixtureRequest) -> HarnessRun:
    from harness.plugin.hooks import RUN_KEY

    run = request.config.stash.get(RUN_KEY, None)
    if run is None:
        pytest.skip("the gameplan suite needs a window: pytest --window START:END")
    return run


@pytest.fixture(scope="session")
def source_chains(request: pytest.FixtureRequest, harness_run: HarnessRun) -> dict[str, ChainResult]:
    """Step 0 for the window, read once per session (one warehouse query); kept for the report."""
    from harness.checking.chains import check_chains
    from harness.plugin.hooks import CHAINS_KEY

    with harness_run.warehouse.connect() as conn:
        results = check_chains(conn, harness_run.pipeline, harness_run.window)
    request.config.stash[CHAINS_KEY] = results
    return results


@pytest.fixture(scope="session")
def chain_absent(source_chains: dict[str, ChainResult]) -> dict[str, set[date]]:
    """Per chain, the game dates on which it has no data at all (optional chains' gaps)."""
    return {name: result.absent for name, result in source_chains.items()}


@pytest.fixture(scope="session")
def source_findings(source_chains: dict[str, ChainResult]) -> list[Finding]:
    """Step 0 through the ``source_chains`` expectation suite."""
    from harness.checking.frames import chains_frame
    from harness.checking.gx import validate

    return validate("source_chains", chains_frame(source_chains))


@pytest.fixture(scope="session")
def source_gate(source_chains: dict[str, ChainResult]) -> None:
    """The gameplan's first STOP rule: a critical chain missing on any date blocks every backfill."""
    broken = [r for r in source_chains.values() if r.chain.severity == "critical" and r.missing]
    if broken:
        dates = sorted({d.day.isoformat() for r in broken for d in r.missing})
        names = ", ".join(r.chain.name for r in broken)
        blocked(f"by Step 0: critical chain {names} missing on {', '.join(dates)}")


@pytest.fixture(scope="session")
def phase3_gate(
    request: pytest.FixtureRequest, harness_run: HarnessRun, chain_absent: dict[str, set[date]]
) -> None:
    """The gameplan's second STOP rule: Phase 4 waits for every Phase 3 processor, then needs every core
    Phase 3 table to have rows on all its expected dates."""
    from harness.checking.coverage import table_coverage

    settle(request, [p.name for p in harness_run.pipeline.phase(3)])
    core = harness_run.pipeline.core_tables()
    with harness_run.warehouse.connect() as conn:
        counts = table_coverage(conn, core, harness_run.window)
    gaps = []
    for table in core:
        states = day_states(table, harness_run.window, harness_run.game_dates, chain_absent)
        if missing := missing_days(states, counts[table.name]):
            gaps.append(f"{table.name} has no rows on {describe_days(missing, 3)}")
    if gaps:
        blocked(f"by Step 3: core Phase 3 incomplete: {'; '.join(gaps)}")


@pytest.fixture
def backfill(request: pytest.FixtureRequest) -> Callable[[str], Backfill]:
    """``backfill(name)``: the processor's outcome, running it (and its upstream) once per harness run."""
    return lambda name: request.getfixturevalue(f"backfill_{name}")


def settle(request: pytest.FixtureRequest, names: list[str]) -> dict[str, Backfill | str]:
    """Wait for the named processors (running them if no worker did yet): their outcomes, or the reason
    they were blocked. Checks call this before reading the warehouse so that they see final data."""
    outcomes: dict[str, Backfill | str] = {}
    for name in names:
        try:
            outcomes[name] = request.getfixturevalue(f"backfill_{name}")
        except pytest.skip.Exception as skip:
            outcomes[name] = str(skip.msg)
    return outcomes


def backfill_fixtures(run: HarnessRun) -> object:
    """A plugin object holding one session-scoped fixture per processor, generated from the declaration.

    pytest finds fixtures on the plugin's class, hence a class built here; each fixture's first
    parameter is that plugin object.
    """
    fixtures = {f"backfill_{name}": _processor_fixture(name) for name in run.pipeline.processors}
    return type("BackfillFixtures", (), fixtures)()


def _processor_fixture(name: str) -> Any:
    @pytest.fixture(scope="session", name=f"backfill_{name}")
    def fixture(
        _plugin: object,
        request: pytest.FixtureRequest,
        harness_run: HarnessRun,
        chain_absent: dict[str, set[date]],
    ) -> Backfill:
        from harness.running.backfill import backfill

        processor = harness_run.pipeline.processors[name]
        upstream = []
        if harness_run.mode.runs(name):
            request.getfixturevalue("source_gate")
            for up in processor.upstream:
                outcome: Backfill = request.getfixturevalue(f"backfill_{up}")
                if outcome.failed:
                    blocked(f"by upstream processor {up}: {outcome.summary()}")
                upstream.append(outcome)
            if processor.phase > 3:
                request.getfixturevalue("phase3_gate")
        return backfill(harness_run, processor, chain_absent, upstream)

    return fixture


@dataclass(frozen=True)
class PhaseChecks:
    """A phase's verification: coverage per table and date, and the expectation findings."""

    states: dict[str, dict[date, DayState]]
    counts: dict[str, dict[date, int]]
    findings: list[Finding]

    def for_table(self, table: str, *suites: str) -> list[Finding]:
        return [f for f in self.findings if f.subject == table and f.suite in suites]


def phase_checks_fixture(phase: int) -> Any:
    @pytest.fixture(scope="session", name=f"phase{phase}_checks")
    def fixture(
        request: pytest.FixtureRequest, harness_run: HarnessRun, chain_absent: dict[str, set[date]]
    ) -> PhaseChecks:
        """Coverage (one query), then grains and ranges (one query) for every table of the phase, once
        its processors are done, validated by the expectation suites."""
        from harness.checking.coverage import table_coverage
        from harness.checking.frames import coverage_frame
        from harness.checking.gx import validate
        from harness.checking.quality import quality_frame

        pipeline, window = harness_run.pipeline, harness_run.window
        settle(request, [p.name for p in pipeline.phase(phase)])
        tables = pipeline.phase_tables(phase)
        with harness_run.warehouse.connect() as conn:
            counts = table_coverage(conn, tables, window)
            quality = quality_frame(conn, tables, window)
        states = {t.name: day_states(t, window, harness_run.game_dates, chain_absent) for t in tables}
        coverage = coverage_frame(tables, counts, states)
        findings = validate("date_coverage", coverage) + validate("bootstrap_exemptions", coverage)
        findings += validate("grains_and_ranges", quality.rename(columns={"table_name": "subject"}))
        return PhaseChecks(states, counts, findings)

    return fixture


phase3_checks = phase_checks_fixture(3)
phase4_checks = phase_checks_fixture(4)


@dataclass(frozen=True)
class HistoryChecks:
    runs: dict[str, dict[date, LatestRun]]
    frame: pd.DataFrame
    findings: list[Finding]


@pytest.fixture(scope="session")
def history_checks(request: pytest.FixtureRequest, harness_run: HarnessRun) -> HistoryChecks:
    """The latest run per processor and game date (one query), once every processor is done."""
    from harness.checking.frames import history_frame
    from harness.checking.gx import validate
    from harness.checking.history import latest_runs

    processors = list(harness_run.pipeline.processors.values())
    settle(request, [p.name for p in processors])
    with harness_run.warehouse.connect() as conn:
        runs = latest_runs(conn, harness_run.pipeline, processors, harness_run.window)
    frame = history_frame(runs, harness_run.game_dates)
    return HistoryChecks(runs, frame, validate("run_history", frame))
