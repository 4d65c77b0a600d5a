"""A reader of BigQuery SQL that finds reads of partitioned tables without a constant filter on the
partition column, which BigQuery refuses on a table with ``require_partition_filter`` and bills in full on
any other (issue 14, item 1).

A read is filtered when the SELECT (or DELETE) that reads the table has, in its WHERE or in the table's own
JOIN condition, a conjunct comparing the table's partition column with an expression that holds no column:
literals, ``@parameters`` and functions of them (``DATE_SUB(@start, INTERVAL 400 DAY)``), which BigQuery
evaluates before it reads and uses to prune. A join predicate such as ``o.game_date < d.game_date`` prunes
nothing and does not count; nor does a conjunct under an OR.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

COMPARISONS = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In)


@dataclass(frozen=True)
class Partitioning:
    """``{dataset.table: partition column}`` of tables and of the views over them, and which tables
    require a filter."""

    columns: dict[str, str]
    required: frozenset[str]


def _ref(table: exp.Table) -> str:
    return f"{table.db}.{table.name}".lower()


def partitioning_of_ddl(ddl: str) -> Partitioning:
    """The partitioning the DDL states (``PARTITION BY col``, ``require_partition_filter``); a view reading a
    partitioned table is partitioned like it (BigQuery pushes a filter on that column into the view)."""
    columns: dict[str, str] = {}
    required: set[str] = set()
    for tree in sqlglot.parse(ddl, read="bigquery"):
        if not isinstance(tree, exp.Create):
            continue
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        ref = _ref(target)
        if str(tree.args.get("kind", "")).upper() == "VIEW":
            read = next(iter(tree.expression.find_all(exp.Table)))
            if _ref(read) in columns:
                columns[ref] = columns[_ref(read)]
            continue
        partition = tree.find(exp.PartitionedByProperty)
        if partition is not None:
            columns[ref] = (
                partition.this.name if isinstance(partition.this, exp.Column) else partition.this.sql()
            )
        for prop in tree.find_all(exp.Property):
            if prop.name.lower() == "require_partition_filter" and prop.args["value"].sql().upper() == "TRUE":
                required.add(ref)
    return Partitioning(columns, frozenset(required))


def _constant(node: exp.Expression) -> bool:
    return node.find(exp.Column) is None and node.find(exp.Select) is None


def _conjuncts(condition: exp.Expression | None) -> Iterable[exp.Expression]:
    if condition is None:
        return []
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    if isinstance(condition, exp.And):
        return [*_conjuncts(condition.left), *_conjuncts(condition.right)]
    return [condition]


def _filters(predicate: exp.Expression, names: set[str], column: str, alone: bool) -> bool:
    """Whether ``predicate`` compares the partition column of the table called ``names`` with constants."""
    if not isinstance(predicate, COMPARISONS):
        return False
    sides = [predicate.this]
    others: list[exp.Expression] = []
    if isinstance(predicate, exp.Between):
        others = [predicate.args["low"], predicate.args["high"]]
    elif isinstance(predicate, exp.In):
        if predicate.args.get("query") is not None:
            return False
        others = list(predicate.expressions) or (
            [predicate.args["unnest"]] if predicate.args.get("unnest") else []
        )
    else:
        sides, others = [predicate.this, predicate.expression], []
    for i, side in enumerate(sides):
        rest = others or [s for j, s in enumerate(sides) if j != i]
        if (
            isinstance(side, exp.Column)
            and side.name.lower() == column
            and (side.table.lower() in names or (not side.table and alone))
            and rest
            and all(_constant(other) for other in rest)
        ):
            return True
    return False


def unfiltered_reads(sql: str, partitioning: Partitioning) -> list[str]:
    """``dataset.table (alias)`` of each read of a partitioned table without a constant partition filter."""
    found = []
    for tree in sqlglot.parse(sql, read="bigquery"):
        if tree is None:
            continue
        for table in tree.find_all(exp.Table):
            ref = _ref(table)
            column = partitioning.columns.get(ref)
            if column is None or isinstance(table.parent, (exp.Schema, exp.Create)):
                continue
            if isinstance(table.parent, exp.Insert) and table.arg_key == "this":
                continue  # the target of an INSERT is written, not read
            names = {table.alias_or_name.lower(), table.name.lower()}
            scope = table.parent
            conditions: list[exp.Expression | None] = []
            if isinstance(scope, exp.Join):
                conditions.append(scope.args.get("on"))
                scope = scope.parent
            elif isinstance(scope, exp.From):
                scope = scope.parent
            if not isinstance(scope, (exp.Select, exp.Delete)):
                found.append(f"{ref} ({table.alias_or_name}): read outside a SELECT")
                continue
            where = scope.args.get("where")
            conditions.append(where.this if where is not None else None)
            # An unqualified column names this table when it is the only relation (UNNEST is not one).
            joins = [j for j in scope.args.get("joins") or () if not isinstance(j.this, exp.Unnest)]
            alone = isinstance(scope, exp.Delete) or not joins
            if not any(
                _filters(conjunct, names, column.lower(), alone)
                for condition in conditions
                for conjunct in _conjuncts(condition)
            ):
                found.append(f"{ref} ({table.alias_or_name}) without a constant filter on {column}")
    return found


def check_all(statements: Mapping[str, str], partitioning: Partitioning) -> list[str]:
    """``what: problem`` for every unfiltered read in ``{what: sql}``."""
    return [
        f"{what}: {problem}"
        for what, sql in statements.items()
        for problem in unfiltered_reads(sql, partitioning)
    ]
