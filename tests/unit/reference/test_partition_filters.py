"""Every read of a partitioned table carries a constant filter on its partition column (issue 14, items 1
and 5): BigQuery refuses a read of a table declared ``require_partition_filter`` without one, and scans
every partition of any other. The emulator enforces neither, so the statements are read with sqlglot
against the partitioning the DDL states, and the declaration must agree with the DDL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from harness.context.run import build_context
from harness.declaration.model import Pipeline
from harness.declaration.settings import resolve_settings
from harness.reference.queries import KINDS, processor_kind, processor_sql
from harness.reference.seed import ddl_statements
from harness.running.pricing import validation_queries
from tests.conftest import REPO, SentStatement
from tests.partitions import Partitioning, check_all, partitioning_of_ddl, unfiltered_reads


@pytest.fixture(scope="module")
def partitioning() -> Partitioning:
    return partitioning_of_ddl(ddl_statements())


def test_the_ddl_states_the_partitioning_the_tests_check_against(partitioning: Partitioning) -> None:
    assert partitioning.columns["nba_raw.nbac_injury_report"] == "report_date"
    assert partitioning.columns["nba_raw.v_nbac_schedule_latest"] == "game_date"  # the view's table's
    assert "nba_analytics.team_offense_game_summary" in partitioning.required
    assert len(partitioning.columns) >= 25


def test_the_declaration_names_each_tables_partition_column(
    partitioning: Partitioning, pipeline: Pipeline
) -> None:
    """A table partitioned on another column than its date column declares it (``partition_column``), or
    the harness's window filters would prune nothing there."""
    wrong = {
        table.ref: (table.partition_column or table.date_column, partitioning.columns[table.ref])
        for table in pipeline.tables.values()
        if table.ref in partitioning.columns
        and (table.partition_column or table.date_column) != partitioning.columns[table.ref]
    }
    assert wrong == {}
    injury = pipeline.tables["nbac_injury_report"]
    assert injury.window_filter() == (
        "game_date BETWEEN @start AND @end AND report_date BETWEEN DATE_SUB(@start, INTERVAL 3 DAY) AND @end"
    )


@pytest.mark.parametrize(
    ("sql", "problems"),
    [
        # The Phase 4 joins as they were: the only game_date condition joins two tables, pruning nothing.
        ("SELECT * FROM d JOIN nba_analytics.team_offense_game_summary AS o "
         "ON o.season_year = d.season_year AND o.game_date < d.game_date", 1),
        ("SELECT * FROM nba_analytics.player_game_summary WHERE is_active", 1),
        ("SELECT * FROM nba_analytics.player_game_summary AS g WHERE g.game_date > @start OR g.points > 3", 1),
        ("SELECT * FROM a.x JOIN nba_analytics.player_game_summary AS g ON g.k = x.k WHERE game_date = @d", 1),
        ("SELECT * FROM nba_raw.nbac_injury_report WHERE game_date BETWEEN @start AND @end", 1),
        ("DELETE FROM nba_analytics.player_game_summary WHERE player_lookup = @p", 1),
        ("SELECT * FROM nba_raw.v_nbac_schedule_latest", 1),
        # Constant filters: parameters, literals and functions of them; in the WHERE or the table's JOIN.
        ("SELECT * FROM d JOIN nba_analytics.team_offense_game_summary AS o "
         "ON o.game_date < d.game_date WHERE o.game_date BETWEEN @season_start AND @end_date", 0),
        ("SELECT * FROM p LEFT JOIN nba_precompute.player_daily_cache AS c ON c.cache_date = p.game_date "
         "AND c.cache_date BETWEEN @start_date AND @end_date", 0),
        ("SELECT * FROM nba_analytics.player_game_summary AS h "
         "WHERE h.game_date >= DATE_SUB(@start, INTERVAL 60 DAY) AND h.points > 0", 0),
        ("DELETE FROM nba_analytics.player_game_summary WHERE game_date = @day", 0),
        ("SELECT * FROM nba_raw.nbac_injury_report WHERE report_date IN (DATE '2021-10-19')", 0),
        ("INSERT INTO nba_analytics.player_game_summary (a) SELECT a FROM s WHERE game_date = @day", 0),
        ("SELECT * FROM nba_reference.processing_locks", 0),  # not partitioned
    ],
)  # fmt: skip
def test_the_reader_tells_a_pruning_filter_from_one_that_prunes_nothing(
    partitioning: Partitioning, sql: str, problems: int
) -> None:
    assert len(unfiltered_reads(sql, partitioning)) == problems, unfiltered_reads(sql, partitioning)


def test_every_reference_query_filters_its_partitions(partitioning: Partitioning) -> None:
    from importlib import resources

    names = [
        f.name.removesuffix(".sql")
        for kind in KINDS
        for f in (resources.files("harness.reference") / "sql" / kind).iterdir()
        if f.name.endswith(".sql")
    ]
    assert len(names) == 10 and all(processor_kind(n) for n in names)
    assert check_all({name: processor_sql(name) for name in names}, partitioning) == []


def test_every_statement_a_run_sends_filters_its_partitions(
    partitioning: Partitioning, sent_statements: list[SentStatement]
) -> None:
    """The harness's statements and every reference job's, as a `--mode run` sent them."""
    senders = Counter(s.processor for s in sent_statements)
    assert senders["-"] > 10 and len(senders) == 11, senders  # the harness and the ten processors
    found = check_all(
        {f"{s.processor} #{i}": s.sql for i, s in enumerate(sent_statements) if " TEMP TABLE " not in s.sql},
        partitioning,
    )
    assert found == []
    # The processors' queries themselves ran inside CREATE TEMP TABLE ... AS; read them there too.
    computed = {
        f"{s.processor} #{i}": s.sql for i, s in enumerate(sent_statements) if " TEMP TABLE " in s.sql
    }
    assert len(computed) >= 10 and check_all(computed, partitioning) == []


@pytest.mark.parametrize("metadata", [True, False])
def test_every_query_of_the_bigquery_plan_filters_its_partitions(
    partitioning: Partitioning, seeded_warehouse, metadata: bool
) -> None:
    """What the harness sends on BigQuery (partition metadata for coverage) and on DuckDB."""
    settings = resolve_settings(
        cli={"window": "2021-10-19:2021-11-15", "warehouse": str(seeded_warehouse.path)},
        ini={}, environ={}, rootdir=REPO,
    )  # fmt: skip
    run = build_context(settings, "partition-run", today=date(2026, 1, 1))
    queries = {label: sql for label, sql, _ in validation_queries(run, metadata)}
    assert check_all(queries, partitioning) == []
