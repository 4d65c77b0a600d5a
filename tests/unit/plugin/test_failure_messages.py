"""A failure's reason line is its own message, in one process and under xdist (where pytest's
``longreprtext`` starts with the worker header ``[gw0] linux -- Python ...``)."""

from __future__ import annotations

import json

import pytest

FAILING = """
import pytest

def test_fails_with_a_message():
    pytest.fail("player_boxscores (critical): 1 of 28 game dates incomplete\\n  2021-10-21: 1 game", pytrace=False)

def test_asserts():
    assert 1 == 2, "team totals drift"

@pytest.fixture
def broken():
    raise RuntimeError("warehouse unreachable")

def test_errors_in_setup(broken):
    pass
"""

CONTROLLER = """
import json, os
from harness.plugin.recorder import outcome_of

def pytest_runtest_logreport(report):
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    outcome = outcome_of(report)
    if outcome is not None and outcome.outcome != "passed":
        with open("messages.jsonl", "a") as out:
            out.write(json.dumps([outcome.name, outcome.outcome, outcome.message]) + "\\n")
"""


@pytest.mark.parametrize("processes", [["-n", "0"], ["-n", "1"]], ids=["one process", "xdist"])
def test_reason_is_the_failures_own_message(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, processes: list[str]
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # when this suite itself runs under xdist
    pytester.makepyfile(test_steps=FAILING)
    pytester.makeconftest(CONTROLLER)
    result = pytester.runpytest_subprocess("-p", "xdist", *processes, "-p", "no:randomly")
    result.assert_outcomes(failed=2, errors=1)
    rows = [json.loads(line) for line in (pytester.path / "messages.jsonl").read_text().splitlines()]
    messages = {name: (outcome, message) for name, outcome, message in rows}
    assert messages == {
        "test_fails_with_a_message": (
            "failed",
            "player_boxscores (critical): 1 of 28 game dates incomplete\n  2021-10-21: 1 game",
        ),
        "test_asserts": ("failed", "AssertionError: team totals drift\nassert 1 == 2"),
        "test_errors_in_setup": ("error", "RuntimeError: warehouse unreachable"),
    }
