"""The Phase 4 gate as a pure function: the harness's own rule (every Phase 3 table complete) and the
Phase 4 scripts' pre-flight (every Phase 3 table on 95 % of the non-bootstrap game dates), each with its
reason; tables with the same gap are named together."""

from __future__ import annotations

from datetime import date, timedelta

from harness.checking.expected import DayState
from harness.checking.gates import completeness_gaps, phase_gate, preflight_shortfalls
from harness.declaration.model import Pipeline

DAYS = [date(2021, 11, 2) + timedelta(days=i) for i in range(20)]
BOOTSTRAP = [date(2021, 10, 31), date(2021, 11, 1)]


def _shortfalls(pipeline: Pipeline, covered: int, tables: int = 1) -> list[str]:
    rule = pipeline.phases[4].scripts_preflight
    assert rule is not None
    phase3 = pipeline.phase_tables(3)[:tables]
    counts = {t.name: {d: 7 for d in [*BOOTSTRAP, *DAYS[:covered]]} for t in phase3}
    return preflight_shortfalls(rule, phase3, counts, [*BOOTSTRAP, *DAYS], set(BOOTSTRAP))


def test_the_scripts_preflight_needs_95_percent_of_the_non_bootstrap_dates(pipeline: Pipeline) -> None:
    assert _shortfalls(pipeline, 19) == []  # 19 of 20 is 95 %: the scripts go ahead
    assert _shortfalls(pipeline, 18) == [
        "team_offense_game_summary has rows on 18 of 20 non-bootstrap game dates (90.0 %, 2 short)"
    ]
    rule = pipeline.phases[4].scripts_preflight
    assert rule is not None
    table = pipeline.phase_tables(3)[0]
    # A window of bootstrap dates only has nothing to check, as in the scripts.
    assert preflight_shortfalls(rule, [table], {table.name: {}}, BOOTSTRAP, set(BOOTSTRAP)) == []


def test_tables_with_the_same_gap_are_named_together(pipeline: Pipeline) -> None:
    assert _shortfalls(pipeline, 10, tables=2) == [
        "team_offense_game_summary, team_defense_game_summary have rows on 10 of 20 non-bootstrap game dates "
        "(50.0 %, 10 short)"
    ]
    tables = pipeline.phase_tables(3)[:3]
    states = {t.name: dict.fromkeys(DAYS[:2], DayState.EXPECTED) for t in tables}
    counts = {
        tables[0].name: {DAYS[0]: 3},
        tables[1].name: {DAYS[0]: 3},
        tables[2].name: {DAYS[0]: 3, DAYS[1]: 3},
    }
    assert completeness_gaps(tables, counts, states) == [
        "team_offense_game_summary, team_defense_game_summary have no rows on 2021-11-03"
    ]


def test_the_phase4_gate_says_which_rule_closed_it(pipeline: Pipeline) -> None:
    phase3, phase4 = pipeline.phases[3], pipeline.phases[4]
    gap = "player_game_summary has no rows on 2021-11-03"
    short = "player_game_summary has rows on 18 of 20 non-bootstrap game dates (90.0 %, 2 short)"
    assert not phase_gate(phase4, phase3, [], []).closed
    both = phase_gate(phase4, phase3, [gap], [short])
    assert both.closed and both.skip_reason == (
        f"blocked by Step 3: Phase 3 incomplete: {gap}; verify_phase3_for_phase4.py, the Phase 4 scripts' own "
        f"pre-flight, needs 95%: {short}, so they would exit 1 before processing anything anyway"
    )
    # The harness's rule alone: one gap, short of nothing the scripts count.
    only_gap = phase_gate(phase4, phase3, [gap], [])
    assert only_gap.reason == f"by Step 3: Phase 3 incomplete: {gap}"
