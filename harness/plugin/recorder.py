"""The controller's side of a run: every test's outcome, progress lines, the blocked-means-failed rule,
and at the end the sign-off, ``summary.json`` (written whatever failed) and the verdict in the terminal."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.checking.gates import is_blocked

if TYPE_CHECKING:
    from filelock import FileLock

    from harness.context.run import RunContext
    from harness.reporting.signoff import SignOff, StepOutcome
    from harness.running.plan import ProcessorStep
    from harness.running.progress import ProgressPrinter

STEP_PROPERTY = "harness_step"
"""The user property every gameplan test carries: the title of its step."""


def outcome_of(report: pytest.TestReport) -> StepOutcome | None:
    """The outcome a report settles (call, or a setup that failed or skipped, or a failed teardown).

    The message is the failure's own text (``failure_message``), whether the report came from a worker or
    from this process.
    """
    from harness.reporting.signoff import StepOutcome

    if report.when != "call" and report.passed:
        return None
    properties = dict(report.user_properties)
    step = str(properties.get(STEP_PROPERTY, report.nodeid.split("::")[0]))
    outcome = report.outcome if report.when == "call" or report.skipped else "error"
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2]).removeprefix("Skipped: ")
    else:
        message = failure_message(report) if report.failed else ""
    blocked = report.skipped and is_blocked(message)
    return StepOutcome(report.nodeid, step, outcome, message, blocked, properties)


def failure_message(report: pytest.TestReport) -> str:
    """What the failure says: the crash's own message (``pytest.fail``'s text without ``Failed:``, or
    ``AssertionError: ...`` for an assertion), never the traceback's first source line nor the worker header
    (``[gw0] linux -- Python ...``) that ``longreprtext`` starts with under xdist."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return str(crash.message).removeprefix("Failed: ").strip()
    return str(report.longrepr or "").strip()


class RunRecorder:
    """Keeps every test's outcome (workers' reports arrive here), prints processor progress while
    processors run, fails the run when a gate blocked a test, and at the end builds the sign-off, writes
    ``summary.json`` beside the report and prints the verdict."""

    def __init__(self, run: RunContext, plan: tuple[ProcessorStep, ...], config: pytest.Config) -> None:
        self.run = run
        self.plan = plan
        self.config = config
        self.tests: dict[str, StepOutcome] = {}
        self.progress: ProgressPrinter | None = None
        self.signoff: SignOff | None = None
        self.problem: str | None = None
        self.run_lock: FileLock | None = None

    def start_progress(self, reporter: Any) -> Any:
        """Print processor progress: straight from the runner in one process (the returned emitter), or,
        under xdist, from the progress file the workers append to (returns None)."""
        capture = self.config.pluginmanager.get_plugin("capturemanager")

        def write(line: str) -> None:
            # Without xdist a test is running right now, under pytest's output capture: step around it.
            with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
                if reporter._tw.width_of_current_line:  # xdist's progress dots
                    reporter._tw.line()
                reporter.write_line(f"harness: {line}")

        if not self.config.pluginmanager.has_plugin("dsession"):
            return write
        from harness.running.progress import PROGRESS_FILE, ProgressPrinter

        self.progress = ProgressPrinter(self.run.directory / PROGRESS_FILE, write)
        self.progress.start()
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the outcome a report settles."""
        outcome = outcome_of(report)
        if outcome is not None:
            self.tests[report.nodeid] = outcome

    @property
    def blocked(self) -> list[StepOutcome]:
        """The tests a closed gate skipped."""
        return [t for t in self.tests.values() if t.blocked]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Fail a run with blocked tests, then build the sign-off and write ``summary.json`` (a NOT READY one
        when the sign-off itself fails)."""
        if self.progress is not None:
            self.progress.stop()
        if self.blocked and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        from harness.reporting.signoff import build_signoff
        from harness.reporting.summary import write_failed_summary, write_summary
        from harness.running.billing import measure

        try:
            billing = measure(self.run)
            self.signoff = build_signoff(
                self.run, list(self.tests.values()), session.exitstatus, self.plan, billing
            )
            # The sign-off's own gate (the season's byte budget) can fail a run whose tests passed.
            session.exitstatus = pytest.ExitCode(self.signoff.exit_status)
        except Exception as exc:  # the sign-off must never cost CI its summary.json
            self.problem = f"the sign-off could not be built: {type(exc).__name__}: {exc}"
            write_failed_summary(self.run, int(session.exitstatus), self.problem, self.summary_path)
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return
        write_summary(self.signoff, self.summary_path)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        """Release the embedded warehouse's run lock last."""
        if self.run_lock is not None:
            self.run_lock.release()

    @property
    def report_path(self) -> Path:
        """The HTML report: ``--html PATH``, or the run's default path."""
        chosen = self.config.getoption("htmlpath", default=None)
        return Path(chosen).resolve() if chosen else self.run.report_path

    @property
    def summary_path(self) -> Path:
        """``summary.json`` beside the report."""
        from harness.reporting.summary import summary_path

        return summary_path(self.report_path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The verdict, its reasons, what the window does not exercise, one line per table a processor
        changed, the estimate and the paths of the report and the summary."""
        if self.blocked:
            terminalreporter.write_line(
                f"harness: {len(self.blocked)} tests blocked by a gate; the run fails", red=True, bold=True
            )
        if self.signoff is None:
            terminalreporter.write_line(f"harness: {self.problem or 'no sign-off'}", red=True)
            terminalreporter.write_line(f"  summary: {self.summary_path}")
            return
        ready = self.signoff.verdict.ready
        terminalreporter.write_sep(
            "=", f"harness: {self.signoff.verdict.value}", green=ready, red=not ready, bold=True
        )
        for reason in self.signoff.reasons[:10]:
            terminalreporter.write_line(f"  - {reason}")
        if len(self.signoff.reasons) > 10:
            terminalreporter.write_line(f"  (+{len(self.signoff.reasons) - 10} more in the report)")
        for idle in self.signoff.unexercised:
            terminalreporter.write_line(f"  not exercised: {idle['message']}", yellow=True)
        for changed in self.signoff.changes:
            if changed.days or changed.outside:
                terminalreporter.write_line(f"  changed: {changed.describe()}", red=bool(changed.outside))
        for estimate in self.signoff.estimates:
            terminalreporter.write_line(f"  estimate: {estimate.describe()}")
        if self.signoff.billing.skipped and not self.run.warehouse.embedded:
            terminalreporter.write_line(f"  {self.signoff.billing.skipped}")
        terminalreporter.write_line(f"  report:  {self.report_path}")
        terminalreporter.write_line(f"  summary: {self.summary_path}")
