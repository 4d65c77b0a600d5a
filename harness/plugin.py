"""pytest plugin: options, run state, fixtures, gates and report wiring for the gameplan suite.

Inert unless ``--window`` (or its ini key / environment variable) is given, so the harness's own tests
run untouched in the same environment. Heavy rooms (pandas, the warehouse, GX) are imported inside the
hooks and fixtures that need them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import ConfigError, HarnessError
from harness.settings import add_options, resolve_settings

if TYPE_CHECKING:
    from harness.chains import ChainResult
    from harness.runner import ProcessorResult
    from harness.session import HarnessRun

RUN_KEY = pytest.StashKey["HarnessRun"]()
CHAINS_KEY = pytest.StashKey["dict[str, ChainResult]"]()


# --------------------------------------------------------------------------------------------- hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): keep tests of one group on one xdist worker")
    config.addinivalue_line("markers", "backfill_step(n): the gameplan step a test belongs to")
    settings = resolve_settings(config)
    if settings.window.value is None:
        return
    from harness.session import build_run, new_run_id, report_path

    run_id = getattr(config, "workerinput", {}).get("harness_run_id") or new_run_id()
    try:
        run = build_run(settings, run_id)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUN_KEY] = run
    # Every run leaves a self-contained report, unless the user chose a path.
    if not config.getoption("htmlpath", default=None) and hasattr(config.option, "htmlpath"):
        config.option.htmlpath = str(report_path(settings, run_id))
        config.option.self_contained_html = True
    config.pluginmanager.register(backfill_fixtures(run), "harness-backfill-fixtures")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(run_id), "harness-xdist")


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
    """Controller only: seed an empty embedded warehouse, then read the window's expected game dates."""
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or _is_worker():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if run.warehouse.kind == "duckdb":
        from harness.reference.seed import ensure_seeded

        try:
            run.seeded = [s.year for s in ensure_seeded(run.warehouse, run.pipeline, run.window.seasons)]
        except HarnessError as exc:
            raise pytest.UsageError(f"embedded warehouse: {exc}") from None
        if run.seeding_notice and reporter is not None:
            reporter.write_line(f"harness: {run.seeding_notice}", yellow=True)
    from harness.schedule import game_dates

    try:
        with run.warehouse.connect() as conn:
            run.game_dates = game_dates(conn, run.pipeline, run.window)
    except HarnessError as exc:
        # Step 1 (preflight) reports a missing schedule as a failed check; the run goes on to say so.
        run.game_dates_problem = str(exc)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return None
    return [
        f"harness: window {run.window} ({run.window.days} days), run {run.run_id}",
        f"harness: {run.game_dates_summary}",
        f"harness: {run.warehouse.kind} {run.warehouse.location}, pipeline {run.pipeline.path}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the suite from the declaration: one test per chain, per processor of a phase."""
    run = metafunc.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    if "chain_name" in metafunc.fixturenames:
        metafunc.parametrize("chain_name", list(run.pipeline.chains))
    for phase in (3, 4):
        if f"phase{phase}_processor" in metafunc.fixturenames:
            names = [p.name for p in run.pipeline.phase(phase)]
            metafunc.parametrize(f"phase{phase}_processor", names)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """The report needs Step 0; under xdist only workers ran it, so the controller reads it itself."""
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or _is_worker() or CHAINS_KEY in session.config.stash:
        return
    from harness.chains import check_chains

    try:
        with run.warehouse.connect() as conn:
            session.config.stash[CHAINS_KEY] = check_chains(conn, run.pipeline, run.window)
    except HarnessError:
        session.config.stash[CHAINS_KEY] = {}


def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: Any
) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    from harness.report import chain_grid_html, header_html

    prefix.append(header_html(run))
    postfix.append(chain_grid_html(session.config.stash.get(CHAINS_KEY, {})))


def pytest_html_report_title(report: Any) -> None:
    report.title = "Backfill sign-off report"


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def harness_run(request: pytest.FixtureRequest) -> HarnessRun:
    run = request.config.stash.get(RUN_KEY, None)
    if run is None:
        pytest.skip("the gameplan suite needs a window: pytest --window START:END")
    return run


@pytest.fixture(scope="session")
def source_chains(request: pytest.FixtureRequest, harness_run: HarnessRun) -> dict[str, ChainResult]:
    """Step 0 for the window, read once per session (one warehouse query); kept for the report."""
    from harness.chains import check_chains

    with harness_run.warehouse.connect() as conn:
        results = check_chains(conn, harness_run.pipeline, harness_run.window)
    request.config.stash[CHAINS_KEY] = results
    return results


@pytest.fixture(scope="session")
def source_gate(source_chains: dict[str, ChainResult]) -> None:
    """The gameplan's first STOP rule: a critical chain missing on any date blocks every backfill."""
    broken = [r for r in source_chains.values() if r.chain.severity == "critical" and r.missing]
    if broken:
        dates = sorted({d.day.isoformat() for r in broken for d in r.missing})
        names = ", ".join(r.chain.name for r in broken)
        pytest.skip(f"blocked by Step 0: critical chain {names} missing on {', '.join(dates)}")


@pytest.fixture
def backfill(request: pytest.FixtureRequest) -> Callable[[str], ProcessorResult]:
    """``backfill(name)``: the processor's result, running it (and its upstream) once per session."""
    return lambda name: request.getfixturevalue(f"backfill_{name}")


def backfill_fixtures(run: HarnessRun) -> object:
    """A plugin object holding one session-scoped fixture per processor, generated from the declaration.

    Each fixture requests its upstream processors' fixtures first, so pytest resolves the dependency
    order; a processor whose upstream failed is skipped with the reason instead of running on bad
    inputs. pytest finds fixtures on the plugin's class, hence a class built here.
    """
    fixtures = {f"backfill_{name}": _processor_fixture(name) for name in run.pipeline.processors}
    return type("BackfillFixtures", (), fixtures)()


def _processor_fixture(name: str) -> Any:
    @pytest.fixture(scope="session", name=f"backfill_{name}")
    def fixture(
        _plugin: object, request: pytest.FixtureRequest, harness_run: HarnessRun, source_gate: None
    ) -> ProcessorResult:
        from harness.backfill import run_processor

        processor = harness_run.pipeline.processors[name]
        for upstream in processor.upstream:
            result = request.getfixturevalue(f"backfill_{upstream}")
            if result.exit_code != 0:
                pytest.skip(f"blocked: upstream processor {upstream} failed (exit {result.exit_code})")
        return run_processor(harness_run, processor)

    return fixture
