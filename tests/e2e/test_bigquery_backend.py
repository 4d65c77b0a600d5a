"""The BigQuery backend end to end, against a BigQuery-API emulator on 127.0.0.1 through the official
client: the gameplan suite with the reference pipeline on BigQuery, parity with the embedded backend on
the same demo data, the one-line usage errors, partition-scoped writes of the jobs, labels and byte caps
on every job, and the plan's dry runs.

The emulator runs one transaction at a time across sessions ("Current transaction is aborted" when two
jobs commit at once), so the suite runs on it in one process (``-n 0``); BigQuery has no such limit.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from signoff_checks import load_signoff

from harness.checking.coverage import table_coverage
from harness.checking.expected import day_states
from harness.checking.frames import history_frame
from harness.checking.gx import Finding, validate
from harness.checking.history import latest_runs
from harness.checking.quality import quality_frame
from harness.checking.schedule import game_dates
from harness.context.run import build_context
from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline
from harness.declaration.settings import Settings, resolve_settings
from harness.declaration.window import Window, parse_window
from harness.reference import jobs
from harness.reference.seed import ensure_seeded
from harness.warehouse.base import Warehouse
from harness.warehouse.bigquery.errors import NO_CREDENTIALS
from harness.warehouse.bigquery.params import sanitize_labels
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.bigquery_emulator import PROJECT
from tests.sql import query

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bigquery")]

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-19:2021-10-22"
THROUGH = date(2021, 10, 22)
DATE_LITERAL = re.compile(r"20\d\d-\d\d-\d\d|20\d{6}")


def window(pipeline: Pipeline) -> Window:
    return parse_window(WINDOW, pipeline.seasons, pipeline.bootstrap_days, date(2030, 1, 1))


@pytest.fixture(scope="module")
def partition_pipeline(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Path:
    """pipeline.toml with every Phase 3 and 4 table declared day-partitioned, as the production
    declaration has them: coverage on BigQuery then reads INFORMATION_SCHEMA.PARTITIONS."""
    text = (REPO / "pipeline.toml").read_text()
    for table in pipeline.phase_tables(3) + pipeline.phase_tables(4):
        header = f"[tables.{table.name}]\n"
        assert text.count(header) == 1
        text = text.replace(header, f"{header}partition_coverage = true\n")
    path = tmp_path_factory.mktemp("declaration") / "pipeline.toml"
    path.write_text(text)
    return path


@dataclass(frozen=True)
class Outcome:
    """One backend's run of the window and what the warehouse says afterwards."""

    ret: int
    outcomes: dict[str, int]
    summary: dict[str, Any]
    coverage: dict[str, dict[date, int]]
    history: dict[str, dict[date, tuple[str, int | None, str | None]]]
    quality: pd.DataFrame
    findings: list[Finding]


def observe(run: Any, warehouse: Warehouse, pipeline: Pipeline) -> Outcome:
    span = window(pipeline)
    with warehouse.connect() as conn:
        # The sources and the outputs, in two queries: the emulator fails a UNION of partition metadata with
        # a view, or with a scan filtered by DATE_SUB(@start, INTERVAL n DAY) (nbac_injury_report's lookback).
        sources = {s for chain in pipeline.chains.values() for s in chain.sources if s in pipeline.tables}
        outputs = {p.output for p in pipeline.processors.values()}
        coverage = {
            **table_coverage(conn, [t for name, t in pipeline.tables.items() if name in sources], span),
            **table_coverage(conn, [t for name, t in pipeline.tables.items() if name in outputs], span),
        }
        runs = latest_runs(conn, pipeline, list(pipeline.processors.values()), span)
        days = game_dates(conn, pipeline, span)
        quality = pd.concat([quality_frame(conn, pipeline.phase_tables(p), span) for p in (3, 4)])
    quality = quality.sort_values(["table_name", "check_name", "column_name", "day"], ignore_index=True)
    findings = validate("grains_and_ranges", quality.rename(columns={"table_name": "subject"}))
    states = {p.name: day_states(pipeline.output_table(p), span, days) for p in pipeline.processors.values()}
    locks = {p.name: pipeline.phases[p.phase].lock_minutes for p in pipeline.processors.values()}
    findings += validate("run_history", history_frame(runs, states, locks))
    history = {
        name: {day: (r.status, r.records, r.skip_reason) for day, r in by_day.items()}
        for name, by_day in runs.items()
    }
    summary, _ = load_signoff(run.home)
    return Outcome(run.ret, run.outcomes(), summary, coverage, history, quality, findings)


@pytest.fixture(scope="module")
def on_bigquery(
    seed_bigquery: Callable[[str, date], Any], run_gameplan, partition_pipeline: Path, pipeline: Pipeline
) -> Outcome:
    target = seed_bigquery("suite_", THROUGH)
    run = run_gameplan(
        Path("unused.duckdb"), "--window", WINDOW, *target.args(), "--maximum-bytes-billed", "10000000000",
        "-n", "0", pipeline=partition_pipeline,
    )  # fmt: skip
    assert run.ret == 0, run.stdout[-3000:]
    return observe(run, target.warehouse(), load_pipeline(partition_pipeline))


@pytest.fixture(scope="module")
def on_duckdb(tmp_path_factory: pytest.TempPathFactory, run_gameplan, pipeline: Pipeline) -> Outcome:
    """The same demo rows (seeded up to the same date) in the embedded warehouse."""
    path = tmp_path_factory.mktemp("parity") / "warehouse.duckdb"
    ensure_seeded(DuckDBWarehouse(path), pipeline, [pipeline.seasons[0]], through=THROUGH)
    run = run_gameplan(path, "--window", WINDOW, "-n", "0")
    return observe(run, DuckDBWarehouse(path), pipeline)


def test_gameplan_suite_passes_on_bigquery(on_bigquery: Outcome, pipeline: Pipeline) -> None:
    assert on_bigquery.summary["verdict"] == "READY FOR FULL-SEASON RUN"
    assert on_bigquery.summary["backend"] == {"kind": "bigquery", "location": PROJECT}
    assert {p["name"]: p["status"] for p in on_bigquery.summary["processors"]} == dict.fromkeys(
        pipeline.processors, "passed"
    )
    rows = on_bigquery.coverage["player_game_summary"]
    assert sorted(rows) == list(window(pipeline).dates()) and all(rows.values())


def test_parity_with_the_embedded_backend(on_bigquery: Outcome, on_duckdb: Outcome) -> None:
    assert on_duckdb.ret == on_bigquery.ret == 0
    assert on_bigquery.outcomes == on_duckdb.outcomes
    tests = [(t["id"], t["outcome"], t["message"]) for t in on_bigquery.summary["tests"]]
    assert tests == [(t["id"], t["outcome"], t["message"]) for t in on_duckdb.summary["tests"]]
    assert on_bigquery.summary["coverage"] == on_duckdb.summary["coverage"]
    # Phase 3 and 4 counted from partition metadata on BigQuery, by scanning in DuckDB: the same counts.
    assert on_bigquery.coverage == on_duckdb.coverage
    assert on_bigquery.history == on_duckdb.history
    assert {status for days in on_bigquery.history.values() for status, _, _ in days.values()} == {"success"}
    pd.testing.assert_frame_equal(on_bigquery.quality, on_duckdb.quality, check_dtype=False)
    assert on_bigquery.findings == on_duckdb.findings


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no credentials", NO_CREDENTIALS),
        ("missing dataset", f"BigQuery dataset {PROJECT}.absent_nba_analytics not found; create it"),
        ("unknown project", "BigQuery dataset no-such-project.suite_nba_analytics not found; "),
        ("bad byte cap", "--maximum-bytes-billed 'lots' must be a positive whole number of bytes"),
    ],
)
def test_setup_errors_are_one_line_and_exit_4(
    case: str, expected: str, emulator_url: str, run_gameplan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--backend", "bigquery", "--project", PROJECT, "--dataset-prefix", "suite_"]
    if case == "no credentials":
        # No endpoint: application default credentials, of which this machine has none.
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing-key.json"))
        monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
        monkeypatch.setenv("NO_GCE_CHECK", "True")
    else:
        args += ["--bigquery-endpoint", emulator_url]
    if case == "missing dataset":
        args += ["--dataset-prefix", "absent_"]
    if case == "unknown project":
        args += ["--project", "no-such-project"]
    if case == "bad byte cap":
        args += ["--maximum-bytes-billed", "lots"]
    run = run_gameplan(tmp_path / "unused.duckdb", "--window", WINDOW, *args)
    assert run.ret == 4, run.stdout[-2000:] + run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), run.stderr
    assert expected in lines[0]
    assert not any(run.home.iterdir()), "nothing is written before the warehouse is reachable"


def test_jobs_replace_one_date_with_labels_and_a_byte_cap(
    seed_bigquery: Callable[[str, date], Any], recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = seed_bigquery("jobs_", date(2021, 10, 20))
    env = {
        "HARNESS_BACKEND": "bigquery",
        "HARNESS_PROJECT": PROJECT,
        "HARNESS_DATASET_PREFIX": target.prefix,
        "HARNESS_BIGQUERY_ENDPOINT": target.url,
        "HARNESS_MAXIMUM_BYTES_BILLED": "123456789",
        "HARNESS_RUN_ID": "Run 42",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    name, table = "team_offense_game_summary", "nba_analytics.team_offense_game_summary"
    assert jobs.main([name, "--start-date", "2021-10-19", "--end-date", "2021-10-20"]) == 0
    warehouse = target.warehouse()
    select = f"SELECT * FROM {table} WHERE game_date = @d ORDER BY team_abbr"
    first_day = query(warehouse, select, {"d": date(2021, 10, 19)})
    second_day = query(warehouse, select, {"d": date(2021, 10, 20)})
    recorder.jobs.clear()

    assert jobs.main([name, "--dates", "2021-10-20"]) == 0
    sent = list(recorder.jobs)

    # The other date is untouched, row for row (processed_at included); the replaced one is not doubled.
    pd.testing.assert_frame_equal(query(warehouse, select, {"d": date(2021, 10, 19)}), first_day)
    again = query(warehouse, select, {"d": date(2021, 10, 20)})
    assert len(again) == len(second_day) > 0
    assert (again["processed_at"] >= second_day["processed_at"].max()).all()

    labels = sanitize_labels({"processor": name, "harness_run_id": "Run 42"})
    assert sent and all(job["labels"] == labels for job in sent)
    queries = [job["query"] for job in sent if "query" in job]
    assert all(q["maximumBytesBilled"] == "123456789" for q in queries)
    deletes = [q for q in queries if q["query"].startswith("DELETE") and "team_offense" in q["query"]]
    assert len(deletes) == 1 and deletes[0]["query"].endswith("WHERE game_date = @day")
    (day,) = deletes[0]["queryParameters"]
    assert day == {
        "name": "day",
        "parameterType": {"type": "DATE"},
        "parameterValue": {"value": "2021-10-20"},
    }
    assert not [q["query"] for q in queries if DATE_LITERAL.search(q["query"])]


def settings(**values: str) -> Settings:
    return resolve_settings(cli=values, ini={}, environ={}, rootdir=REPO)


def test_plan_dry_runs_every_validation_query(
    on_bigquery: Outcome, emulator_url: str, partition_pipeline: Path, recorder
) -> None:
    from harness.running.plan import build_plan, plan_lines
    from harness.running.pricing import validation_queries

    run = build_context(
        settings(
            window=WINDOW, backend="bigquery", project=PROJECT, bigquery_endpoint=emulator_url,
            dataset_prefix="suite_", pipeline=str(partition_pipeline), maximum_bytes_billed="5000000",
        ),
        "plan-run",
    )  # fmt: skip
    assert run.warehouse.labels == {"harness_run_id": "plan-run"}  # type: ignore[attr-defined]
    context = run.template_context
    assert (context["backend"], context["project"], context["dataset_prefix"]) == (
        "bigquery",
        PROJECT,
        "suite_",
    )
    with run.warehouse.connect() as conn:
        run = run.with_schedule(tuple(game_dates(conn, run.pipeline, run.window)), {})
    recorder.jobs.clear()

    lines = plan_lines(run, build_plan(run))

    expected = list(validation_queries(run, metadata=True))
    priced = [
        re.fullmatch(r"  (.*): 0 bytes processed, ([\d,]+) bytes(?: \(.*\))? billed \((\d+) tables\)", line)
        for line in lines
    ]
    priced = [match for match in priced if match]
    # The sign-off's read of INFORMATION_SCHEMA.JOBS is planned too; the emulator has no JOBS view.
    *expected, jobs = expected
    assert jobs[0] == "sign-off bytes billed (INFORMATION_SCHEMA.JOBS)"
    assert [m[1] for m in priced] == [label for label, _, _ in expected]
    refused = [line for line in lines if ": not priced: " in line]
    assert len(refused) == 1 and refused[0].startswith(f"  {jobs[0]}: not priced: ")
    # The emulator reports 0 bytes, so each query is billed its minimum: 10 MB per table it names.
    billed = [int(m[2].replace(",", "")) for m in priced]
    assert all(b == 10 * 2**20 * int(m[3]) for b, m in zip(billed, priced, strict=True))
    assert billed[0] == 0 and min(billed[1:]) >= 10 * 2**20  # SELECT 1 reads no table
    assert f"  total billed: {sum(billed):,} bytes" in "\n".join(lines)
    assert "; 1 queries not priced" in "\n".join(lines)
    assert "emulators report 0 bytes for every dry run" in lines[-1]
    assert "Phase 4 coverage (5 of 5 tables from partition metadata)" in "\n".join(lines)
    queries = recorder.queries()[:-1]  # the JOBS dry run, refused, is the last
    assert len(queries) == len(expected) and all(job["dryRun"] for job in recorder.jobs)
    for (label, _, _), sent in zip(expected, queries, strict=True):
        assert not DATE_LITERAL.search(sent["query"]), sent["query"]
        assert sent["maximumBytesBilled"] == "5000000"
        assert sent["query"].lstrip().upper().startswith(("SELECT", "WITH"))
        # Every bound date (or partition id) lies inside the window, but for the schedule's read of the
        # whole season: nothing else is read beyond it.
        bound = [p["parameterValue"].get("value") for p in sent.get("queryParameters", [])]
        dates = [v.replace("-", "") for v in bound if isinstance(v, str) and DATE_LITERAL.fullmatch(v)]
        if "fingerprints outside the window" in label:  # a year either side of it, by design
            assert min(dates) < "20211019" and max(dates) > "20211022", sent["query"]
        elif not label.startswith(("Step 1 warehouse", "Step 1 columns", "schedule")):
            assert dates and all("20211019" <= d <= "20211022" for d in dates), sent["query"]


def test_production_declaration_plans_the_real_scripts(
    on_bigquery: Outcome, emulator_url: str, tmp_path: Path
) -> None:
    from harness.errors import ConfigError
    from harness.running.plan import build_plan, plan_lines

    checkout = tmp_path / "nba-stats-scraper"
    checkout.mkdir()
    # The emulator's project is not the one the real scripts hard-code: declare it as a team that
    # patched its scripts would.
    patched = tmp_path / "pipeline.patched.toml"
    patched.write_text(
        f'extends = "{REPO / "pipeline.production.toml"}"\n[pipeline]\nscripts_project = "{PROJECT}"\n'
    )
    options = {
        "window": WINDOW, "backend": "bigquery", "project": PROJECT, "bigquery_endpoint": emulator_url,
        "dataset_prefix": "suite_", "pipeline": str(patched),
    }  # fmt: skip
    with pytest.raises(ConfigError, match=r"pass --pipeline-repo PATH"):
        build_context(settings(**options), "prod-run")
    with pytest.raises(ConfigError, match=r"write to nba-props-platform \(they hard-code it\)"):
        build_context(
            settings(
                **options | {"pipeline": str(REPO / "pipeline.production.toml")}, pipeline_repo=str(checkout)
            ),
            "prod-run",
        )
    run = build_context(settings(**options, pipeline_repo=str(checkout)), "prod-run")
    lines = plan_lines(run, build_plan(run))
    commands = [line.strip() for line in lines if line.strip().startswith("$ (cd ")]
    assert len(commands) == 10
    assert commands[0] == (
        f"$ (cd {checkout} && PYTHONPATH={checkout} GCP_PROJECT_ID={PROJECT} {sys.executable} "
        "backfill_jobs/analytics/team_offense_game_summary/team_offense_game_summary_analytics_backfill.py "
        "--start-date 2021-10-19 --end-date 2021-10-22 --no-resume)"
    )
    assert all(f"GCP_PROJECT_ID={PROJECT} " in command for command in commands)
    assert "backfill_jobs/precompute/ml_feature_store/ml_feature_store_precompute_backfill.py" in commands[-1]
    steps = {line.split()[3]: line for line in lines if line[:2].strip().isdigit()}
    assert steps["player_shot_zone_analysis"].endswith(
        "(level 2, reads player_game_summary; strict order: after team_defense_zone_analysis)"
    )
    assert steps["player_daily_cache"].endswith(
        "reads player_game_summary, team_offense_game_summary, upcoming_player_game_context, "
        "player_shot_zone_analysis; strict order: after player_composite_factors)"
    )
    assert "Phase 3 coverage (5 of 5 tables from partition metadata)" in "\n".join(lines)
