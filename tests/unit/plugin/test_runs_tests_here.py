"""Only the process that runs the tests itself imports Great Expectations in the background: one
process (``-n 0``, ``-p no:xdist``), never the xdist controller with workers, never a worker."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.plugin.xdist import runs_tests_here


def config(**option: Any) -> Any:
    return SimpleNamespace(option=SimpleNamespace(**option))


@pytest.mark.parametrize(
    ("option", "expected"),
    [({"numprocesses": 0}, True), ({}, True), ({"numprocesses": None}, True), ({"numprocesses": 4}, False)],
    ids=["-n 0", "no xdist", "xdist without -n", "controller with workers"],
)
def test_one_process_runs_the_tests_itself(
    monkeypatch: pytest.MonkeyPatch, option: dict[str, Any], expected: bool
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert runs_tests_here(config(**option)) is expected


def test_a_worker_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert runs_tests_here(config(numprocesses=0)) is False
