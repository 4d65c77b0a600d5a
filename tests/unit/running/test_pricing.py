"""The plan prices what BigQuery bills (issue 14, item 4): every query a run sends, each at least 10 MB per
table it references and rounded up to the MB, and a byte cap below the run's minimum is refused.

What the emulator cannot show: it reports 0 bytes and no referenced table for a dry run, and enforces no
cap, so the minimums are computed from the SQL and tested here; the plan's dry runs run on the emulator in
tests/e2e/test_bigquery_backend.py::test_plan_dry_runs_every_validation_query."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from harness.checking.entities import qualifying_query
from harness.context.run import RunContext, build_context
from harness.declaration.settings import resolve_settings
from harness.errors import ConfigError
from harness.running.pricing import (
    MB,
    billed_bytes,
    minimum_cap,
    referenced_tables,
    refuse_low_cap,
    validation_queries,
)
from tests.conftest import REPO, SQL_LOG_WINDOW, SentStatement


def context(warehouse: Path, window: str = "2021-10-19:2021-11-15", **values: str) -> RunContext:
    settings = resolve_settings(
        cli={"window": window, "warehouse": str(warehouse), **values}, ini={}, environ={}, rootdir=REPO
    )
    return build_context(settings, "pricing-run", today=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("processed", "tables", "billed"),
    [
        (0, 0, 0),  # SELECT 1
        (0, 1, 10 * MB),  # an INFORMATION_SCHEMA view: dry runs report 0 bytes, billing says 10 MB
        (1, 3, 30 * MB),
        (31 * MB + 1, 3, 32 * MB),  # rounded up to the MB
        (2 * MB, 0, 2 * MB),
    ],
)
def test_on_demand_billing(processed: int, tables: int, billed: int) -> None:
    assert billed_bytes(processed, tables) == billed


def test_referenced_tables_are_the_tables_not_the_ctes() -> None:
    sql = (
        "WITH recent AS (SELECT * FROM nba_raw.t WHERE d = @d) SELECT * FROM recent "
        "JOIN nba_raw.u USING (k) CROSS JOIN UNNEST(xs) AS x JOIN nba_raw.t AS again USING (k)"
    )
    assert referenced_tables(sql) == {"nba_raw.t", "nba_raw.u"}
    assert referenced_tables("SELECT a FROM nba_raw.INFORMATION_SCHEMA.COLUMNS") == {
        "nba_raw.information_schema.columns"
    }


def test_the_plan_holds_every_query_the_harness_sends(
    sent_statements: list[SentStatement], seeded_warehouse
) -> None:
    """Compared with what a `--mode run` sent (DuckDB, so coverage by scan): nothing the harness sends is
    left out of the plan, preflight's, the schedule's and the sign-off's reads included."""
    run = context(seeded_warehouse.path, SQL_LOG_WINDOW)
    planned = {" ".join(sql.split()) for _, sql, _ in validation_queries(run, metadata=False)}
    sent = {" ".join(s.sql.split()) for s in sent_statements if s.processor == "-"}
    # What a processor changed is compared on every column its table has, which the plan cannot know
    # before the run: those statements are planned per processor with the declared columns instead.
    changes = {sql for sql in sent if "FARM_FINGERPRINT" in sql or "__harness_snapshot_" in sql}
    assert changes and all(sql.startswith(("SELECT", "WITH", "DROP TABLE IF EXISTS")) for sql in changes)
    sent -= changes
    planned_labels = [label for label, _, _ in validation_queries(run, metadata=False)]
    for name in run.pipeline.processors:
        for step in ("fingerprints outside the window, before", "copy of the window", "diff on the grain"):
            assert f"what changed {name}: {step}" in planned_labels
    # Where a table's entities first appear is asked only for the tables that expect none in the window,
    # together; the plan prices it for every table with a rule, an upper bound. Each such query sent must
    # be that query for the tables it names.
    for sql in sent - planned:
        named = [t for t in run.pipeline.tables.values() if f"'{t.name}' AS table_name" in sql]
        assert named and " ".join(qualifying_query(run.pipeline, named)[0].split()) == sql, sql[:300]
    assert len(sent & planned) >= 10
    labels = [label for label, _, _ in validation_queries(run, metadata=True)]
    for wanted in (
        "Step 1 columns of nba_raw",
        "schedule: game dates",
        "pre-test state",
        "sign-off run history totals",
    ):
        assert any(label.startswith(wanted) for label in labels), wanted


def test_a_cap_below_the_runs_minimum_is_refused_with_the_minimum(seeded_warehouse) -> None:
    run = context(seeded_warehouse.path)
    minimum, label = minimum_cap(run)
    # The largest query of the run names several tables; 10 MB each.
    assert minimum >= 50 * MB and minimum % (10 * MB) == 0 and label
    assert (
        max(10 * MB * len(referenced_tables(sql)) for _, sql, _ in validation_queries(run, False)) == minimum
    )


def bigquery_options(emulator_url: str) -> dict[str, str]:
    """Settings for a run on the emulator whose declared datasets exist there (empty, ``cap_`` prefix)."""
    from tests.bigquery_emulator import PROJECT, emulator_client

    client = emulator_client(emulator_url)
    for name in ["nba_raw", "nba_analytics", "nba_precompute", "nba_predictions", "nba_reference"]:
        client.create_dataset(f"{PROJECT}.cap_{name}", exists_ok=True)
    return {
        "backend": "bigquery",
        "project": PROJECT,
        "bigquery_endpoint": emulator_url,
        "dataset_prefix": "cap_",
    }


def test_the_refusal_is_one_line_on_bigquery(emulator_url: str) -> None:
    options = bigquery_options(emulator_url)
    low = context(Path("unused"), **options, maximum_bytes_billed="5000000")
    minimum, _ = minimum_cap(low)
    with pytest.raises(ConfigError) as info:
        refuse_low_cap(low)
    line = str(info.value)
    assert line.startswith("--maximum-bytes-billed 5000000 is below the ") and "\n" not in line
    assert line.endswith(f"pass --maximum-bytes-billed {minimum} or more")
    refuse_low_cap(context(Path("unused"), **options, maximum_bytes_billed=str(minimum)))
    refuse_low_cap(context(Path("unused"), **options))  # no cap, nothing to refuse
