"""BigQuery Standard SQL to DuckDB SQL: sqlglot plus the rewrites it lacks.

Usage (through ``duckdb_sql.to_duckdb``, which keeps translations per machine)::

    for statement in to_duckdb("SELECT * FROM `proj.nba_raw.t` WHERE game_date = @d"):
        con.execute(statement.sql, {name: values[name] for name in statement.params})

Why an adapter: plain ``sqlglot.transpile(read="bigquery", write="duckdb")`` (sqlglot 30.30.0, duckdb 2.0.1)
returns wrong results *without an error* for several constructs (DESIGN.md, "BigQuery SQL on DuckDB through
sqlglot"). We parse as BigQuery, rewrite the tree bottom-up (one small function per node type, listed in
``_REWRITES``), and generate DuckDB SQL with ``ErrorLevel.RAISE`` so anything sqlglot cannot express fails
loudly as a ``TranspileError`` instead of degrading. Each rewrite has a golden case in
``tests/unit/test_transpile.py`` that fails without it.

``SUM`` typing: DuckDB sums integers into HUGEINT (pandas sees float64), BigQuery into INT64. The result is
cast back to BIGINT only when sqlglot's type annotator proves the argument integer (integer literals,
``CAST(... AS INT64)``, ``IF``/``CASE`` of integers). A bare column's type is unknown without a schema, and
casting an unknown sum to BIGINT would truncate FLOAT64 sums, so those are left alone: the value is exact,
only its type is HUGEINT; the caller normalises HUGEINT result columns if it needs INT64.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types

from harness.warehouse.duckdb_sql import DuckStatement, TranspileError

Rewrite = Callable[[Any], exp.Expr]
"""A rewrite of one node type (typed by the node it takes, so the table below holds several)."""


def translate(sql: str) -> tuple[DuckStatement, ...]:
    """Translate BigQuery SQL (one or more ``;``-separated statements) into DuckDB statements. Callers go
    through ``duckdb_sql.to_duckdb``, which keeps the result per machine.

    Args:
        sql: BigQuery Standard SQL; parameters are written ``@name``.

    Returns:
        One ``DuckStatement`` per statement, in order; parameters become ``$name``.

    Raises:
        TranspileError: the SQL does not parse or uses a construct DuckDB cannot run.
    """
    try:
        trees = sqlglot.parse(sql, read="bigquery")
    except ParseError as error:
        raise TranspileError(f"cannot parse BigQuery SQL: {_first_parse_error(error)}") from None
    except SqlglotError as error:
        raise TranspileError(f"cannot parse BigQuery SQL: {_one_line(error)}") from None
    statements = tuple(_translate(tree) for tree in trees if tree is not None)
    if not statements:
        raise TranspileError("no SQL statement found")
    return statements


def _translate(tree: exp.Expr) -> DuckStatement:
    """Rewrite one parsed BigQuery statement and generate its DuckDB SQL."""
    _reject_unsupported(tree)
    tree = _rewrite_bottom_up(tree, _integer_aggregates(tree))
    try:
        sql = tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        raise TranspileError(f"cannot translate to DuckDB: {_one_line(error)}") from None
    return DuckStatement(sql=sql, params=_parameter_names(tree, sql))


# --- what cannot be translated ---------------------------------------------------------------------------

_UNSUPPORTED: dict[type[exp.Expr], str] = {
    exp.Command: "statement sqlglot could not parse (passed through as raw text)",
    exp.Declare: "DECLARE (BigQuery scripting)",
    exp.Placeholder: "positional '?' parameter (use @name)",
}


def _reject_unsupported(tree: exp.Expr) -> None:
    """Fail on constructs DuckDB would reject later with a less helpful message, or run differently."""
    for node in tree.walk():
        for kind, what in _UNSUPPORTED.items():
            if isinstance(node, kind):
                raise TranspileError(f"unsupported on DuckDB: {what}: {_snippet(node)}")


# --- the rewrites ----------------------------------------------------------------------------------------


def _rewrite_bottom_up(tree: exp.Expr, integer_aggregates: set[int]) -> exp.Expr:
    """Apply ``_REWRITES`` children first, so a rewrite always sees already-rewritten arguments.

    sqlglot's own ``transform`` does not descend into a node it just replaced, which would skip e.g. a
    ``DATE_ADD`` nested inside a ``DATE_TRUNC``.
    """
    root = tree
    for node in reversed(list(tree.walk(bfs=False))):
        rewrite = _REWRITES.get(type(node))
        if rewrite is None and isinstance(node, (exp.Sum, exp.CountIf, exp.Window)):
            rewrite = functools.partial(_sum_as_int64, integer_aggregates=integer_aggregates)
        if rewrite is None:
            continue
        parent, arg_key, index = node.parent, node.arg_key, node.index
        new = rewrite(node)
        if new is node:
            continue
        if parent is None or arg_key is None:
            root = new
        else:
            parent.set(arg_key, new, index)
    return root


def _drop_catalog(table: exp.Table) -> exp.Table:
    """``project.dataset.table`` -> ``dataset.table``: datasets are DuckDB schemas of the one database."""
    table.set("catalog", None)
    return table


def _as_date(node: exp.Expr) -> exp.Expr:
    """BigQuery ``DATE_ADD``/``DATE_SUB``/``DATE_TRUNC`` return DATE; DuckDB's ``date + interval`` is TIMESTAMP.

    sqlglot parses ``DATETIME_*``/``TIMESTAMP_*`` into other node types, so these nodes always act on dates.
    """
    return exp.cast(node, exp.DataType.build("DATE"))


def _extract(node: exp.Extract) -> exp.Expr:
    """Align ``EXTRACT`` parts whose numbering differs between the engines."""
    part = node.name.upper()
    if part == "DAYOFWEEK":  # BigQuery: Sunday = 1; DuckDB: Sunday = 0.
        return exp.paren(exp.Add(this=node, expression=exp.Literal.number(1)), copy=False)
    if part == "WEEK":  # BigQuery: Sunday-based week, days before the first Sunday are week 0 (strftime %U).
        strftime = exp.Anonymous(this="STRFTIME", expressions=[node.expression, exp.Literal.string("%U")])
        return exp.cast(strftime, exp.DataType.build("BIGINT"))
    if part == "ISOWEEK":  # DuckDB's WEEK is the ISO week; it has no ISOWEEK.
        node.set("this", exp.var("WEEK"))
    return node


def _unnest_offset_zero_based(unnest: exp.Unnest) -> exp.Expr:
    """``UNNEST(a) AS x WITH OFFSET AS o``: DuckDB's ``WITH ORDINALITY`` counts from 1, BigQuery from 0.

    The unnest becomes a derived table that exposes ``o - 1`` under the same name, so every use of the
    offset (projections, WHERE, ORDER BY, ``SELECT *``) sees BigQuery's value. DuckDB makes a derived table
    that refers to earlier FROM items lateral on its own, so correlated ``FROM t, UNNEST(t.arr)`` works.
    """
    offset = unnest.args.get("offset")
    if not isinstance(offset, exp.Identifier):
        offset = exp.to_identifier("offset") if offset else None
    if offset is None or not isinstance(unnest.parent, (exp.From, exp.Join)):
        return unnest
    alias = unnest.args.get("alias")
    value_columns = list(alias.columns) if alias and alias.columns else [exp.to_identifier("_value")]
    # The DuckDB generator appends the offset itself: _u(x, o) WITH ORDINALITY.
    unnest.set("alias", exp.TableAlias(this=exp.to_identifier("_u"), columns=value_columns))
    unnest.set("offset", offset)
    zero_based = exp.Sub(this=exp.column(offset.copy()), expression=exp.Literal.number(1))
    select = exp.select(*(exp.column(c.copy()) for c in value_columns), exp.alias_(zero_based, offset.copy()))
    # Offset names are unique within one FROM (BigQuery rejects ambiguous ones), so they name the table.
    table_alias = exp.to_identifier(f"_unnest_{offset.name}")
    return exp.Subquery(this=select.from_(unnest, copy=False), alias=exp.TableAlias(this=table_alias))


def _decimal_precision(data_type: exp.DataType) -> exp.DataType:
    """Bare ``NUMERIC``/``BIGNUMERIC`` would become DuckDB ``DECIMAL(18,3)``, rounding to 3 places.

    BigQuery NUMERIC is (38, 9); BIGNUMERIC is wider than DuckDB allows, so (38, 9) is the closest fit.
    """
    if data_type.this in (exp.DType.DECIMAL, exp.DType.BIGDECIMAL) and not data_type.expressions:
        return exp.DataType.build("DECIMAL(38, 9)", dialect="duckdb")
    return data_type


def _array_agg_limit(node: exp.Expr) -> exp.Expr:
    """``ARRAY_AGG(x ORDER BY y LIMIT n)`` has no DuckDB form: aggregate everything, then slice ``[1:n]``.

    Registered for ``IgnoreNulls`` too, so the slice wraps the whole aggregate, ``IGNORE NULLS`` included.
    """
    aggregate = node.this if isinstance(node, exp.IgnoreNulls) else node
    wrapped = isinstance(node, exp.ArrayAgg) and isinstance(node.parent, exp.IgnoreNulls)
    if not isinstance(aggregate, exp.ArrayAgg) or not isinstance(aggregate.this, exp.Limit) or wrapped:
        return node
    limit = aggregate.this
    aggregate.set("this", limit.this)
    return exp.Anonymous(this="LIST_SLICE", expressions=[node, exp.Literal.number(1), limit.expression])


def _float_literal(literal: exp.Literal) -> exp.Expr:
    """A BigQuery literal with a point or exponent is FLOAT64; DuckDB reads it as DECIMAL.

    Left as DECIMAL, ``ROUND(x * 1.5, 1)`` and friends come back as ``Decimal`` objects (pandas object dtype).
    """
    if literal.is_string or not re.search(r"[.eE]", literal.this):
        return literal
    return exp.cast(literal, exp.DataType.build("DOUBLE"))


def _unnamed_struct(struct: exp.Struct) -> exp.Expr:
    """``STRUCT(1, 'x')`` becomes DuckDB ``{'_0': 1, '_1': 'x'}``, which cannot be cast into a named struct
    column; DuckDB's ``ROW(...)`` is unnamed and casts by position, as BigQuery does."""
    if any(isinstance(field, (exp.PropertyEQ, exp.Alias, exp.Slice)) for field in struct.expressions):
        return struct
    return exp.Anonymous(this="ROW", expressions=struct.expressions)


def _fingerprint_as_hash(node: exp.FarmFingerprint) -> exp.Expr:
    """BigQuery's ``FARM_FINGERPRINT`` has no DuckDB twin; DuckDB's ``HASH`` is as deterministic within one
    warehouse, which is all a fingerprint compared against itself needs. ``HASH`` is unsigned 64-bit, so it is
    shifted into INT64 (BigQuery's type), keeping 63 bits."""
    hashed = exp.Anonymous(this="HASH", expressions=node.expressions)
    return exp.cast(exp.paren(exp.BitwiseRightShift(this=hashed, expression=exp.Literal.number(1))), "BIGINT")


def _format_as_printf(node: exp.Format) -> exp.Expr:
    """BigQuery ``FORMAT`` is printf-style; DuckDB's ``FORMAT`` is fmt-style (``{}``) and would return the
    pattern unchanged, so use DuckDB's ``PRINTF``."""
    return exp.Anonymous(this="PRINTF", expressions=[node.this, *node.expressions])


_BIGQUERY_ONLY_PROPERTIES = (exp.PartitionedByProperty, exp.ClusterProperty, exp.Property)


def _strip_storage_properties(create: exp.Create) -> exp.Create:
    """``PARTITION BY``/``CLUSTER BY``/``OPTIONS(...)`` are BigQuery storage hints with no DuckDB meaning."""
    properties = create.args.get("properties")
    if properties is None:
        return create
    kept = [p for p in properties.expressions if type(p) not in _BIGQUERY_ONLY_PROPERTIES]
    create.set("properties", exp.Properties(expressions=kept) if kept else None)
    return create


def _insert_row_by_position(insert: exp.Insert) -> exp.Insert:
    """``MERGE ... WHEN NOT MATCHED THEN INSERT ROW`` inserts the source row positionally; DuckDB spells
    it ``INSERT BY POSITION`` (sqlglot passes ``INSERT ROW`` through, which DuckDB cannot parse)."""
    if isinstance(insert.this, exp.Var) and insert.this.name.upper() == "ROW":
        insert.set("this", exp.var("BY POSITION"))
    return insert


def _integer_aggregates(tree: exp.Expr) -> set[int]:
    """Ids of the ``SUM``/``COUNTIF`` nodes that BigQuery types INT64 (see the module docstring).

    Only each SUM's argument is annotated (on a copy): typing the whole statement doubles the cost.
    """
    found = {id(node) for node in tree.find_all(exp.CountIf)}
    for node in tree.find_all(exp.Sum):
        argument_type = annotate_types(node.this.copy(), dialect="bigquery").type
        if argument_type is not None and argument_type.is_type(*exp.DataType.INTEGER_TYPES):
            found.add(id(node))
    return found


def _sum_as_int64(node: exp.Expr, integer_aggregates: set[int]) -> exp.Expr:
    """Cast an integer ``SUM``/``COUNTIF`` (HUGEINT in DuckDB) to BIGINT, around its window if it has one."""
    aggregate = node.this if isinstance(node, exp.Window) else node
    if id(aggregate) not in integer_aggregates or isinstance(node.parent, exp.Window):
        return node
    cast = exp.cast(node, exp.DataType.build("BIGINT"))
    # DuckDB's COUNT_IF is NULL over no rows (or only NULL inputs); BigQuery's COUNTIF is 0.
    return exp.func("COALESCE", cast, exp.Literal.number(0)) if isinstance(aggregate, exp.CountIf) else cast


_REWRITES: dict[type[exp.Expr], Rewrite] = {
    exp.Table: _drop_catalog,
    exp.DateAdd: _as_date,
    exp.DateSub: _as_date,
    exp.DateTrunc: _as_date,
    exp.Extract: _extract,
    exp.Unnest: _unnest_offset_zero_based,
    exp.DataType: _decimal_precision,
    exp.ArrayAgg: _array_agg_limit,
    exp.IgnoreNulls: _array_agg_limit,
    exp.Literal: _float_literal,
    exp.Struct: _unnamed_struct,
    exp.Format: _format_as_printf,
    exp.FarmFingerprint: _fingerprint_as_hash,
    exp.Create: _strip_storage_properties,
    exp.Insert: _insert_row_by_position,
}


# --- parameters and messages -----------------------------------------------------------------------------


def _parameter_names(tree: exp.Expr, sql: str) -> tuple[str, ...]:
    """Names of the ``@name`` parameters, ordered by first use in the generated SQL."""
    names = {node.name for node in tree.find_all(exp.Parameter)}
    positions = {name: re.search(rf"\${re.escape(name)}\b", sql) for name in names}
    return tuple(sorted(names, key=lambda name: m.start() if (m := positions[name]) else len(sql)))


def _first_parse_error(error: ParseError) -> str:
    """``description at line L, col C near 'highlight'`` of the first error, in one line."""
    if not error.errors:
        return _one_line(error)
    first = error.errors[0]
    return f"{first['description']} at line {first['line']}, col {first['col']} near {first['highlight']!r}"


def _one_line(error: Exception) -> str:
    """The first line of an error message (sqlglot appends multi-line SQL excerpts)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _snippet(node: exp.Expr, limit: int = 80) -> str:
    """A short BigQuery rendering of a node for error messages."""
    text = " ".join(node.sql(dialect="bigquery").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
