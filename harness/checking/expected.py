"""Which dates of the window each output table must have rows on, from its declaration.

The gameplan counts distinct dates and compares with 28; that is wrong twice over: a window holds fewer
game dates than calendar days, and Phase 4 writes nothing during each season's bootstrap period. Each
(table, date) pair gets a state here, and the coverage checks and the report read the states.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from harness.declaration.model import Table
from harness.declaration.window import Window


class DayState(enum.Enum):
    """What a table must hold on one calendar day of the window."""

    EXPECTED = "expected"
    """A game date the table must have rows on."""
    EXEMPT = "exempt"
    """A bootstrap game date of an ``after_bootstrap`` table: no rows expected, shown as EXEMPT."""
    NONE_EXPECTED = "none_expected"
    """A game date on which no entity meets the processor's minimum (its rule says why): no rows are
    expected, and none are missing; its run history still is."""
    NO_GAMES = "no_games"
    """No final game that day."""


def day_states(table: Table, window: Window, game_dates: Iterable[date]) -> dict[date, DayState]:
    """The state of every calendar day of the window for ``table``."""
    games = set(game_dates)
    states = {}
    for day in window.dates():
        if day not in games:
            states[day] = DayState.NO_GAMES
        elif table.expected_dates == "after_bootstrap" and window.is_bootstrap(day):
            states[day] = DayState.EXEMPT
        else:
            states[day] = DayState.EXPECTED
    return states


def history_days(states: Mapping[date, DayState]) -> list[date]:
    """The game dates on which a processor of the table must leave a final run-history row: every game
    date but the EXEMPT ones (the backfill scripts skip bootstrap dates before any run tracking)."""
    return sorted(d for d, s in states.items() if s not in (DayState.NO_GAMES, DayState.EXEMPT))


def expected_days(states: Mapping[date, DayState]) -> list[date]:
    """The days a table must have rows on, in order."""
    return sorted(d for d, s in states.items() if s is DayState.EXPECTED)


def missing_days(states: Mapping[date, DayState], rows: Mapping[date, int]) -> list[date]:
    """Expected dates without rows."""
    return [d for d in expected_days(states) if not rows.get(d)]


def describe_days(days: Sequence[date], limit: int = 10) -> str:
    """``2021-10-25, 2021-10-26`` or the first ``limit`` and ``(+N more)``."""
    shown = ", ".join(d.isoformat() for d in days[:limit])
    return shown + (f" (+{len(days) - limit} more)" if len(days) > limit else "")
