"""Reading and checking the declaration's SQL rules: ``[sql]`` blocks, each table's ``entities`` (the
entities it must hold per date) and ``reconcile`` (columns that must equal their source).

A rule is checked when the declaration loads, before anything runs: every ``{name}`` it uses resolves,
it yields the columns the harness reads (``day``, the table's grain, and the rule's own columns), and
every ``@parameter`` it reads is the window's or one it declares. sqlglot parses the rule as BigQuery
SQL for that, so a typo is one line naming the table and the key, not a failed query an hour later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from harness.declaration.model import EntityRule, Reconciliation, Scalar, Table
from harness.declaration.templates import WINDOW_PARAMS, render
from harness.errors import ConfigError

Problem = Callable[[str, str], None]
"""Records one problem: the key, and what to do."""

PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ENTITY_KEYS = {"sql", "noun", "context", "none_expected", "params"}
RECONCILE_KEYS = {"column", "source", "sql"}


def sql_blocks(spec: Any, problem: Problem) -> dict[str, str]:
    """``[sql]``: named blocks of SQL that rules include as ``{name}``."""
    if not isinstance(spec, dict) or not all(isinstance(v, str) for v in spec.values()):
        problem("sql", 'expected `name = """SELECT ..."""` entries')
        return {}
    return dict(spec)


def entity_rule(where: str, spec: Any, problem: Problem) -> EntityRule | None:
    """``[tables.X.entities]``: ``sql`` and ``noun``, optionally ``context``, ``none_expected`` and
    ``params``."""
    if spec is None:
        return None
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("sql"), str)
        or not isinstance(spec.get("noun"), str)
    ):
        problem(where, 'expected `{ noun = "teams", sql = """SELECT day, <grain columns> ..."""` }')
        return None
    for key in sorted(set(spec) - ENTITY_KEYS):
        problem(f"{where}.{key}", "unknown key; remove it or fix its spelling")
    for key in ("context", "none_expected"):
        if not isinstance(spec.get(key, ""), str):
            problem(f"{where}.{key}", "expected a string")
    none_expected = spec.get("none_expected") or None
    if none_expected and "{rule}" not in none_expected:
        problem(f"{where}.none_expected", 'expected a reason with {rule}, e.g. "no team has {rule}"')
    return EntityRule(
        sql=spec["sql"],
        noun=spec["noun"],
        context=spec.get("context") or None,
        none_expected=none_expected,
        params=_params(f"{where}.params", spec.get("params", {}), problem),
    )


def reconciliations(where: str, spec: Any, problem: Problem) -> tuple[Reconciliation, ...]:
    """``[[tables.X.reconcile]]``: each a ``column``, its ``source`` in words and the ``sql`` for it."""
    if not isinstance(spec, list):
        problem(where, "expected `[[tables.X.reconcile]]` entries with column, source and sql")
        return ()
    found = []
    for i, item in enumerate(spec):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in RECONCILE_KEYS):
            problem(f"{where}[{i}]", 'expected `{ column = NAME, source = "the gamebook", sql = """..."""` }')
            continue
        for key in sorted(set(item) - RECONCILE_KEYS):
            problem(f"{where}[{i}].{key}", "unknown key; remove it or fix its spelling")
        if not PLAIN_NAME.fullmatch(item["column"]):
            problem(f"{where}[{i}].column", f"{item['column']!r} is not a plain identifier; fix it")
            continue
        found.append(Reconciliation(item["column"], item["source"], item["sql"]))
    return tuple(found)


def _params(where: str, spec: Any, problem: Problem) -> dict[str, Scalar]:
    if not isinstance(spec, dict):
        problem(where, "expected `{ name = VALUE, ... }`")
        return {}
    params: dict[str, Scalar] = {}
    for name, value in spec.items():
        if name in WINDOW_PARAMS or not name.isidentifier():
            problem(
                f"{where}.{name}",
                f"not a usable parameter name ({', '.join(WINDOW_PARAMS)} are the window's)",
            )
        elif not isinstance(value, int | float | str | bool):
            problem(f"{where}.{name}", f"expected a number, string or boolean, got {value!r}")
        else:
            params[name] = value
    return params


def check_rules(tables: Mapping[str, Table], blocks: Mapping[str, str], problem: Problem) -> None:
    """Every rule of every table renders, parses and yields what the harness reads from it."""
    for table in tables.values():
        if table.entities:
            rule = table.entities
            _check(
                f"tables.{table.name}.entities.sql", rule.sql, tables, blocks, problem,
                wanted=("day", *table.grain, *rule.columns), params=rule.params,
            )  # fmt: skip
        for i, check in enumerate(table.reconcile):
            where = f"tables.{table.name}.reconcile[{i}].sql"
            _check(
                where, check.sql, tables, blocks, problem, wanted=("day", *table.grain, "value"), params={}
            )


def _check(
    where: str,
    sql: str,
    tables: Mapping[str, Table],
    blocks: Mapping[str, str],
    problem: Problem,
    wanted: tuple[str, ...],
    params: Mapping[str, Scalar],
) -> None:
    import sqlglot
    from sqlglot import exp

    try:
        rendered = render(sql, tables, blocks)
    except ConfigError as exc:
        problem(where, str(exc))
        return
    try:
        tree = sqlglot.parse_one(rendered, read="bigquery")
    except sqlglot.errors.ParseError as exc:
        problem(where, f"not valid BigQuery SQL ({str(exc).splitlines()[0]}); fix it")
        return
    if not isinstance(tree, exp.Query):
        problem(where, "expected a SELECT query; write one")
        return
    yielded = [name.lower() for name in tree.named_selects]
    absent = [c for c in wanted if c.lower() not in yielded]
    if absent:
        problem(
            where, f"yields {', '.join(yielded) or 'no named column'}; it must also yield {', '.join(absent)}"
        )
    used = {node.name for node in tree.find_all(exp.Parameter) if isinstance(node.this, exp.Var)}
    unknown = sorted(used - {*WINDOW_PARAMS, *params})
    if unknown:
        problem(
            where, f"reads @{', @'.join(unknown)}; declare {'it' if len(unknown) == 1 else 'them'} in params"
        )
