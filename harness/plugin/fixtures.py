"""The gameplan suite's fixtures: Step 1's findings, Step 0, the per-processor backfill fixtures, the STOP
gates, and the per-phase and run-history checks that the check tests read.

Backfill fixtures are generated from the declaration (``generated_fixtures``): one session fixture per
processor, requesting the fixtures of the processors it waits for so that pytest resolves the order, one
gate per phase that needs earlier phases complete, and one check fixture per phase. Every closed gate is
a skip whose reason starts with ``blocked``; the plugin turns any such skip into a failed run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from harness.checking.gates import Gate
from harness.plugin.stash import EMIT_KEY, RUN_KEY

if TYPE_CHECKING:
    from harness.checking.chains import ChainResult
    from harness.checking.gx import Finding
    from harness.checking.phase import HistoryChecks, PhaseChecks
    from harness.checking.preflight import Preflight
    from harness.context.run import RunContext
    from harness.declaration.model import Phase, Table
    from harness.running.backfill import Backfill


def stop_if_closed(gate: Gate) -> None:
    """Skip the asking test (or fixture) with the gate's reason when the gate is closed."""
    if gate.closed:
        pytest.skip(gate.skip_reason)


def blocked_by_step1(preflight: Preflight, tables: list[str]) -> None:
    """Block what needs a table Step 1 found missing or short of columns."""
    from harness.checking.gates import closed

    if reason := preflight.blocker(tables):
        stop_if_closed(closed(reason))


@pytest.fixture(scope="session")
def harness_run(request: pytest.FixtureRequest) -> RunContext:
    """The run's context; skips the test when no window is set (the suite is then inert)."""
    run = request.config.stash.get(RUN_KEY, None)
    if run is None:
        pytest.skip("the gameplan suite needs a window: pytest --window START:END")
    return run


@pytest.fixture(scope="session")
def preflight(harness_run: RunContext) -> Preflight:
    """Step 1's warehouse checks, read once: every other check knows what is missing, and each phase
    whether the tables it requires cover the window, before anything runs."""
    from harness.checking.preflight import required_rows, warehouse_checks

    run = harness_run
    with run.warehouse.connect() as conn:
        found = warehouse_checks(conn, run.pipeline)
        return required_rows(conn, run.pipeline, run.window, run.game_dates, found)


@pytest.fixture(scope="session")
def source_chains(harness_run: RunContext, preflight: Preflight) -> dict[str, ChainResult]:
    """Step 0 for the window, read once per session (one warehouse query); left for the sign-off."""
    from harness.checking.chains import chains_record, check_chains
    from harness.context.records import evidence_path, write_record

    pipeline = harness_run.pipeline
    sources = [pipeline.schedule.table, *(s for c in pipeline.chains.values() for s in c.sources)]
    blocked_by_step1(preflight, [s for s in sources if s in pipeline.tables])
    with harness_run.warehouse.connect() as conn:
        results = check_chains(conn, pipeline, harness_run.window)
    write_record(evidence_path(harness_run.directory, "chains"), chains_record(results))
    return results


@pytest.fixture(scope="session")
def source_findings(source_chains: dict[str, ChainResult]) -> list[Finding]:
    """Step 0 through the ``source_chains`` expectation suite."""
    from harness.checking.frames import chains_frame
    from harness.checking.gx import validate

    return validate("source_chains", chains_frame(source_chains))


@pytest.fixture(scope="session")
def source_gate(source_chains: dict[str, ChainResult]) -> Gate:
    """The gameplan's first STOP rule: a critical chain missing on any date blocks every backfill."""
    from harness.checking.gates import source_gate as gate

    return gate(source_chains)


@pytest.fixture
def backfill(request: pytest.FixtureRequest) -> Callable[[str], Backfill]:
    """``backfill(name)``: the processor's outcome, running it (and its upstream) once per harness run."""
    return lambda name: request.getfixturevalue(f"backfill_{name}")


@pytest.fixture
def checks_after(request: pytest.FixtureRequest, harness_run: RunContext) -> Callable[[str], PhaseChecks]:
    """``checks_after(name)``: the checks of the processor's phase, once the processor is done; a
    blocked processor's checks are blocked too (its skip reaches the asking test)."""

    def read(name: str) -> PhaseChecks:
        phase = harness_run.pipeline.processors[name].phase
        checks: PhaseChecks = request.getfixturevalue(f"phase{phase}_checks")
        request.getfixturevalue(f"backfill_{name}")
        return checks

    return read


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


def exercise_gate(run: RunContext, table: Table) -> Gate:
    """``--require-exercised``: a processor whose table the window expects no entity of on any date it
    judges is not worth its run; closed with the first date that would exercise it (one query)."""
    from harness.checking.gates import OPEN, closed
    from harness.checking.states import has_minimum, unexercised

    if not has_minimum(table):
        return OPEN
    with run.warehouse.connect() as conn:
        idle = unexercised(conn, run, [table])
    return closed(f"by --require-exercised: {idle[0].message}") if idle else OPEN


def generated_fixtures(run: RunContext) -> object:
    """A plugin object holding the fixtures generated from the declaration: ``backfill_<processor>``,
    ``phase<n>_gate`` for each phase that needs earlier ones complete, and ``phase<n>_checks``.

    pytest finds fixtures on the plugin's class, hence a class built here; each fixture's first
    parameter is that plugin object.
    """
    names: dict[str, tuple[Callable[..., Any], str | int]] = {
        f"backfill_{name}": (_backfill, name) for name in run.pipeline.processors
    }
    for phase in run.pipeline.phases.values():
        names[f"phase{phase.number}_checks"] = (_phase_checks, phase.number)
        if _has_gate(phase):
            names[f"phase{phase.number}_gate"] = (_phase_gate, phase.number)
    fixtures = {name: _generated(name, body, key) for name, (body, key) in names.items()}
    return type("GeneratedFixtures", (), fixtures)()


def _has_gate(phase: Phase) -> bool:
    """Whether anything must hold before the phase's processors run."""
    return bool(phase.needs_complete or phase.scripts_preflight)


def _generated(name: str, body: Callable[..., Any], key: str | int) -> Any:
    """A session fixture ``name`` for the generated plugin object (its first parameter) that returns
    ``body(key, request, harness_run, preflight)``; ``pytest --fixtures`` shows the body's docstring."""

    def fixture(
        _plugin: object, request: pytest.FixtureRequest, harness_run: RunContext, preflight: Preflight
    ) -> Any:
        return body(key, request, harness_run, preflight)

    fixture.__doc__ = body.__doc__
    return pytest.fixture(scope="session", name=name)(fixture)


def _backfill(
    name: str, request: pytest.FixtureRequest, harness_run: RunContext, preflight: Preflight
) -> Backfill:
    """The processor's outcome, once the STOP rules let it run: Step 1, Step 0's critical chains, its
    upstream processors, its phase's gate and ``--require-exercised``."""
    from harness.checking.gates import closed, upstream_gate
    from harness.running.backfill import backfill

    pipeline = harness_run.pipeline
    processor = pipeline.processors[name]
    upstream = []
    if harness_run.mode.runs(name):
        blocked_by_step1(preflight, [processor.output, pipeline.run_history])
        if gap := preflight.phase_gaps.get(processor.phase):
            stop_if_closed(closed(f"by Step 1: {gap}"))
        stop_if_closed(request.getfixturevalue("source_gate"))
        failed = []
        for before, outcome in settle(request, list(pipeline.waits_for(processor))).items():
            if before not in processor.upstream:
                continue  # a strict order's predecessor: waited for, never blocking
            if isinstance(outcome, str):
                pytest.skip(outcome)  # the upstream processor was blocked: so is this one
            upstream.append(outcome)
            if outcome.failed:
                failed.append((before, outcome.summary()))
        stop_if_closed(upstream_gate(failed))
        if _has_gate(pipeline.phases[processor.phase]):
            request.getfixturevalue(f"phase{processor.phase}_gate")
        if harness_run.require_exercised:
            stop_if_closed(exercise_gate(harness_run, pipeline.output_table(processor)))
    emit = request.config.stash[EMIT_KEY]
    return backfill(harness_run, processor, upstream, emit)


def _phase_gate(number: int, request: pytest.FixtureRequest, run: RunContext, preflight: Preflight) -> None:
    """The gameplan's second STOP rule: the phase waits for every processor of the phases it needs,
    then needs each of their tables to have rows on all its expected dates, and the phase's scripts'
    own pre-flight not to refuse (one coverage query for all those tables)."""
    from harness.checking.coverage import table_coverage
    from harness.checking.gates import completeness_gaps, phase_gate, preflight_shortfalls
    from harness.checking.states import table_states

    pipeline = run.pipeline
    phase = pipeline.phases[number]
    rule = phase.scripts_preflight
    earlier = sorted({*phase.needs_complete, *([rule.phase] if rule else [])})
    settle(request, [p.name for n in earlier for p in pipeline.phase(n)])
    tables = {n: pipeline.phase_tables(n) for n in earlier}
    blocked_by_step1(preflight, [t.name for ts in tables.values() for t in ts])
    with run.warehouse.connect() as conn:
        counts = table_coverage(conn, [t for ts in tables.values() for t in ts], run.window)
        states = table_states(conn, run, [t for n in phase.needs_complete for t in tables[n]])
    bootstrap = set(run.window.split_bootstrap(run.game_dates)[0])
    shortfalls = (
        preflight_shortfalls(rule, tables[rule.phase], counts, run.game_dates, bootstrap) if rule else []
    )
    for n in phase.needs_complete or earlier:
        plain = {t.name: states[t.name].states for t in tables[n] if t.name in states}
        gaps = completeness_gaps(tables[n], counts, plain) if n in phase.needs_complete else []
        stop_if_closed(phase_gate(phase, pipeline.phases[n], gaps, shortfalls))


def _phase_checks(
    number: int, request: pytest.FixtureRequest, run: RunContext, preflight: Preflight
) -> PhaseChecks:
    """Coverage (one query), then grains and ranges (one query) for every table of the phase, once
    its processors are done, validated by the expectation suites; tables Step 1 found broken are left
    out (their tests are blocked)."""
    from harness.checking.phase import check_phase

    settle(request, [p.name for p in run.pipeline.phase(number)])
    return check_phase(run, number, preflight.broken)


@pytest.fixture(scope="session")
def history_checks(
    request: pytest.FixtureRequest, harness_run: RunContext, preflight: Preflight
) -> HistoryChecks:
    """The latest run per processor and game date (one query), once every processor is done."""
    from harness.checking.phase import check_history

    blocked_by_step1(preflight, [harness_run.pipeline.run_history])
    settle(request, list(harness_run.pipeline.processors))
    return check_history(harness_run)
