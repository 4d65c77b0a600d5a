"""Expected entities as pure data: a game date on which a processor's minimum qualifies nobody is
NONE_EXPECTED with the rule's reason (and only for a rule that says it may be); keys are described
grouped by their game and capped; a window that never exercises a table says how far to widen it."""

from __future__ import annotations

from datetime import date

from harness.checking.entities import Qualifying, describe_keys, with_rules
from harness.checking.expected import DayState
from harness.checking.states import Unexercised
from harness.declaration.model import Pipeline

E, N, X = DayState.EXPECTED, DayState.NONE_EXPECTED, DayState.EXEMPT
D1, D2, D3 = date(2021, 11, 1), date(2021, 11, 2), date(2021, 11, 3)


def test_a_date_without_a_qualifying_entity_is_none_expected_with_the_rules_reason(
    pipeline: Pipeline,
) -> None:
    tdza = pipeline.tables["team_defense_zone_analysis"]
    found = with_rules(
        tdza,
        {D1: X, D2: E, D3: E},
        {D2: Qualifying(0, "15 games since 2021-10-01"), D3: Qualifying(4, "15 games since 2021-10-01")},
    )
    assert found.states == {D1: X, D2: N, D3: E}  # bootstrap stays EXEMPT
    assert found.reasons == {D2: "none expected: no team has 15 games since 2021-10-01"}
    # A date the rule yields nothing for at all has no words to quote.
    assert with_rules(tdza, {D2: E}, {}).reasons == {D2: "none expected: no candidate teams before this date"}


def test_a_rule_without_a_minimum_never_makes_a_date_none_expected(pipeline: Pipeline) -> None:
    found = with_rules(pipeline.tables["team_offense_game_summary"], {D2: E}, {D2: Qualifying(0)})
    assert found.states == {D2: E} and not found.reasons


def test_keys_are_grouped_by_their_game_and_counted_past_the_sample() -> None:
    keys = (("20211102_BOS_MIL", "BOS"), ("20211102_BOS_MIL", "MIL"), ("20211102_ATL_NYK", "ATL"))
    assert (
        describe_keys(keys, 7, "game")
        == "game 20211102_BOS_MIL: BOS, MIL; game 20211102_ATL_NYK: ATL (+4 more)"
    )
    assert describe_keys(((None, "XYZ"),), 1, "game") == "XYZ"
    assert describe_keys((), 0, None) == ""


def test_an_unexercised_table_names_the_first_date_and_the_window_that_reaches_it() -> None:
    idle = Unexercised(
        "team_defense_zone_analysis", 14, "none expected: no team has 15 games since 2021-10-01",
        date(2021, 11, 17), date(2021, 10, 19), date(2022, 4, 10),
    )  # fmt: skip
    assert idle.message == (
        "team_defense_zone_analysis: the window does not exercise it: none of its 14 judged game dates expects a "
        "row (no team has 15 games since 2021-10-01); the first date with one is 2021-11-17: widen the window "
        "(--window 2021-10-19:2021-11-17)"
    )
    never = Unexercised("t", 3, "none expected: x", None, date(2021, 10, 19), date(2022, 4, 10))
    assert never.message.endswith("; no date of the season up to 2022-04-10 has one")
