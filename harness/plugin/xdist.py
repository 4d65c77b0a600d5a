"""pytest-xdist wiring: the run id handed to workers, whether this process is one, and one process for
the modes that run no processor."""

from __future__ import annotations

import os
from typing import Any

import pytest


class XdistHooks:
    """Hands the controller's run id to every worker, so they share one run directory."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def pytest_configure_node(self, node: Any) -> None:
        """Give a new worker the run id."""
        node.workerinput["harness_run_id"] = self.run_id


def is_worker() -> bool:
    """Under xdist, whether this process is a worker (``PYTEST_XDIST_WORKER`` survives ``-p no:xdist``,
    unlike the ``worker_id`` fixture)."""
    return "PYTEST_XDIST_WORKER" in os.environ


def in_one_process(config: pytest.Config) -> bool:
    """Whether this process runs every test itself: not a worker, and no workers started (``-n 0``,
    ``-p no:xdist``, or distribution turned off by ``single_process_unless_asked``)."""
    return not is_worker() and not getattr(config.option, "numprocesses", 0)


def processors_first(config: pytest.Config, mode_runs_processors: bool) -> bool:
    """In one process, run the processors before the checks: Great Expectations (2.5-3 s to import)
    then loads on a thread while the process waits on their commands, instead of before the first one.
    Under xdist the checks' worker already imports it while other workers run the processors."""
    return mode_runs_processors and in_one_process(config)


def controller_run_id(config: pytest.Config) -> str | None:
    """The run id a worker was handed, or None in the controller (or without xdist)."""
    return getattr(config, "workerinput", {}).get("harness_run_id")


def single_process_unless_asked(config: pytest.Config) -> None:
    """Where workers cannot overlap anything, they only add start-up time and memory: verify and plan
    modes run no processor (measured: verify took 14 s with pytest.ini's workers against 8 s in one
    process), and on the embedded warehouse the processors take turns on the DuckDB file (a cold 28-day
    run: 12.7 s in one process, 15.2 s with two workers, 17.8 s with four). Unless ``-n`` is on the command
    line, turn distribution off before xdist's own (trylast) ``pytest_configure`` reads it."""
    args = config.invocation_params.args
    if any(a in ("-n", "--numprocesses") or a.startswith(("-n", "--numprocesses=")) for a in args):
        return
    if hasattr(config.option, "tx"):
        config.option.numprocesses, config.option.dist, config.option.tx = 0, "no", []


def register_ignored_options(parser: pytest.Parser) -> None:
    """pytest.ini asks for workers; with ``-p no:xdist`` the suite still runs, in one process. pytest
    reserves lowercase short options for its core, and xdist uses the same internal call for ``-n``."""
    group = parser.getgroup("harness")
    group._addoption("-n", dest="harness_ignored_n", help="ignored: xdist is disabled")
    group.addoption("--dist", dest="harness_ignored_dist", help="ignored: xdist is disabled")
    group.addoption("--no-loadscope-reorder", action="store_true", help="ignored: xdist is disabled")
