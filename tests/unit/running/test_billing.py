"""The season's cost, measured (issue 14): the run's jobs read from INFORMATION_SCHEMA.JOBS, attributed to
processors, scaled to the season and priced, and ``--max-season-bytes`` as a gate.

The emulator has no JOBS view: the attribution is tested on rows shaped as BigQuery documents the view
(``creation_time`` TIMESTAMP, ``user_email``, ``statement_type``, ``total_bytes_billed``,
``total_slot_ms``, ``labels`` ARRAY<STRUCT<key, value>>); the read itself runs on the emulator, which
refuses it, and the measurement is then skipped with that reason."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from harness.declaration.model import DEFAULT_PRICE_AS_OF, DEFAULT_USD_PER_TIB
from harness.reporting.estimate import estimate
from harness.reporting.signoff import Verdict, build_signoff, over_budget
from harness.running.backfill import Backfill, ProcessorStatus
from harness.running.billing import HARNESS, UNATTRIBUTED, JobRow, Measured, Span, Usage, attribute, measure
from harness.running.runner import ProcessorResult
from tests.unit.running.test_pricing import context

GIB = 2**30
RUN = "20211019-120000-abc123"
ME = "runner@proj.iam.gserviceaccount.com"
T0 = datetime(2026, 12, 8, 12, 0, tzinfo=UTC).timestamp()


def job(
    seconds: float,
    bytes_billed: int,
    slot_ms: int = 0,
    user: str = ME,
    statement: str = "SELECT",
    **labels: str,
) -> JobRow:
    return JobRow(
        creation_time=datetime.fromtimestamp(T0 + seconds, UTC),
        user_email=user,
        statement_type=statement,
        total_bytes_billed=bytes_billed,
        total_slot_ms=slot_ms,
        labels=labels,
    )


SPANS = [
    Span("team_offense", T0 + 10, T0 + 100),
    Span("team_defense", T0 + 50, T0 + 150),
    Span("pgs", T0 + 200, T0 + 300),
]


def test_jobs_are_attributed_by_label_then_by_principal_and_time() -> None:
    rows = [
        job(5, 10 << 20, 40, harness_run_id=RUN),  # the harness's own query
        job(20, 100 << 20, 1000, harness_run_id=RUN, processor="team_offense"),  # a labelled reference job
        job(30, 7 << 20, 70),  # unlabelled, the principal, only team_offense running: a real script's job
        job(60, 3 << 20, 30),  # unlabelled while team_offense and team_defense both ran
        job(220, 50 << 20, 500),
        job(220, 0, 0, statement="SCRIPT"),  # a script's parent: its children are the rows that bill
        job(230, 999 << 20, 9, user="someone@else.com"),  # another user's job in the same span
        job(240, 999 << 20, 9, harness_run_id="20211018-000000-ffffff"),  # another harness run
        job(400, 999 << 20, 9),  # after every processor ended
    ]
    usage = attribute(rows, RUN, SPANS)
    assert usage == {
        HARNESS: Usage(1, 10 << 20, 40),
        "team_offense": Usage(2, 107 << 20, 1070),
        UNATTRIBUTED: Usage(1, 3 << 20, 30),
        "pgs": Usage(1, 50 << 20, 500),
    }


def test_without_a_labelled_job_there_is_no_principal_and_nothing_unlabelled_counts() -> None:
    assert attribute([job(30, 7 << 20)], RUN, SPANS) == {}


def outcome(name: str, dates: list[date], seconds: float) -> Backfill:
    result = ProcessorResult(name, 0, T0, T0 + seconds, timed_out=False, log_path="l", command="x")
    return Backfill(name, ProcessorStatus.PASSED, tuple(dates), result=result)


def test_the_season_is_scaled_from_bytes_per_game_date_and_priced() -> None:
    days = [date(2021, 11, 1), date(2021, 11, 2)]
    usage = {"a": Usage(3, 200 * GIB, 7_200_000), "b": Usage(1, 100 * GIB, 0)}
    est = estimate("2021-22", 165, [outcome("a", days, 20), outcome("b", days, 10), outcome("c", days, 4)], days,
                   {"a": 0, "b": 0, "c": 1}, usage, (DEFAULT_USD_PER_TIB, DEFAULT_PRICE_AS_OF))  # fmt: skip
    assert est is not None
    assert est.bytes_per_date == {"a": 100 * GIB, "b": 50 * GIB, "c": 0.0}  # c ran no job: billed nothing
    assert est.season_bytes == 165 * 150 * GIB
    assert est.season_usd == pytest.approx(165 * 150 / 1024 * 6.25)
    assert est.season_slot_hours == pytest.approx(165.0)  # 3.6 M slot-ms per date
    assert est.describe().endswith(
        "; 24,750.0 GiB billed ($151.06 on demand at $6.25 per TiB, price of 2023-07-05), 165.0 slot-hours; "
        "measured per game date from INFORMATION_SCHEMA.JOBS"
    )
    unmeasured = estimate("2021-22", 165, [outcome("a", days, 20)], days, {"a": 0})
    assert (
        unmeasured is not None
        and unmeasured.describe_cost() is None
        and "billed" not in unmeasured.describe()
    )


def test_the_budget_gate_names_the_figures(emulator_url: str, seeded_warehouse) -> None:
    from tests.unit.running.test_pricing import bigquery_options

    run = dataclasses.replace(
        context(Path("unused"), **bigquery_options(emulator_url)), max_season_bytes=10**12
    )
    days = [date(2021, 11, 1)]
    over = estimate(
        "2021-22", 165, [outcome("a", days, 20)], days, {"a": 0}, {"a": Usage(1, 10**10)}, (6.25, "d")
    )
    under = estimate(
        "2021-22", 165, [outcome("a", days, 20)], days, {"a": 0}, {"a": Usage(1, 10**9)}, (6.25, "d")
    )
    assert over is not None and under is not None
    (reason,) = over_budget(run, [over], Measured(usage={"a": Usage(1, 10**10)}))
    assert reason.startswith("the full season 2021-22 is forecast to bill 1,650,000,000,000 bytes ($")
    assert reason.endswith("over --max-season-bytes 1,000,000,000,000")
    assert over_budget(run, [under], Measured(usage={"a": Usage(1, 10**9)})) == []
    (unknown,) = over_budget(run, [under], Measured(skipped="bytes billed not measured: no JOBS"))
    assert unknown == "--max-season-bytes 1000000000000 cannot be checked: bytes billed not measured: no JOBS"
    embedded = dataclasses.replace(context(seeded_warehouse.path), max_season_bytes=1)
    assert over_budget(embedded, [over], Measured(skipped="x")) == []
    # The gate closes the sign-off of a run whose tests all passed: NOT READY, and the run exits 1.
    closed = build_signoff(run, [], 0, (), Measured(skipped="bytes billed not measured: no JOBS"))
    assert closed.verdict is Verdict.NOT_READY and closed.exit_status == 1 and closed.reasons == [unknown]


def test_measuring_reads_region_qualified_jobs_and_says_why_it_could_not(
    emulator_url: str, seeded_warehouse
) -> None:
    from tests.unit.running.test_pricing import bigquery_options

    run = context(Path("unused"), **bigquery_options(emulator_url))
    measured = measure(run)
    assert measured.usage == {}
    assert measured.skipped is not None
    assert measured.skipped.startswith(
        "bytes billed not measured: INFORMATION_SCHEMA.JOBS could not be read: "
    )
    assert "\n" not in measured.skipped
    assert measure(context(seeded_warehouse.path)).skipped == (
        "bytes billed not measured: the embedded warehouse bills nothing"
    )
