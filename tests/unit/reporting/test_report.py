"""The report's sections from a hand-made sign-off: the page order, the gameplan's success list and its
figures, the settings (only the chosen ones shown), escaping, and the quality charts' shading."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from harness.checking.expected import DayState
from harness.checking.phase import Cell
from harness.checking.scores import Spread
from harness.context.run import build_context
from harness.declaration.settings import resolve_settings
from harness.reporting.html import report_sections
from harness.reporting.signoff import SignOff, Verdict
from harness.reporting.success import success_list
from harness.reporting.summary import summary
from tests.conftest import REPO

WINDOW = "2021-10-30:2021-11-04"  # three bootstrap days (opener 2021-10-19, 14 days), then three more


def _signoff(reasons: list[str], missing: tuple[str, date] | None = None) -> SignOff:
    settings = resolve_settings(
        cli={"window": WINDOW, "mode": "verify", "warehouse": "/nonexistent/w.duckdb"},
        ini={},
        environ={},
        rootdir=REPO,
    )
    run = build_context(settings, "unit-run", today=date(2026, 1, 1))
    days = list(run.window.dates())
    run = run.with_schedule(tuple(days), {2021: 166})
    pipeline = run.pipeline
    coverage = {}
    for processor in pipeline.processors.values():
        table = pipeline.output_table(processor)
        cells = {}
        for day in days:
            exempt = table.expected_dates == "after_bootstrap" and run.window.is_bootstrap(day)
            state = DayState.EXEMPT if exempt else DayState.EXPECTED
            rows = 0 if exempt or (table.name, day) == missing else 10
            cells[day] = Cell(state, rows)
        coverage[table.name] = cells
    scores = {"upcoming_team_game_context": {days[0]: Spread(10, 40.0, 50.0, 60.0, 70.0, 90.0)}}
    verdict = Verdict.NOT_READY if reasons else Verdict.READY
    return SignOff(
        run, verdict, reasons, 1 if reasons else 0, datetime.now(UTC), [], (), [], {}, coverage, [], [], [], [],
        scores,
    )  # fmt: skip


def test_a_complete_window_ticks_every_item_of_the_gameplans_list() -> None:
    items = success_list(_signoff([]))
    assert [i.met for i in items] == [True, True, True, True]
    assert items[0].outcome == "All Phase 3 core tables complete"
    assert items[0].figure == "5 of 5 tables complete: rows on 30 of 30 expected table-dates"
    assert items[3].figure == "10 complete"


def test_a_gap_crosses_the_phase_and_shows_partial() -> None:
    items = success_list(_signoff(["x"], missing=("player_game_summary", date(2021, 11, 2))))
    assert [i.met for i in items] == [False, True, True, True]
    assert items[0].figure == "4 of 5 tables complete: rows on 29 of 30 expected table-dates"
    assert items[3].figure == "9 complete, 1 partial"


def test_the_verdict_comes_first_then_the_list_and_reasons_are_escaped() -> None:
    before, _ = report_sections(_signoff(["Step 3: <script>alert(1)</script> failed"]))
    assert before.index('id="harness-verdict"') < before.index('id="harness-success"')
    assert before.index('id="harness-success"') < before.index('id="harness-coverage"')
    assert "<script>alert" not in before and "&lt;script&gt;alert(1)&lt;/script&gt;" in before
    assert 'class="harness-verdict not-ready"' in before


def test_only_chosen_settings_are_shown_and_the_defaults_fold_away() -> None:
    before, _ = report_sections(_signoff([]))
    shown, _, folded = before.partition('id="harness-default-settings"')
    assert "setting mode</b></td><td>verify (command line)" in shown
    assert "(default)" not in shown
    assert "<b>backend</b></td><td>duckdb</td>" in folded.split("</details>")[0]


def test_quality_charts_shade_the_bootstrap_dates_and_summary_json_holds_the_figures() -> None:
    signoff = _signoff([])
    before, _ = report_sections(signoff)
    chart = before.partition('class="harness-quality" data-table="upcoming_team_game_context"')[2].split(
        "</figure>"
    )[0]
    bootstrap = [d for d in signoff.run.window.dates() if signoff.run.window.is_bootstrap(d)]
    assert len(bootstrap) == 3 and chart.count('class="q-bootstrap"') == len(bootstrap)
    assert chart.count("<circle") == 1 and "median 60, quartiles 50-70, range 40-90 over 10 rows" in chart
    figures = summary(signoff)
    assert figures["format_version"] == "1.1"
    assert figures["quality"] == {
        "upcoming_team_game_context": {
            "column": "quality_score",
            "dates": {
                "2021-10-30": {"rows": 10, "low": 40.0, "q1": 50.0, "median": 60.0, "q3": 70.0, "high": 90.0}
            },
        }
    }
    assert [s["met"] for s in figures["success"]] == [True, True, True, True]


def test_the_grid_says_how_each_table_was_counted_and_why_a_claim_fell_back() -> None:
    signoff = _signoff([])
    run = dataclasses.replace(
        signoff.run, coverage_fallbacks={"player_game_summary": "partitioned by MONTH on game_date"}
    )
    before, _ = report_sections(dataclasses.replace(signoff, run=run))
    grid = before[before.index('id="harness-coverage"') :]
    assert "<th>counted by</th>" in grid
    assert '<td class="name method">date column scan</td>' in grid
    assert '<td class="name method" title="partitioned by MONTH on game_date">date column scan *</td>' in grid
    assert summary(dataclasses.replace(signoff, run=run))["coverage_methods"]["player_game_summary"] == {
        "method": "date column scan",
        "reason": "partitioned by MONTH on game_date",
    }
