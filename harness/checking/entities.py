"""Expected rows: which entities each table must hold on each date, against the ones it holds.

Each table's declared rule (``EntityRule``) yields the expected keys per date. ``read_entities`` compares
them with the table's keys for every table of a phase in one query, and returns per table and date the
counts and the first few missing and unexpected keys. ``read_qualifying`` reads the rules alone (one
query): how many entities qualify per date and the rule's words, which turn a game date on which no
entity meets a processor's minimum into ``NONE_EXPECTED``. ``first_qualifying`` looks past the window for
the first date on which a rule has an entity, so that a window that never exercises a processor says
how far to widen it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from harness.checking.expected import DayState
from harness.declaration.model import Pipeline, Scalar, Table
from harness.declaration.templates import bind, render
from harness.warehouse.base import Connection, to_date

SAMPLE = 5
"""Missing or unexpected keys named per table and date; the rest are counted."""


@dataclass(frozen=True)
class EntityDay:
    """One table on one date: expected entities (those the rule qualifies) against the table's."""

    expected: int
    actual: int
    missing: int
    unexpected: int
    rule: str | None = None
    missing_keys: tuple[tuple[str | None, str], ...] = ()
    """The first ``(context, key)`` pairs expected and absent."""
    unexpected_keys: tuple[tuple[str | None, str], ...] = ()


@dataclass(frozen=True)
class Qualifying:
    """How many entities a rule qualifies on a date, and the rule's words for that date."""

    count: int
    rule: str | None = None


TableDays = dict[date, EntityDay]
RuleDays = dict[date, Qualifying]


def _rule_cte(pipeline: Pipeline, table: Table, index: int) -> tuple[str, dict[str, Scalar]]:
    """``rule_<index> AS (...)``: the table's rule with its parameters renamed for this query."""
    assert table.entities is not None
    sql, params = bind(
        render(table.entities.sql, pipeline.tables, pipeline.sql), table.entities.params, f"e{index}"
    )
    return f"rule_{index} AS (\n{sql.strip()}\n)", params


def _qualifies(table: Table) -> str:
    return "COALESCE(qualifies, FALSE)" if table.entities and table.entities.none_expected else "TRUE"


def _rule_words(table: Table) -> str:
    return "rule" if table.entities and table.entities.none_expected else "CAST(NULL AS STRING)"


def _key(table: Table, alias: str) -> str:
    """The key as one string for messages: the grain's values joined by ``/``."""
    parts = [f"CAST({alias}.{c} AS STRING)" for c in table.grain]
    return parts[0] if len(parts) == 1 else "CONCAT(" + ", '/', ".join(parts) + ")"


def entities_query(pipeline: Pipeline, tables: Sequence[Table]) -> tuple[str, dict[str, Scalar]]:
    """One query for every table with a rule: per table and date a ``day`` row with the counts and the
    rule's words, and up to ``SAMPLE`` ``missing`` and ``unexpected`` rows with a key and its context."""
    ctes, selects, params = [], [], {}
    for i, table in enumerate(tables):
        rule, bound = _rule_cte(pipeline, table, i)
        params.update(bound)
        grain = ", ".join(table.grain)
        context = "context" if table.entities and table.entities.context else "CAST(NULL AS STRING)"
        on = " AND ".join(["a.day = e.day", *(f"a.{c} = e.{c}" for c in table.grain)])
        both = ", ".join(f"COALESCE(e.{c}, a.{c}) AS {c}" for c in table.grain)
        ctes += [
            rule,
            f"expected_{i} AS (SELECT day, {grain}, MIN({context}) AS context FROM rule_{i} "
            f"WHERE {_qualifies(table)} AND day BETWEEN @start AND @end GROUP BY day, {grain})",
            f"actual_{i} AS (SELECT DISTINCT {table.date_column} AS day, {grain} FROM {table.ref} "
            f"WHERE {table.window_filter()})",
            f"keys_{i} AS (SELECT COALESCE(e.day, a.day) AS day, {both}, e.context, e.day IS NOT NULL AS is_expected, "
            f"a.day IS NOT NULL AS is_actual FROM expected_{i} AS e FULL OUTER JOIN actual_{i} AS a ON {on})",
            f"counts_{i} AS (SELECT day, COUNTIF(is_expected) AS expected_n, COUNTIF(is_actual) AS actual_n, "
            "COUNTIF(is_expected AND NOT is_actual) AS missing_n, COUNTIF(is_actual AND NOT is_expected) AS unexpected_n "
            f"FROM keys_{i} GROUP BY day)",
            f"words_{i} AS (SELECT day, MAX({_rule_words(table)}) AS rule FROM rule_{i} "
            f"WHERE day BETWEEN @start AND @end GROUP BY day)",
            f"samples_{i} AS (SELECT day, IF(is_expected, 'missing', 'unexpected') AS kind, {_key(table, 'k')} AS entity, "
            "context, ROW_NUMBER() OVER (PARTITION BY day, is_expected ORDER BY context, "
            f"{_key(table, 'k')}) AS n FROM keys_{i} AS k WHERE is_expected <> is_actual)",
        ]
        selects += [
            f"SELECT '{table.name}' AS table_name, COALESCE(c.day, w.day) AS day, 'day' AS kind, "
            "COALESCE(c.expected_n, 0) AS expected_n, COALESCE(c.actual_n, 0) AS actual_n, "
            "COALESCE(c.missing_n, 0) AS missing_n, COALESCE(c.unexpected_n, 0) AS unexpected_n, w.rule, "
            f"CAST(NULL AS STRING) AS entity, CAST(NULL AS STRING) AS context "
            f"FROM counts_{i} AS c FULL OUTER JOIN words_{i} AS w ON w.day = c.day",
            f"SELECT '{table.name}', day, kind, CAST(NULL AS INT64), CAST(NULL AS INT64), CAST(NULL AS INT64), "
            f"CAST(NULL AS INT64), CAST(NULL AS STRING), entity, context FROM samples_{i} WHERE n <= {SAMPLE}",
        ]
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects), params


def read_entities(
    conn: Connection, pipeline: Pipeline, tables: Sequence[Table], start: date, end: date
) -> dict[str, TableDays]:
    """``{table: {day: EntityDay}}`` for the tables with a rule, every date either side has keys on."""
    ruled = [t for t in tables if t.entities]
    if not ruled:
        return {}
    sql, params = entities_query(pipeline, ruled)
    frame = conn.query(sql, {**params, "start": start, "end": end})
    counts: dict[tuple[str, date], dict[str, Any]] = {}
    samples: dict[tuple[str, date, str], list[tuple[str | None, str]]] = {}
    for row in frame.itertuples(index=False):
        key = (str(row.table_name), to_date(row.day))
        if row.kind == "day":
            counts[key] = {
                "expected": int(row.expected_n), "actual": int(row.actual_n), "missing": int(row.missing_n),
                "unexpected": int(row.unexpected_n), "rule": _text(row.rule),
            }  # fmt: skip
        else:
            samples.setdefault((*key, str(row.kind)), []).append((_text(row.context), str(row.entity)))
    result: dict[str, TableDays] = {t.name: {} for t in ruled}
    for (name, day), values in counts.items():
        result[name][day] = EntityDay(
            **values,
            missing_keys=tuple(sorted(samples.get((name, day, "missing"), []), key=_order)),
            unexpected_keys=tuple(sorted(samples.get((name, day, "unexpected"), []), key=_order)),
        )
    return result


def qualifying_query(pipeline: Pipeline, tables: Sequence[Table]) -> tuple[str, dict[str, Scalar]]:
    """Per table and date: the entities the rule qualifies and its words (tables with a rule only)."""
    ctes, selects, params = [], [], {}
    for i, table in enumerate(tables):
        rule, bound = _rule_cte(pipeline, table, i)
        ctes.append(rule)
        params.update(bound)
        selects.append(
            f"SELECT '{table.name}' AS table_name, day, COUNTIF({_qualifies(table)}) AS qualifying, "
            f"MAX({_rule_words(table)}) AS rule FROM rule_{i} WHERE day BETWEEN @start AND @end GROUP BY day"
        )
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects), params


def read_qualifying(
    conn: Connection, pipeline: Pipeline, tables: Sequence[Table], start: date, end: date
) -> dict[str, RuleDays]:
    """``{table: {day: Qualifying}}`` between ``start`` and ``end`` (one query; tables with a rule)."""
    ruled = [t for t in tables if t.entities]
    result: dict[str, RuleDays] = {t.name: {} for t in ruled}
    if not ruled:
        return result
    sql, params = qualifying_query(pipeline, ruled)
    for row in conn.query(sql, {**params, "start": start, "end": end}).itertuples(index=False):
        result[str(row.table_name)][to_date(row.day)] = Qualifying(int(row.qualifying), _text(row.rule))
    return result


def first_qualifying(
    conn: Connection, pipeline: Pipeline, tables: Sequence[Table], start: date, end: date
) -> dict[str, date | None]:
    """The first date between ``start`` and ``end`` on which each table's rule has an entity, or None."""
    by_table = read_qualifying(conn, pipeline, tables, start, end)
    return {
        name: min((d for d, q in days.items() if q.count), default=None) for name, days in by_table.items()
    }


@dataclass(frozen=True)
class DayStates:
    """A table's day states with the rule's entities: a game date on which no entity qualifies is
    NONE_EXPECTED, with the reason."""

    states: dict[date, DayState]
    reasons: dict[date, str] = field(default_factory=dict)


def with_rules(
    table: Table, states: Mapping[date, DayState], qualifying: Mapping[date, Qualifying]
) -> DayStates:
    """``states`` with each EXPECTED date on which ``table``'s rule qualifies no entity turned into
    NONE_EXPECTED (only for a rule that declares it may, ``none_expected``)."""
    rule = table.entities
    if rule is None or rule.none_expected is None:
        return DayStates(dict(states))
    result, reasons = dict(states), {}
    for day, state in states.items():
        found = qualifying.get(day, Qualifying(0))
        if state is DayState.EXPECTED and not found.count:
            result[day] = DayState.NONE_EXPECTED
            reasons[day] = none_expected_reason(table, found.rule)
    return DayStates(result, reasons)


def none_expected_reason(table: Table, rule_words: str | None) -> str:
    """``none expected: no team has 15 games since 2021-10-01``."""
    assert table.entities is not None and table.entities.none_expected is not None
    if rule_words is None:
        return f"none expected: no candidate {table.entities.noun} before this date"
    return "none expected: " + table.entities.none_expected.format(rule=rule_words)


def describe_keys(keys: Sequence[tuple[str | None, str]], total: int, context: str | None) -> str:
    """``game 20211021_ABC_XYZ: ABC, XYZ; game ...: DEF (+3 more)``: keys grouped by their context."""
    groups: dict[str | None, list[str]] = {}
    for where, key in keys:
        groups.setdefault(where, []).append(key)
    parts = [
        (f"{context} {where}: " if context and where else "") + ", ".join(names)
        for where, names in groups.items()
    ]
    more = f" (+{total - len(keys)} more)" if total > len(keys) else ""
    return "; ".join(parts) + more


def _text(value: object) -> str | None:
    return None if value is None or value != value else str(value)  # NaN from pandas is None here


def _order(pair: tuple[str | None, str]) -> tuple[str, str]:
    return (pair[0] or "", pair[1])
