"""Golden BigQuery-on-DuckDB cases: BigQuery SQL in, the rows BigQuery would return out.

Every case runs the transpiled SQL on a fresh in-memory DuckDB seeded with three 2021-22 games. Values are
compared together with their Python types, so a DECIMAL where BigQuery returns FLOAT64, or a TIMESTAMP where it
returns DATE, fails. Cases marked ``plain_wrong`` document what plain ``sqlglot.transpile`` gets wrong today;
``test_plain_sqlglot_still_needs_the_rewrite`` fails once a sqlglot upgrade fixes it, so the rewrite can go.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from harness.warehouse.duckdb_sql import DuckStatement, TranspileError, to_duckdb

Row = tuple[Any, ...]
D = datetime.date

SEED = """
CREATE SCHEMA nba_raw;
CREATE SCHEMA nba_analytics;
CREATE TABLE nba_raw.games (game_id VARCHAR, game_date DATE, home VARCHAR, pts BIGINT, minutes DOUBLE);
INSERT INTO nba_raw.games VALUES
    ('20211019_BKN_MIL', DATE '2021-10-19', 'MIL', 231, 240.0),
    ('20211019_GSW_LAL', DATE '2021-10-19', 'LAL', 235, 240.0),
    ('20211020_IND_CHA', DATE '2021-10-20', 'CHA', 245, 265.0);
"""


@dataclass(frozen=True)
class Golden:
    """One construct: BigQuery SQL, the rows BigQuery returns (of the last statement), bound parameters."""

    sql: str
    expected: list[Row]
    params: dict[str, Any] = field(default_factory=dict)
    plain_wrong: bool = False  # plain sqlglot.transpile errors or returns other rows today


CASES: dict[str, Golden] = {
    # --- table names
    "catalog-dropped": Golden(
        "SELECT COUNT(*) FROM `nba-props-platform.nba_raw.games`", [(3,)], plain_wrong=True
    ),
    "catalog-dropped-join": Golden(
        "SELECT COUNT(*) FROM `nba-props-platform`.nba_raw.games a JOIN nba_raw.games b USING (game_id)",
        [(3,)],
        plain_wrong=True,
    ),
    "dataset-table-kept": Golden("SELECT MAX(pts) FROM nba_raw.games", [(245,)]),
    # --- dates
    "date-add-sub-are-dates": Golden(
        "SELECT DATE_ADD(DATE '2021-10-19', INTERVAL 1 DAY), DATE_SUB(DATE '2021-11-01', INTERVAL 14 DAY)",
        [(D(2021, 10, 20), D(2021, 10, 18))],
        plain_wrong=True,
    ),
    "date-trunc-is-date": Golden(
        "SELECT DATE_TRUNC(DATE '2021-10-19', MONTH), DATE_TRUNC(DATE '2021-10-19', WEEK)",
        [(D(2021, 10, 1), D(2021, 10, 17))],
        plain_wrong=True,
    ),
    "date-add-on-column-in-where": Golden(
        "SELECT game_id FROM nba_raw.games WHERE game_date = DATE_SUB(DATE '2021-10-21', INTERVAL 1 DAY)",
        [("20211020_IND_CHA",)],
    ),
    "dayofweek-sunday-is-1": Golden(
        "SELECT EXTRACT(DAYOFWEEK FROM DATE '2021-10-19'), EXTRACT(DAYOFWEEK FROM DATE '2021-10-17'),"
        " EXTRACT(DAYOFWEEK FROM DATE '2021-10-23')",
        [(3, 1, 7)],
        plain_wrong=True,
    ),
    "week-is-sunday-based": Golden(
        "SELECT EXTRACT(WEEK FROM DATE '2022-01-01'), EXTRACT(WEEK FROM DATE '2022-01-02'),"
        " EXTRACT(ISOWEEK FROM DATE '2022-01-02')",
        [(0, 1, 52)],
        plain_wrong=True,
    ),
    "date-diff-day": Golden("SELECT DATE_DIFF(DATE '2021-11-15', DATE '2021-10-19', DAY)", [(27,)]),
    "format-parse-date": Golden(
        "SELECT FORMAT_DATE('%Y%m%d', DATE '2021-10-19'), PARSE_DATE('%Y%m%d', '20211019')",
        [("20211019", D(2021, 10, 19))],
    ),
    "generate-date-array": Golden(
        "SELECT d FROM UNNEST(GENERATE_DATE_ARRAY(DATE '2021-10-19', DATE '2021-10-23', INTERVAL 2 DAY)) AS d",
        [(D(2021, 10, 19),), (D(2021, 10, 21),), (D(2021, 10, 23),)],
    ),
    "current-timestamp": Golden(
        "SELECT CURRENT_TIMESTAMP() > TIMESTAMP '2021-01-01 00:00:00', DATE(CURRENT_TIMESTAMP()) > DATE '2021-01-01'",
        [(True, True)],
    ),
    # --- arrays
    "unnest-offset-zero-based": Golden(
        "SELECT x, off FROM UNNEST(['a', 'b', 'c']) AS x WITH OFFSET AS off WHERE off > 0 ORDER BY off",
        [("b", 1), ("c", 2)],
        plain_wrong=True,
    ),
    "unnest-offset-correlated": Golden(
        "SELECT g.game_id, team, pos FROM nba_raw.games AS g,"
        " UNNEST(SPLIT(g.game_id, '_')) AS team WITH OFFSET pos WHERE pos = 2 ORDER BY g.game_id",
        [("20211019_BKN_MIL", "MIL", 2), ("20211019_GSW_LAL", "LAL", 2), ("20211020_IND_CHA", "CHA", 2)],
        plain_wrong=True,
    ),
    "array-agg-limit": Golden(
        "SELECT ARRAY_AGG(home ORDER BY pts DESC LIMIT 2) FROM nba_raw.games",
        [(["CHA", "LAL"],)],
        plain_wrong=True,
    ),
    "array-agg-limit-offset": Golden(
        "SELECT ARRAY_AGG(game_date IGNORE NULLS ORDER BY game_date LIMIT 1)[OFFSET(0)] FROM nba_raw.games",
        [(D(2021, 10, 19),)],
        plain_wrong=True,
    ),
    "array-literals": Golden(
        "SELECT ARRAY<FLOAT64>[1, 2.5], ARRAY[1, 2], ARRAY_LENGTH([1, 2, 3])", [([1.0, 2.5], [1, 2], 3)]
    ),
    # --- numbers
    "numeric-is-38-9": Golden(
        "SELECT CAST('1.23456789' AS NUMERIC), CAST('2.5' AS BIGNUMERIC)",
        [(Decimal("1.234567890"), Decimal("2.500000000"))],
        plain_wrong=True,
    ),
    "float-literal-is-float64": Golden("SELECT ROUND(2.5), 0.1 + 0.2", [(3.0, 0.1 + 0.2)], plain_wrong=True),
    "sum-of-integers-is-int": Golden(
        "SELECT SUM(IF(pts > 232, 1, 0)), COUNTIF(pts > 232), SUM(pts), SUM(minutes) FROM nba_raw.games",
        [(2, 2, 711, 745.0)],
    ),
    "safe-divide": Golden("SELECT SAFE_DIVIDE(7, 0), SAFE_DIVIDE(7, 2)", [(None, 3.5)]),
    "if-ifnull-safe-cast": Golden(
        "SELECT IF(1 > 0, 'y', 'n'), IFNULL(NULL, 3), SAFE_CAST('abc' AS INT64), SAFE_CAST('12' AS INT64)",
        [("y", 3, None, 12)],
    ),
    "farm-fingerprint-is-a-deterministic-int64": Golden(
        "SELECT FARM_FINGERPRINT('a') = FARM_FINGERPRINT('a'), FARM_FINGERPRINT('a') = FARM_FINGERPRINT('b'), "
        "BIT_XOR(FARM_FINGERPRINT(home)) = BIT_XOR(FARM_FINGERPRINT(home)) FROM nba_raw.games",
        [(True, False, True)],
        plain_wrong=True,
    ),
    "format-is-printf": Golden("SELECT FORMAT('%d-%s', 3, 'x')", [("3-x",)], plain_wrong=True),
    # --- structs and JSON
    "struct-named-fields": Golden("SELECT s.a, s.b FROM (SELECT STRUCT(1 AS a, 'x' AS b) AS s)", [(1, "x")]),
    "struct-unnamed-into-column": Golden(
        "CREATE TABLE nba_analytics.st (s STRUCT<a INT64, b STRING>);"
        " INSERT INTO nba_analytics.st (s) VALUES (STRUCT(1, 'x'));"
        " SELECT s.a, s.b FROM nba_analytics.st",
        [(1, "x")],
        plain_wrong=True,
    ),
    "to-json-string": Golden("SELECT TO_JSON_STRING(STRUCT(1 AS a, 'x' AS b))", [('{"a":1,"b":"x"}',)]),
    "json-column": Golden(
        "CREATE TABLE nba_analytics.j (meta JSON);"
        ' INSERT INTO nba_analytics.j (meta) VALUES (JSON \'{"a": 1, "b": {"c": "z"}}\');'
        " SELECT JSON_VALUE(meta, '$.b.c'), JSON_EXTRACT_SCALAR(meta, '$.a') FROM nba_analytics.j",
        [("z", "1")],
    ),
    # --- windows
    "qualify-row-number": Golden(
        "SELECT game_date, home FROM nba_raw.games"
        " QUALIFY ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY pts DESC) = 1 ORDER BY game_date",
        [(D(2021, 10, 19), "LAL"), (D(2021, 10, 20), "CHA")],
    ),
    "window-rows-between": Golden(
        "SELECT game_id, SUM(CAST(pts AS INT64)) OVER (ORDER BY game_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW),"
        " AVG(pts) OVER (ORDER BY game_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        " FROM nba_raw.games ORDER BY game_id",
        [("20211019_BKN_MIL", 231, None), ("20211019_GSW_LAL", 466, 231.0), ("20211020_IND_CHA", 480, 233.0)],
    ),
    # --- DDL and DML
    "create-partition-cluster-options": Golden(
        "CREATE TABLE IF NOT EXISTS `nba-props-platform.nba_analytics.summary` (game_date DATE NOT NULL, pts INT64,"
        " score NUMERIC) PARTITION BY game_date CLUSTER BY pts OPTIONS(description='x', require_partition_filter=TRUE);"
        " CREATE TABLE IF NOT EXISTS nba_analytics.summary (game_date DATE NOT NULL, pts INT64)"
        " PARTITION BY DATE_TRUNC(game_date, MONTH);"
        " INSERT INTO nba_analytics.summary (game_date, pts, score) VALUES (DATE '2021-10-19', 5, 1.5);"
        " SELECT game_date, pts, score FROM nba_analytics.summary",
        [(D(2021, 10, 19), 5, Decimal("1.5"))],
        plain_wrong=True,
    ),
    "create-table-as-select-partitioned": Golden(
        "CREATE OR REPLACE TABLE nba_analytics.by_date PARTITION BY game_date AS"
        " SELECT game_date, COUNT(*) AS games FROM nba_raw.games GROUP BY game_date;"
        " SELECT games FROM nba_analytics.by_date ORDER BY game_date",
        [(2,), (1,)],
        plain_wrong=True,
    ),
    "merge-insert-row": Golden(
        "CREATE TABLE nba_analytics.t (game_id STRING, pts INT64);"
        " INSERT INTO nba_analytics.t VALUES ('20211019_BKN_MIL', 1);"
        " MERGE `nba-props-platform.nba_analytics.t` T USING (SELECT game_id, pts FROM nba_raw.games) S"
        " ON T.game_id = S.game_id WHEN MATCHED THEN UPDATE SET pts = S.pts WHEN NOT MATCHED THEN INSERT ROW;"
        " SELECT game_id, pts FROM nba_analytics.t ORDER BY game_id",
        [("20211019_BKN_MIL", 231), ("20211019_GSW_LAL", 235), ("20211020_IND_CHA", 245)],
        plain_wrong=True,
    ),
    "merge-insert-columns": Golden(
        "CREATE TABLE nba_analytics.t (game_id STRING, pts INT64);"
        " MERGE nba_analytics.t T USING nba_raw.games S ON T.game_id = S.game_id"
        " WHEN NOT MATCHED THEN INSERT (pts, game_id) VALUES (pts, game_id);"
        " SELECT COUNT(*), SUM(pts) FROM nba_analytics.t",
        [(3, 711)],
    ),
    # --- parameters
    "params-scalars": Golden(
        "SELECT game_id FROM nba_raw.games WHERE game_date = @game_date AND home LIKE @home AND pts >= @min_pts",
        [("20211019_GSW_LAL",)],
        params={"game_date": D(2021, 10, 19), "home": "L%", "min_pts": 200},
    ),
    "params-in-unnest-dates": Golden(
        "SELECT COUNT(*) FROM nba_raw.games WHERE game_date IN UNNEST(@dates)",
        [(2,)],
        params={"dates": [D(2021, 10, 19), D(2021, 11, 1)]},
    ),
    "params-multi-statement": Golden(
        "DELETE FROM nba_raw.games WHERE game_date = @d;"
        " INSERT INTO nba_raw.games (game_id, game_date, home, pts) VALUES (@id, @d, 'X', 1);"
        " SELECT game_id, game_date FROM nba_raw.games WHERE game_date = @d",
        [("20211019_X_Y", D(2021, 10, 19))],
        params={"d": D(2021, 10, 19), "id": "20211019_X_Y"},
    ),
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory warehouse with the seed games, in UTC like every warehouse connection."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone='UTC'")
    connection.execute(SEED)
    yield connection
    connection.close()


def _run(con: duckdb.DuckDBPyConnection, statements: list[str], params: dict[str, Any]) -> list[Row]:
    """Run statements in order, binding only the parameters each uses; return the last one's rows."""
    rows: list[Row] = []
    for sql in statements:
        used = {name: params[name] for name in re.findall(r"\$(\w+)", sql)}
        cursor = con.execute(sql, used)
        rows = cursor.fetchall() if cursor.description else []
    return rows


def _typed(rows: list[Row]) -> list[tuple[tuple[type, Any], ...]]:
    """Pair every value with its type: ``Decimal('3') == 3.0`` and a datetime is a date, which hides bugs."""
    return [tuple((type(value), value) for value in row) for row in rows]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_golden(con: duckdb.DuckDBPyConnection, case: Golden) -> None:
    statements = to_duckdb(case.sql)
    rows = _run(con, [s.sql for s in statements], case.params)
    assert _typed(rows) == _typed(case.expected)


PLAIN_WRONG = {name: case for name, case in CASES.items() if case.plain_wrong}


@pytest.mark.parametrize("case", PLAIN_WRONG.values(), ids=PLAIN_WRONG.keys())
def test_plain_sqlglot_still_needs_the_rewrite(con: duckdb.DuckDBPyConnection, case: Golden) -> None:
    try:
        statements = sqlglot.transpile(
            case.sql, read="bigquery", write="duckdb", unsupported_level=ErrorLevel.RAISE
        )
        rows = _run(con, statements, case.params)
    except (sqlglot.errors.SqlglotError, duckdb.Error):
        return
    assert _typed(rows) != _typed(case.expected)


@pytest.mark.parametrize(
    ("sql", "types"),
    [
        pytest.param(
            "SELECT SUM(IF(pts > 1, 1, 0)), COUNTIF(pts > 1), SUM(CAST(pts AS INT64)) FROM nba_raw.games",
            ["BIGINT", "BIGINT", "BIGINT"],
            id="integer-sums-bigint",
        ),
        pytest.param(
            "SELECT COUNTIF(pts > 1) OVER (), SUM(1) OVER (ORDER BY game_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)"
            " FROM nba_raw.games",
            ["BIGINT", "BIGINT"],
            id="integer-window-sums-bigint",
        ),
        # Unknown argument type (a bare column): left alone, never truncated; see the module docstring.
        pytest.param(
            "SELECT SUM(minutes), SUM(pts) FROM nba_raw.games",
            ["DOUBLE", "HUGEINT"],
            id="unknown-sums-untouched",
        ),
        pytest.param(
            "SELECT DATE_ADD(game_date, INTERVAL 1 DAY), DATE_TRUNC(game_date, MONTH) FROM nba_raw.games",
            ["DATE", "DATE"],
            id="date-functions-date",
        ),
        pytest.param("SELECT CAST(pts AS NUMERIC) FROM nba_raw.games", ["DECIMAL(38,9)"], id="numeric-38-9"),
    ],
)
def test_result_types(con: duckdb.DuckDBPyConnection, sql: str, types: list[str]) -> None:
    (statement,) = to_duckdb(sql)
    cursor = con.execute(statement.sql)
    assert [str(column[1]) for column in cursor.description] == types


def test_not_null_survives_stripped_ddl(con: duckdb.DuckDBPyConnection) -> None:
    (create,) = to_duckdb(
        "CREATE TABLE IF NOT EXISTS p.nba_analytics.n (game_date DATE NOT NULL) PARTITION BY game_date"
    )
    con.execute(create.sql)
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO nba_analytics.n VALUES (NULL)")


def test_params_in_order_of_first_use_without_at() -> None:
    statements = to_duckdb("SELECT @b, @a, @b; SELECT 1; SELECT x FROM t WHERE d IN UNNEST(@dates)")
    assert [s.params for s in statements] == [("b", "a"), (), ("dates",)]
    assert "@" not in statements[0].sql and "$b" in statements[0].sql


def test_cached_but_callers_cannot_corrupt_the_cache() -> None:
    first = to_duckdb("SELECT 1")
    first.append(DuckStatement(sql="DROP TABLE x", params=()))
    assert to_duckdb("SELECT 1") == [DuckStatement(sql="SELECT 1", params=())]


@pytest.mark.parametrize(
    ("sql", "names"),
    [
        pytest.param("SELEC * FROM WHERE", "cannot parse", id="garbage"),
        pytest.param("SELECT (1", "cannot parse", id="unbalanced"),
        pytest.param("DECLARE x INT64 DEFAULT 1", "DECLARE", id="scripting"),
        pytest.param("SELECT * FROM t WHERE a = ?", "positional", id="positional-param"),
        pytest.param("  ;  ", "no SQL statement", id="empty"),
    ],
)
def test_untranslatable_sql_raises_one_line(sql: str, names: str) -> None:
    with pytest.raises(TranspileError) as raised:
        to_duckdb(sql)
    message = str(raised.value)
    assert names in message
    assert "\n" not in message


def test_countif_over_no_rows_is_zero() -> None:
    con = duckdb.connect()
    (statement,) = to_duckdb("SELECT COUNTIF(x > 1) AS n FROM (SELECT CAST(NULL AS INT64) AS x)")
    assert con.execute(statement.sql).fetchall() == [(0,)]
