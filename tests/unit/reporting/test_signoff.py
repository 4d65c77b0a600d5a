"""The verdict logic and the full-season estimate's arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from harness.reporting.estimate import estimate
from harness.reporting.signoff import StepOutcome, Verdict, verdict
from harness.running.backfill import Backfill
from harness.running.runner import ProcessorResult

STEP3 = "Step 3: Phase 3 coverage"


def _test(outcome: str, message: str = "", blocked: bool = False, name: str = "t") -> StepOutcome:
    return StepOutcome(f"tests/backfill/test_step3.py::{name}@checks", STEP3, outcome, message, blocked)


def test_ready_only_when_everything_passed() -> None:
    assert verdict([_test("passed"), _test("skipped", "verify mode: not run")], 0) == (Verdict.READY, [])


def test_reasons_name_failed_tests_then_each_gate_once() -> None:
    tests = [
        _test("failed", "player_game_summary: no rows on 2021-10-25\nmore", name="test_cov[pgs]"),
        _test("skipped", "blocked by Step 3: core Phase 3 incomplete", blocked=True),
        _test("skipped", "blocked by Step 3: core Phase 3 incomplete", blocked=True),
        _test("error", "", name="test_x"),
    ]
    label, reasons = verdict(tests, 1)
    assert label is Verdict.NOT_READY
    assert reasons == [
        f"{STEP3}: test_cov[pgs] failed: player_game_summary: no rows on 2021-10-25",
        f"{STEP3}: test_x error: no message",
        "2 tests blocked by Step 3: core Phase 3 incomplete",
    ]


def test_a_bad_exit_without_failed_tests_is_not_ready_and_interrupt_says_so() -> None:
    assert verdict([_test("passed")], 3) == (Verdict.NOT_READY, ["pytest exited with status 3"])
    assert verdict([_test("passed")], pytest.ExitCode.INTERRUPTED)[0] == Verdict.INTERRUPTED


def _ran(name: str, seconds: float, dates: list[date]) -> Backfill:
    result = ProcessorResult(name, 0, 100.0, 100.0 + seconds, False, "log", "cmd")
    return Backfill(name, "passed", tuple(dates), result=result)


def test_estimate_scales_measured_seconds_per_game_date_to_the_season() -> None:
    days = [date(2021, 11, 1) + timedelta(days=i) for i in range(4)]
    games = days[:3]  # the fourth calendar day had no games
    outcomes = [
        _ran("team_offense_game_summary", 6.0, days),  # 2 s per game date
        _ran("team_defense_game_summary", 3.0, days),  # 1 s
        _ran("player_game_summary", 9.0, days),  # 3 s
        Backfill("player_daily_cache", "not run", reason="verify mode"),
    ]
    levels = {"team_offense_game_summary": 0, "team_defense_game_summary": 0, "player_game_summary": 1}
    est = estimate("2021-22", 166, outcomes, games, levels)
    assert est is not None
    assert est.seconds_per_date == {
        "team_offense_game_summary": 2.0,
        "team_defense_game_summary": 1.0,
        "player_game_summary": 3.0,
    }
    assert est.sequential_seconds == pytest.approx(6.0 * 166)
    assert est.parallel_seconds == pytest.approx((2.0 + 3.0) * 166)  # the slowest of level 0, then level 1
    assert est.describe() == (
        "full season 2021-22: 166 game dates x 6.0 s per date = 16.6 min one processor at a time, "
        "13.8 min with independent processors in parallel"
    )
    assert estimate("2021-22", 166, outcomes[3:], games, levels) is None
