"""The small frames the expectation suites validate, one shape per check family.

Every frame has a ``subject`` column (the chain, table or processor a message is about) and a ``day``
column of plain dates; the suites in ``expectations/`` name the other columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from harness.checking.chains import ChainResult
from harness.checking.entities import EntityDay, describe_keys
from harness.checking.expected import DayState
from harness.checking.history import LatestRun
from harness.checking.reconcile import CheckDay
from harness.declaration.model import Table

if TYPE_CHECKING:
    import pandas as pd

NO_HISTORY = "none"
EXEMPT = "exempt"
"""A bootstrap date without run history: the backfill scripts skip it before any run tracking."""


def chains_frame(results: Mapping[str, ChainResult]) -> pd.DataFrame:
    """One row per chain and game date: its status, games, missing games and fallbacks."""
    import pandas as pd

    rows = [
        {
            "subject": name,
            "severity": result.chain.severity,
            "day": day.day,
            "status": day.status.value,
            "games": day.games,
            "missing_count": len(day.missing_games),
            "missing_games": ", ".join(day.missing_games),
            "fallbacks": ", ".join(day.fallbacks),
        }
        for name, result in results.items()
        for day in result.days
    ]
    return pd.DataFrame(rows, columns=_columns(rows, "severity", "status"))


def coverage_frame(
    tables: Sequence[Table],
    counts: Mapping[str, Mapping[date, int]],
    states: Mapping[str, Mapping[date, DayState]],
) -> pd.DataFrame:
    """One row per table and calendar day: its state and how many rows it holds."""
    import pandas as pd

    rows = [
        {
            "subject": table.name,
            "day": day,
            "state": state.value,
            "row_count": counts[table.name].get(day, 0),
            "placeholders": table.bootstrap_placeholders,
        }
        for table in tables
        for day, state in states[table.name].items()
    ]
    return pd.DataFrame(rows, columns=_columns(rows, "state", "row_count", "placeholders"))


def history_frame(
    runs: Mapping[str, Mapping[date, LatestRun]],
    states: Mapping[str, Mapping[date, DayState]],
    lock_minutes: Mapping[str, int | None],
) -> pd.DataFrame:
    """One row per processor (that writes run history) and game date: its latest run's status, ``exempt``
    on a bootstrap date of a processor the scripts skip there, or ``none`` when no run is recorded.
    ``states`` are the days of each processor's output table; ``explanation`` says what a problem means
    and what to do."""
    import pandas as pd

    rows = []
    for processor, by_day in runs.items():
        for day, state in states[processor].items():
            if state is DayState.NO_GAMES:
                continue
            run = by_day.get(day)
            status = run.status if run else (EXEMPT if state is DayState.EXEMPT else NO_HISTORY)
            rows.append(
                {
                    "subject": processor,
                    "day": day,
                    "status": status,
                    "run_id": run.run_id if run else "",
                    "errors": (run.errors or "no error recorded") if run else "",
                    "explanation": (run.explained(lock_minutes.get(processor)) or "") if run else "",
                }
            )
    return pd.DataFrame(rows, columns=_columns(rows, "status", "run_id", "errors", "explanation"))


def entities_frame(
    tables: Sequence[Table],
    entities: Mapping[str, Mapping[date, EntityDay]],
    states: Mapping[str, Mapping[date, DayState]],
    reasons: Mapping[str, Mapping[date, str]],
) -> pd.DataFrame:
    """One row per table with a rule and game date it is judged on (EXPECTED or NONE_EXPECTED): expected
    and actual entities, how many are missing or unexpected, and the first of each in words."""
    import pandas as pd

    rows = []
    for table in tables:
        if table.entities is None:
            continue
        noun, context = table.entities.noun, table.entities.context
        for day, state in states[table.name].items():
            if state not in (DayState.EXPECTED, DayState.NONE_EXPECTED):
                continue
            found = entities.get(table.name, {}).get(day, EntityDay(0, 0, 0, 0))
            reason = reasons.get(table.name, {}).get(day)
            rows.append(
                {
                    "subject": table.name,
                    "day": day,
                    "state": state.value,
                    "expected": found.expected,
                    "actual": found.actual,
                    "missing": found.missing,
                    "unexpected": found.unexpected,
                    "noun": noun,
                    "missing_keys": describe_keys(found.missing_keys, found.missing, context),
                    "unexpected_keys": describe_keys(found.unexpected_keys, found.unexpected, context),
                    "note": f"; {reason}" if reason else "",
                }
            )
    return pd.DataFrame(rows, columns=_columns(rows, "state", "expected", "actual", "missing", "unexpected"))


def reconciliation_frame(checks: Sequence[CheckDay]) -> pd.DataFrame:
    """One row per reconciliation and date: keys compared and differing, the first differences in words."""
    import pandas as pd

    rows = [
        {
            "subject": c.table,
            "column_name": c.check.column,
            "day": c.day,
            "source": c.check.source,
            "compared": c.compared,
            "differing": c.differing,
            "first": ", ".join(f"{m.key} {m.actual}, the source {m.expected}" for m in c.first)
            + (f" (+{c.differing - len(c.first)} more)" if c.differing > len(c.first) else ""),
        }
        for c in checks
    ]
    return pd.DataFrame(rows, columns=_columns(rows, "column_name", "compared", "differing"))


def _columns(rows: Sequence[Mapping[str, object]], *names: str) -> list[str]:
    """Column order, so that an empty frame still has every column the suite names."""
    return list(rows[0]) if rows else ["subject", "day", *names]
