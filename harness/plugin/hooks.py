"""The harness's pytest hooks: it declares options, builds the run, wires fixtures and xdist, and hands
each job to the module that does it (``session``, ``recorder``, ``fixtures``, ``xdist``).

Inert unless ``--window`` (or its ini key / environment variable) is given, so the harness's own tests
run untouched in the same environment. Heavy rooms (pandas, the warehouse, GX) are imported inside the
hooks and fixtures that need them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import ConfigError
from harness.plugin.options import add_options, read_settings
from harness.plugin.stash import EMIT_KEY, PLAN_KEY, RECORDER, RUN_KEY
from harness.plugin.xdist import (
    XdistHooks,
    controller_run_id,
    is_worker,
    processors_first,
    register_ignored_options,
    single_process_unless_asked,
)

if TYPE_CHECKING:
    from harness.context.run import RunContext
    from harness.running.plan import ProcessorStep

CHECKS_GROUP = "checks"
"""The xdist group of every validating test: one worker pays Great Expectations' import."""

Parameters = Callable[["RunContext", "tuple[ProcessorStep, ...]"], list[tuple[str, str]]]

PARAMETERS: dict[str, Parameters] = {
    "chain_name": lambda run, plan: [(name, CHECKS_GROUP) for name in run.pipeline.chains],
    "backfill_processor": lambda run, plan: [(step.processor.name, step.group) for step in plan],
    "coverage_processor": lambda run, plan: [(step.processor.name, CHECKS_GROUP) for step in plan],
    "output_processor": lambda run, plan: [(step.processor.name, CHECKS_GROUP) for step in plan],
    "history_processor": lambda run, plan: [
        (step.processor.name, CHECKS_GROUP) for step in plan if step.processor.writes_run_history
    ],
}
"""Test parameters filled from the plan: (value, xdist group). Backfill tests go in their step's group
(each processor its own under a ``dependencies`` phase order, the whole phase under ``strict``)."""

STEP_TITLES = {
    "source_chains": "Step 0: source chains",
    "preflight": "Step 1: preflight",
    "output_tables": "Output tables: grain, keys, ranges",
    "run_history": "Run history",
}
"""The harness's own steps; a phase's backfill and coverage steps are named by the declaration."""


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Declare the harness's options (and, with ``-p no:xdist``, accept xdist's as no-ops)."""
    add_options(parser)
    if pluginmanager.is_blocked("xdist"):
        register_ignored_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Build the run from the settings, register the fixtures, the recorder and the xdist wiring."""
    config.addinivalue_line("markers", "xdist_group(name): keep tests of one group on one xdist worker")
    config.addinivalue_line("markers", "harness_step(kind): the gameplan step a test belongs to")
    settings = read_settings(config)
    if settings.window.value is None:
        return
    from harness.context.run import build_context, new_run_id
    from harness.plugin import fixtures
    from harness.plugin.recorder import RunRecorder
    from harness.running.plan import build_plan
    from harness.running.pricing import refuse_low_cap

    run_id = controller_run_id(config) or new_run_id()
    try:
        run = build_context(settings, run_id)
        refuse_low_cap(run)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUN_KEY] = run
    config.stash[PLAN_KEY] = build_plan(run)
    if not run.mode.runs_processors or run.warehouse.embedded:
        single_process_unless_asked(config)
    # Every run leaves a self-contained report, unless the user chose a path or only asked for the plan.
    wants_report = run.mode.name != "plan" and hasattr(config.option, "htmlpath")
    if wants_report and not config.getoption("htmlpath", default=None):
        config.option.htmlpath = str(run.report_path)
        config.option.self_contained_html = True
    config.pluginmanager.register(fixtures, "harness-fixtures")
    config.pluginmanager.register(fixtures.generated_fixtures(run), "harness-generated-fixtures")
    if not is_worker() and run.mode.name != "plan":
        config.pluginmanager.register(RunRecorder(run, config.stash[PLAN_KEY], config), RECORDER)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(run_id), "harness-xdist")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Plan mode prints the plan and stops. Otherwise the controller takes the embedded warehouse's run
    lock, seeds it if it has no games yet and records the pre-test state; every process reads the
    schedule; progress starts."""
    config = session.config
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    from harness.plugin import session as steps
    from harness.running.progress import PROGRESS_FILE, file_emitter

    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if run.mode.name == "plan":
        steps.print_plan_and_exit(steps.read_schedule(run), config.stash[PLAN_KEY], reporter)
    recorder = config.pluginmanager.get_plugin(RECORDER)
    if processors_first(config, run.mode.runs_processors):
        from harness.checking.gx import import_in_background

        import_in_background()
    if recorder is not None:
        recorder.run_lock = steps.hold_run_lock(run)
        run = steps.seed_if_empty(steps.read_schedule(run))
        if run.seeding_notice and reporter is not None:
            reporter.write_line(f"harness: {run.seeding_notice}", yellow=True)
        steps.record_pre_test_state(run)
    else:
        run = steps.read_schedule(run)
    config.stash[RUN_KEY] = run
    emit = recorder.start_progress(reporter) if recorder is not None and reporter is not None else None
    config.stash[EMIT_KEY] = emit or file_emitter(run.directory / PROGRESS_FILE)
    if recorder is not None:
        recorder.run = run


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    """Three header lines: the window and mode, the game dates, the warehouse and declaration."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return None
    return [
        f"harness: window {run.window} ({run.window.days} days), mode {run.mode}, run {run.run_id}",
        f"harness: {run.game_dates_summary}",
        f"harness: {run.warehouse.kind} {run.warehouse.address}, pipeline {run.pipeline.path}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the suite from the plan, with each test's xdist group."""
    run = metafunc.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    plan = metafunc.config.stash[PLAN_KEY]
    for name, values in PARAMETERS.items():
        if name in metafunc.fixturenames:
            params = [
                pytest.param(value, id=value, marks=pytest.mark.xdist_group(group))
                for value, group in values(run, plan)
            ]
            metafunc.parametrize(name, params)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test carries its step's title (from its ``harness_step`` marker and, for a phase's steps,
    the declaration); tests without a group (Step 1) validate, so they join the checks group."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    from harness.plugin.recorder import STEP_PROPERTY

    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(CHECKS_GROUP))
        kind, phase = _step_of(run, item)
        if kind is not None:
            item.user_properties.append((STEP_PROPERTY, _step_title(run, kind, phase)))
    # The gameplan's order: Step 0, Step 1, then each phase's backfill and coverage, then the rest (under
    # xdist groups go out in this order; in one process the tests run in it, with the processors moved
    # after Step 1 when they run first: see ``processors_first``).
    first = processors_first(config, run.mode.runs_processors)

    def rank(item: pytest.Item) -> tuple[int, tuple[int, int, int]]:
        kind, phase = _step_of(run, item)
        early = {"preflight": 0, "backfill": 1} if first else {}
        return early.get(kind or "", 2), _step_rank(kind, phase)

    items.sort(key=rank)


STEP_ORDER = ("source_chains", "preflight", "phase", "output_tables", "run_history")


def _step_of(run: RunContext, item: pytest.Item) -> tuple[str | None, int | None]:
    """A test's step kind (its ``harness_step`` marker) and, for a phase's steps, the phase."""
    marker = item.get_closest_marker("harness_step")
    if marker is None:
        return None, None
    kind = str(marker.args[0])
    params = getattr(item, "callspec", None)
    name = params.params.get(f"{kind}_processor") if params else None
    return kind, run.pipeline.processors[name].phase if name else None


def _step_rank(kind: str | None, phase: int | None) -> tuple[int, int, int]:
    if kind is None:
        return (len(STEP_ORDER), 0, 0)
    if phase is not None:
        return (STEP_ORDER.index("phase"), phase, 0 if kind == "backfill" else 1)
    return (STEP_ORDER.index(kind), 0, 0)


def _step_title(run: RunContext, kind: str, phase: int | None) -> str:
    """``Step 2: Phase 3 backfill`` for a backfill test of a Phase 3 processor, and so on."""
    if phase is None:
        return STEP_TITLES.get(kind, kind)
    declared = run.pipeline.phases[phase]
    return declared.backfill_step if kind == "backfill" else declared.coverage_step


def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: Any
) -> None:
    """The sign-off's sections before and after pytest-html's results table."""
    recorder = session.config.pluginmanager.get_plugin(RECORDER)
    if recorder is None:
        return
    if recorder.signoff is None:
        prefix.append(f"<p><b>{escape(recorder.problem or 'no sign-off')}</b></p>")
        return
    from harness.reporting.html import report_sections

    before, after = report_sections(recorder.signoff)
    prefix.append(before)
    postfix.append(after)


def pytest_html_report_title(report: Any) -> None:
    """The report's title."""
    report.title = "Backfill sign-off report"
