"""pytest plugin: options, run state, xdist groups, plan mode, the blocked-means-failed rule and report
wiring for the gameplan suite. The fixtures live in ``harness.plugin.fixtures``.

Inert unless ``--window`` (or its ini key / environment variable) is given, so the harness's own tests
run untouched in the same environment. Heavy rooms (pandas, the warehouse, GX) are imported inside the
hooks and fixtures that need them.
"""

from __future__ import annotations

import contextlib
import os
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.declaration.settings import add_options, resolve_settings
from harness.errors import ConfigError, HarnessError

if TYPE_CHECKING:
    from filelock import FileLock

    from harness.checking.chains import ChainResult
    from harness.context.run import HarnessRun
    from harness.reporting.signoff import SignOff, StepOutcome
    from harness.running.progress import ProgressPrinter

RUN_KEY: pytest.StashKey[HarnessRun] = pytest.StashKey()
CHAINS_KEY: pytest.StashKey[dict[str, ChainResult]] = pytest.StashKey()
RECORDER = "harness-run-recorder"

CHECKS_GROUP = "checks"
"""The xdist group of every validating test: one worker pays Great Expectations' import."""
GROUP_OF_PARAMETER = {
    "phase3_processor": lambda name: f"phase3-{name}",
    "phase4_processor": lambda name: "phase4",
}
"""Step 2 runs each Phase 3 processor in its own group (parallel where the graph allows); Step 4 keeps
Phase 4 on one worker, in its strict order."""
PARAMETERS = {
    "chain_name": lambda run: list(run.pipeline.chains),
    "phase3_processor": lambda run: [p.name for p in run.pipeline.phase(3)],
    "phase4_processor": lambda run: [p.name for p in run.pipeline.phase(4)],
    "phase3_output": lambda run: [p.name for p in run.pipeline.phase(3)],
    "phase4_output": lambda run: [p.name for p in run.pipeline.phase(4)],
    "output_processor": lambda run: list(run.pipeline.processors),
    "history_processor": lambda run: [
        p.name for p in run.pipeline.processors.values() if p.writes_run_history
    ],
}
"""Test parameters filled from the declaration."""


# --------------------------------------------------------------------------------------------- hooks


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    add_options(parser)
    if pluginmanager.is_blocked("xdist"):
        # pytest.ini asks for workers; with `-p no:xdist` the suite still runs, in one process. pytest
        # reserves lowercase short options for its core, and xdist uses the same internal call for `-n`.
        group = parser.getgroup("harness")
        group._addoption("-n", dest="harness_ignored_n", help="ignored: xdist is disabled")
        group.addoption("--dist", dest="harness_ignored_dist", help="ignored: xdist is disabled")
        group.addoption("--no-loadscope-reorder", action="store_true", help="ignored: xdist is disabled")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): keep tests of one group on one xdist worker")
    settings = resolve_settings(config)
    if settings.window.value is None:
        return
    from harness.context.run import build_run, new_run_id, report_path
    from harness.plugin import fixtures

    run_id = getattr(config, "workerinput", {}).get("harness_run_id") or new_run_id()
    try:
        run = build_run(settings, run_id)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUN_KEY] = run
    if run.mode.name in ("verify", "plan"):
        _single_process_unless_asked(config)
    # Every run leaves a self-contained report, unless the user chose a path or only asked for the plan.
    wants_report = run.mode.name != "plan" and hasattr(config.option, "htmlpath")
    if wants_report and not config.getoption("htmlpath", default=None):
        config.option.htmlpath = str(report_path(settings, run_id))
        config.option.self_contained_html = True
    config.pluginmanager.register(fixtures, "harness-fixtures")
    config.pluginmanager.register(fixtures.backfill_fixtures(run), "harness-backfill-fixtures")
    if not _is_worker() and run.mode.name != "plan":
        config.pluginmanager.register(RunRecorder(run, config), RECORDER)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(run_id), "harness-xdist")


def _single_process_unless_asked(config: pytest.Config) -> None:
    """Verify and plan modes run no processor, so workers would only add start-up time (measured: verify
    took 14 s with pytest.ini's workers against 8 s in one process). Unless ``-n`` is on the command line,
    turn distribution off before xdist's own (trylast) ``pytest_configure`` reads it."""
    args = config.invocation_params.args
    if any(a in ("-n", "--numprocesses") or a.startswith(("-n", "--numprocesses=")) for a in args):
        return
    if hasattr(config.option, "tx"):
        config.option.numprocesses, config.option.dist, config.option.tx = 0, "no", []


class XdistHooks:
    """Hands the controller's run id to every worker, so they share one run directory."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["harness_run_id"] = self.run_id


def _is_worker() -> bool:
    return "PYTEST_XDIST_WORKER" in os.environ


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Controller: print the plan and stop (plan mode), or seed an empty embedded warehouse. Every
    process then reads the window's expected game dates."""
    run = session.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if run.mode.name == "plan":
        _read_game_dates(run, create=False)
        from harness.running.plan import plan_lines

        for line in plan_lines(run):
            if reporter is not None:
                reporter.write_line(line)
        pytest.exit("plan mode: nothing was run or written", returncode=0)
    recorder = session.config.pluginmanager.get_plugin(RECORDER)
    if run.warehouse.kind == "duckdb" and recorder is not None:
        from harness.reference.seed import ensure_seeded
        from harness.running.runlock import hold_warehouse

        try:
            recorder.run_lock = hold_warehouse(run.warehouse.location, run.run_id)
        except HarnessError as exc:
            raise pytest.UsageError(str(exc)) from None
        try:
            run.seeded = [s.year for s in ensure_seeded(run.warehouse, run.pipeline, run.window.seasons)]
        except HarnessError as exc:
            raise pytest.UsageError(f"embedded warehouse: {exc}") from None
        if run.seeding_notice and reporter is not None:
            reporter.write_line(f"harness: {run.seeding_notice}", yellow=True)
    _read_game_dates(run, create=True)
    if recorder is not None and reporter is not None:
        recorder.start_progress(reporter)


def _read_game_dates(run: HarnessRun, create: bool) -> None:
    """The window's final-game dates; a problem is kept for Step 1 (preflight), which fails with it."""
    from harness.checking.schedule import game_dates

    if not create and run.warehouse.kind == "duckdb" and not os.path.exists(run.warehouse.location):
        run.game_dates_problem = "the embedded warehouse does not exist yet; a run seeds it"
        return
    try:
        with run.warehouse.connect() as conn:
            run.game_dates = game_dates(conn, run.pipeline, run.window)
    except HarnessError as exc:
        run.game_dates_problem = str(exc)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return None
    return [
        f"harness: window {run.window} ({run.window.days} days), mode {run.mode}, run {run.run_id}",
        f"harness: {run.game_dates_summary}",
        f"harness: {run.warehouse.kind} {run.warehouse.location}, pipeline {run.pipeline.path}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the suite from the declaration, with each test's xdist group."""
    run = metafunc.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    for name, values in PARAMETERS.items():
        if name in metafunc.fixturenames:
            group = GROUP_OF_PARAMETER.get(name, lambda _value: CHECKS_GROUP)
            params = [pytest.param(v, id=v, marks=pytest.mark.xdist_group(group(v))) for v in values(run)]
            metafunc.parametrize(name, params)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests without a group (Step 1) validate, so they join the checks group."""
    if RUN_KEY not in config.stash:
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(CHECKS_GROUP))


class RunRecorder:
    """The controller's side of a run: it keeps every test's outcome (workers' reports arrive here),
    prints processor progress while processors run, fails the run when a gate blocked a test, and at the
    end builds the sign-off, writes ``summary.json`` beside the report and prints the verdict."""

    def __init__(self, run: HarnessRun, config: pytest.Config) -> None:
        self.run = run
        self.config = config
        self.tests: dict[str, StepOutcome] = {}
        self.progress: ProgressPrinter | None = None
        self.signoff: SignOff | None = None
        self.problem: str | None = None
        self.run_lock: FileLock | None = None

    def start_progress(self, reporter: Any) -> None:
        """Print processor progress: straight from the runner in one process, or, under xdist, from the
        progress file the workers append to."""
        capture = self.config.pluginmanager.get_plugin("capturemanager")

        def write(line: str) -> None:
            # Without xdist a test is running right now, under pytest's output capture: step around it.
            with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
                if reporter._tw.width_of_current_line:  # xdist's progress dots
                    reporter._tw.line()
                reporter.write_line(f"harness: {line}")

        if not self.config.pluginmanager.has_plugin("dsession"):
            self.run.progress = write
            return
        from harness.running.progress import PROGRESS_FILE, ProgressPrinter

        self.progress = ProgressPrinter(self.run.directory / PROGRESS_FILE, write)
        self.progress.start()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from harness.reporting.signoff import outcome_of

        outcome = outcome_of(report)
        if outcome is not None:
            self.tests[report.nodeid] = outcome

    @property
    def blocked(self) -> list[StepOutcome]:
        return [t for t in self.tests.values() if t.blocked]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.progress is not None:
            self.progress.stop()
        if self.blocked and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        from harness.reporting.signoff import build_signoff
        from harness.reporting.summary import write_summary

        try:
            chains = self.config.stash.get(CHAINS_KEY, None) or self._read_chains()
            self.signoff = build_signoff(self.run, list(self.tests.values()), session.exitstatus, chains)
        except HarnessError as exc:
            self.problem = f"the sign-off could not be built: {exc}"
            return
        write_summary(self.signoff, self.summary_path)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        if self.run_lock is not None:
            self.run_lock.release()

    def _read_chains(self) -> dict[str, ChainResult]:
        """Step 0 for the report when this process did not run it (under xdist only workers did)."""
        from harness.checking.chains import check_chains

        with self.run.warehouse.connect() as conn:
            return check_chains(conn, self.run.pipeline, self.run.window)

    @property
    def report_path(self) -> Path:
        from harness.context.run import report_path

        chosen = self.config.getoption("htmlpath", default=None)
        return Path(chosen).resolve() if chosen else report_path(self.run.settings, self.run.run_id)

    @property
    def summary_path(self) -> Path:
        from harness.reporting.summary import summary_path

        return summary_path(self.report_path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.blocked:
            terminalreporter.write_line(
                f"harness: {len(self.blocked)} tests blocked by a gate; the run fails", red=True, bold=True
            )
        if self.signoff is None:
            terminalreporter.write_line(f"harness: {self.problem or 'no sign-off'}", red=True)
            return
        ready = self.signoff.verdict.startswith("READY")
        terminalreporter.write_sep(
            "=", f"harness: {self.signoff.verdict}", green=ready, red=not ready, bold=True
        )
        for reason in self.signoff.reasons[:10]:
            terminalreporter.write_line(f"  - {reason}")
        if len(self.signoff.reasons) > 10:
            terminalreporter.write_line(f"  (+{len(self.signoff.reasons) - 10} more in the report)")
        for estimate in self.signoff.estimates:
            terminalreporter.write_line(f"  estimate: {estimate.describe()}")
        terminalreporter.write_line(f"  report:  {self.report_path}")
        terminalreporter.write_line(f"  summary: {self.summary_path}")


def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: Any
) -> None:
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
    report.title = "Backfill sign-off report"
