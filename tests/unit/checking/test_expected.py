"""Expected dates per table: game dates only, bootstrap dates EXEMPT for after_bootstrap tables (and
without run history there), the upcoming tables on every game date like the rest."""

from __future__ import annotations

from datetime import date, timedelta

from harness.checking.expected import DayState, day_states, describe_days, history_days, missing_days
from harness.declaration.model import Pipeline
from harness.declaration.window import parse_window


def test_states_follow_schedule_and_bootstrap(pipeline: Pipeline) -> None:
    window = parse_window(
        "2021-10-31:2021-11-03", pipeline.seasons, pipeline.bootstrap_days, date(2026, 1, 1)
    )
    games = [date(2021, 10, 31), date(2021, 11, 2), date(2021, 11, 3)]  # no game on 11-01 here
    phase3 = day_states(pipeline.tables["player_game_summary"], window, games)
    upcoming = day_states(pipeline.tables["upcoming_player_game_context"], window, games)
    phase4 = day_states(pipeline.tables["player_composite_factors"], window, games)
    e, x, n = DayState.EXPECTED, DayState.EXEMPT, DayState.NO_GAMES
    assert list(phase3.values()) == list(upcoming.values()) == [e, n, e, e]
    assert list(phase4.values()) == [x, n, e, e]  # 2021-10-31 is day 12 of the season
    assert missing_days(phase4, {date(2021, 11, 2): 30}) == [date(2021, 11, 3)]
    # Run history is due on every game date but the EXEMPT ones (the scripts skip them untracked).
    assert history_days(phase4) == [date(2021, 11, 2), date(2021, 11, 3)]
    assert history_days(phase3) == games


def test_describe_days_caps_long_lists() -> None:
    days = [date(2021, 11, 1) + timedelta(days=i) for i in range(12)]
    assert describe_days(days[:2]) == "2021-11-01, 2021-11-02"
    assert describe_days(days, limit=3) == "2021-11-01, 2021-11-02, 2021-11-03 (+9 more)"
