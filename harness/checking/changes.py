"""What a processor changed in its output table: a snapshot of the window before it writes, then one diff
query per table on the table's grain, and per-date fingerprints outside the window before and after.

The diff compares hashes first: per date the row count and ``BIT_XOR`` of each row's
``FARM_FINGERPRINT``; only the dates whose pair differs are joined on the grain, for rows added, removed
and changed, per-column change counts and a few samples with old and new values. Every value is
compared as ``TO_JSON_STRING``, which BigQuery defines for every type (arrays and structs included) and
which compares where arrays and structs cannot. Columns the declaration lists as rewritten by every run
(``[changes] rewritten_columns``) are left out, or every re-run would change every row.

Where the rows before the run come from (``Before``): a copy of the window's rows beside the table,
``<table>__harness_snapshot_<tag>`` (a copy per processor, so processors running side by side never
share one; the tag is the run id, or ``latest`` on the embedded file, which one run at a time holds), or on
BigQuery the table itself ``FOR SYSTEM_TIME AS OF`` the warehouse's time before the
processor started, which costs no copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from harness.checking.coverage import table_coverage
from harness.declaration.model import Pipeline, Table
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date

OUTSIDE_DAYS = 365
"""How far either side of the window the fingerprints look for rows a processor should not have touched."""
SAMPLES_PER_DATE = 3
"""Sample keys kept per date and kind (added, removed, changed)."""
SNAPSHOT_INFIX = "__harness_snapshot_"
PRE_TEST_STATE = "pre_test_state"
"""The evidence record of the output tables' rows before the run."""
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
Fingerprints = dict[str, tuple[int, int]]
"""``{ISO date: (rows, hash)}`` of a table outside the window."""


@dataclass(frozen=True)
class Before:
    """Where a table's rows before the processor ran are read from."""

    table: str
    source: str
    """SQL to read them from: the snapshot copy's ``dataset.table``, or the table ``FOR SYSTEM_TIME AS OF
    @before_at``."""
    method: str
    """``copy`` or ``time travel``, for the report."""
    columns: tuple[str, ...]
    """The compared columns: every column but the date, the grain and the rewritten ones."""
    outside: Fingerprints
    copy: str | None = None
    """The copy to drop after the diff (None under time travel)."""
    before_at: datetime | None = None
    """The warehouse's clock before the processor started (time travel)."""
    seconds: float = 0.0
    """What taking the snapshot cost."""


@dataclass
class DayChanges:
    """Rows added, removed and changed on one date; for changed rows, how often each column changed."""

    added: int = 0
    removed: int = 0
    changed: int = 0
    columns: dict[str, int] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    """``{kind, key, values: {column: [old, new]}}``; values only for changed rows' changed columns."""


@dataclass
class TableChanges:
    """What one processor's run changed in its table, inside the window and outside it."""

    table: str
    method: str
    days: dict[str, DayChanges] = field(default_factory=dict)
    """By ISO date, only dates where something differs."""
    outside: list[str] = field(default_factory=list)
    """ISO dates outside the window whose row count or hash differ after the run."""
    seconds: float = 0.0
    """Snapshot, diff and fingerprints, together."""

    def describe(self) -> str:
        """``player_game_summary: +0 -0 ~1 rows on 1 date (points 1)``, for the terminal."""
        added = sum(d.added for d in self.days.values())
        removed = sum(d.removed for d in self.days.values())
        changed = sum(d.changed for d in self.days.values())
        columns: dict[str, int] = {}
        for day in self.days.values():
            for name, n in day.columns.items():
                columns[name] = columns.get(name, 0) + n
        top = sorted(columns.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        detail = f" ({', '.join(f'{c} {n}' for c, n in top)})" if top else ""
        dates = len(self.days)
        outside = f"; outside the window on {', '.join(self.outside)}" if self.outside else ""
        plural = "s" if dates != 1 else ""
        return f"{self.table}: +{added} -{removed} ~{changed} rows on {dates} date{plural}{detail}{outside}"

    def to_record(self) -> dict[str, Any]:
        """As JSON-ready data (``summary.json``'s ``changes`` and the processor's record)."""
        return {
            "table": self.table,
            "method": self.method,
            "dates": {
                day: {
                    "added": d.added,
                    "removed": d.removed,
                    "changed": d.changed,
                    "columns": d.columns,
                    "samples": d.samples,
                }
                for day, d in sorted(self.days.items())
            },
            "outside": self.outside,
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TableChanges:
        """What ``to_record`` wrote."""
        days = {day: DayChanges(**d) for day, d in record.get("dates", {}).items()}
        return cls(record["table"], record["method"], days, list(record["outside"]), record["seconds"])


def snapshot_name(table: Table, tag: str) -> str:
    """``dataset.<table>__harness_snapshot_<tag>``: beside the table, so it needs no dataset of its own,
    and per processor and run (``RunContext.snapshot_tag``), so two processors or two runs never share one."""
    suffix = re.sub(r"[^0-9A-Za-z]", "_", tag).lower()
    return f"{table.ref}{SNAPSHOT_INFIX}{suffix}"


def compared_columns(table: Table, columns: Sequence[str], rewritten: Sequence[str]) -> tuple[str, ...]:
    """The columns whose values the diff compares: all but the date, the grain and the rewritten ones."""
    skip = {table.date_column, *table.grain, *rewritten}
    return tuple(c for c in columns if c not in skip)


def _text(column: str) -> str:
    """A value as comparable text: JSON for every type, never NULL (``ARRAY_TO_STRING`` drops NULLs)."""
    return f"COALESCE(TO_JSON_STRING({column}), 'null')"


def _row_hash(texts: Sequence[str]) -> str:
    """One fingerprint of a row's values; ``ARRAY_TO_STRING`` of an array, because the emulator fails a
    ``CONCAT`` of some fifty arguments."""
    return f"FARM_FINGERPRINT(ARRAY_TO_STRING([{', '.join(texts)}], '|'))"


def _key(table: Table) -> str:
    return " || ' / ' || ".join(f"COALESCE(CAST({g} AS STRING), 'NULL')" for g in table.grain) or "''"


def fingerprints_sql(table: Table, columns: Sequence[str], source: str) -> str:
    """Per date outside the window (``@outside_start``..``@outside_end`` but not ``@start``..``@end``), the
    row count and the XOR of the rows' fingerprints (grain and compared columns). The outer range is one
    constant filter on the partition column, which BigQuery prunes by (a range under an OR would not count
    for ``require_partition_filter``)."""
    texts = [_text(c) for c in (*table.grain, *columns)]
    d = table.date_column
    return (
        f"SELECT {d} AS day, COUNT(*) AS row_count, BIT_XOR({_row_hash(texts)}) AS row_hash FROM {source} "
        f"WHERE {table.window_filter('@outside_start', '@outside_end')} AND {d} NOT BETWEEN @start AND @end "
        "GROUP BY 1"
    )


def outside_params(window: Window) -> dict[str, date]:
    """The range ``fingerprints_sql`` reads (a year either side of the window) and the window it skips."""
    span = timedelta(days=OUTSIDE_DAYS)
    return {
        "outside_start": window.start - span,
        "outside_end": window.end + span,
        "start": window.start,
        "end": window.end,
    }


def read_fingerprints(conn: Connection, table: Table, columns: Sequence[str], window: Window) -> Fingerprints:
    """The table's per-date fingerprints outside the window, now."""
    frame = conn.query(fingerprints_sql(table, columns, table.ref), outside_params(window))
    return {to_date(d).isoformat(): (int(n), int(h)) for d, n, h in frame.itertuples(index=False, name=None)}


def touched_outside(before: Fingerprints, after: Fingerprints) -> list[str]:
    """ISO dates whose rows or hash differ, in order."""
    return sorted(day for day in {*before, *after} if before.get(day) != after.get(day))


def diff_sql(table: Table, columns: Sequence[str], before: str) -> str:
    """One query: per-date counts and hashes of the window before (``before``) and now; on the dates that
    differ, the rows joined on the grain. It yields up to ``@samples`` rows per date and kind (added,
    removed, changed) with the row's key and old and new text per column (``o<i>``, ``v<i>``); each row
    also carries its date's counts: ``added``, ``removed``, ``changed``, and ``n<i>``, how many changed
    rows changed column ``i``. (Each column is named as few times as possible: the SQL's length is what
    translating it for DuckDB costs. ``SUM(IF(...))``, as the emulator cannot parse ``COUNTIF ... OVER``.)"""
    d = table.date_column
    numbers = range(len(columns))
    texts = [f"{_text(c)} AS c{i}" for i, c in enumerate(columns)]
    inner = ", ".join([f"{d} AS day", *table.grain, f"{_key(table)} AS row_key", *texts])
    row_hash = _row_hash(["row_key", *(f"c{i}" for i in numbers)])

    def rows(source: str) -> str:
        return (
            f"SELECT *, {row_hash} AS row_hash FROM (SELECT {inner} FROM {source} "
            f"WHERE {d} BETWEEN @start AND @end)"
        )

    on = " AND ".join(["b.day = a.day", *(f"b.{g} = a.{g}" for g in table.grain)])
    pair_values = "".join(f", b.c{i} AS o{i}, a.c{i} AS v{i}" for i in numbers)
    per_day = "OVER (PARTITION BY day)"
    counts = "".join(
        f", SUM(IF(kind = '{CHANGED}' AND o{i} != v{i}, 1, 0)) {per_day} AS n{i}" for i in numbers
    )
    kind = f"CASE WHEN b.row_hash IS NULL THEN '{ADDED}' WHEN a.row_hash IS NULL THEN '{REMOVED}' ELSE '{CHANGED}' END"
    return f"""
WITH before_rows AS ({rows(before)}),
after_rows AS ({rows(table.ref)}),
before_days AS (SELECT day, COUNT(*) AS n, BIT_XOR(row_hash) AS x FROM before_rows GROUP BY day),
after_days AS (SELECT day, COUNT(*) AS n, BIT_XOR(row_hash) AS x FROM after_rows GROUP BY day),
differing AS (
  SELECT COALESCE(b.day, a.day) AS day FROM before_days b FULL OUTER JOIN after_days a ON b.day = a.day
  WHERE b.n IS NULL OR a.n IS NULL OR b.n != a.n OR b.x != a.x
),
pairs AS (
  SELECT COALESCE(a.day, b.day) AS day, COALESCE(a.row_key, b.row_key) AS row_key, {kind} AS kind{pair_values}
  FROM (SELECT * FROM before_rows WHERE day IN (SELECT day FROM differing)) b
  FULL OUTER JOIN (SELECT * FROM after_rows WHERE day IN (SELECT day FROM differing)) a ON {on}
  WHERE b.row_hash IS NULL OR a.row_hash IS NULL OR b.row_hash != a.row_hash
),
counted AS (
  SELECT *, SUM(IF(kind = '{ADDED}', 1, 0)) {per_day} AS added,
    SUM(IF(kind = '{REMOVED}', 1, 0)) {per_day} AS removed,
    SUM(IF(kind = '{CHANGED}', 1, 0)) {per_day} AS changed{counts},
    ROW_NUMBER() OVER (PARTITION BY day, kind ORDER BY row_key) AS position
  FROM pairs
)
SELECT * FROM counted WHERE position <= @samples
"""


def diff_params(window: Window, before_at: datetime | None) -> dict[str, Any]:
    """``diff_sql``'s parameters (``@before_at`` only under time travel)."""
    params: dict[str, Any] = {"start": window.start, "end": window.end, "samples": SAMPLES_PER_DATE}
    if before_at is not None:
        params["before_at"] = before_at
    return params


def read_diff(conn: Connection, table: Table, before: Before, window: Window) -> dict[str, DayChanges]:
    """``{ISO date: DayChanges}`` of the dates where the window's rows differ from ``before``'s."""
    frame = conn.query(diff_sql(table, before.columns, before.source), diff_params(window, before.before_at))
    return days_from_frame(frame, before.columns)


def days_from_frame(frame: Any, columns: Sequence[str]) -> dict[str, DayChanges]:
    """The diff query's rows as ``DayChanges`` per date: every row carries its date's counts, and is a
    sample (a changed row's sample lists only the columns that changed, with old and new text)."""
    days: dict[str, DayChanges] = {}
    for row in frame.to_dict("records"):
        day = days.setdefault(to_date(row["day"]).isoformat(), DayChanges())
        day.added, day.removed, day.changed = int(row["added"]), int(row["removed"]), int(row["changed"])
        day.columns = {c: int(row[f"n{i}"]) for i, c in enumerate(columns) if row[f"n{i}"]}
        values = {
            c: [row[f"o{i}"], row[f"v{i}"]]
            for i, c in enumerate(columns)
            if row["kind"] == CHANGED and row[f"o{i}"] != row[f"v{i}"]
        }
        day.samples.append({"kind": row["kind"], "key": row["row_key"], "values": values})
    for day in days.values():
        day.samples.sort(key=lambda s: (s["kind"], s["key"]))
    return days


def window_rows_sql(table: Table) -> str:
    """The window's rows of ``table``: what the copy holds, and what it is billed for."""
    return f"SELECT * FROM {table.ref} WHERE {table.date_column} BETWEEN @start AND @end"


def copy_sql(table: Table, copy: str) -> str:
    """The window's rows copied beside the table; on BigQuery the copy expires after a day even if the run
    dies before dropping it (DuckDB ignores the option)."""
    return (
        f"CREATE TABLE {copy} "
        "OPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY)) "
        f"AS {window_rows_sql(table)}"
    )


def time_travel_source(table: Table) -> str:
    """The table as it was at ``@before_at`` (BigQuery keeps every table's history for its time-travel
    window, seven days by default and at least two)."""
    return f"{table.ref} FOR SYSTEM_TIME AS OF @before_at"


def change_problems(changes: TableChanges, expect_no_changes: bool) -> list[str]:
    """Why the processor fails on what it changed: any date outside the window; under
    ``--expect-no-changes`` any row in it."""
    problems = []
    if changes.outside:
        problems.append(
            f"{changes.table}: rows changed outside the window on {', '.join(changes.outside)}; "
            "a backfill must not touch dates it was not asked for"
        )
    if expect_no_changes and changes.days:
        problems.append(
            f"--expect-no-changes: {changes.describe()}, on {', '.join(sorted(changes.days))}; "
            "a re-run of a complete window should change nothing"
        )
    return problems


def pre_test_state(conn: Connection, pipeline: Pipeline, window: Window) -> dict[str, dict[str, int]]:
    """``{table: {ISO date: rows}}`` of every output table in the window before anything runs: the
    gameplan's "Pre-Test State" table (one query, as coverage counts)."""
    tables = list({p.output: pipeline.output_table(p) for p in pipeline.processors.values()}.values())
    counts = table_coverage(conn, tables, window)
    return {name: {d.isoformat(): n for d, n in sorted(days.items())} for name, days in counts.items()}
