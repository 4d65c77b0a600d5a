"""Each table's day states with its entity rule, and whether the window exercises its processor.

``day_states`` knows the schedule and bootstrap; a table whose processor writes only the entities that
meet a minimum (``none_expected``) also has NONE_EXPECTED dates, which take one query over the rules of
the tables asked about (``table_states``). ``unexercised`` tells the tables on which the window expects
no entity on any date it judges, and the first date after the window on which it would, so that the
person can widen the window instead of reading a READY verdict that says little about that processor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from harness.checking.entities import DayStates, Qualifying, RuleDays, read_qualifying, with_rules
from harness.checking.expected import DayState, day_states
from harness.context.run import RunContext
from harness.declaration.model import Table
from harness.warehouse.base import Connection


def has_minimum(table: Table) -> bool:
    """Whether the table's rule may leave a date without any entity (a processor's minimum)."""
    return table.entities is not None and table.entities.none_expected is not None


def table_states(conn: Connection, run: RunContext, tables: Sequence[Table]) -> dict[str, DayStates]:
    """The day states of ``tables`` in the window, NONE_EXPECTED dates included (one query, issued only
    when one of them has a minimum)."""
    ruled = [t for t in tables if has_minimum(t)]
    qualifying = read_qualifying(conn, run.pipeline, ruled, run.window.start, run.window.end) if ruled else {}
    return {
        t.name: with_rules(t, day_states(t, run.window, run.game_dates), qualifying.get(t.name, {}))
        for t in tables
    }


@dataclass(frozen=True)
class Unexercised:
    """A table with no expected entity on any date the window judges, and where one first appears."""

    table: str
    dates: int
    """Game dates of the window the table is judged on (past bootstrap)."""
    reason: str
    """The rule's reason on the window's last judged date."""
    first: date | None
    """The first date after the window, in its last season, on which the rule has an entity."""
    window_start: date
    season_end: date

    @property
    def message(self) -> str:
        """One line: what the window does not test, and how far to widen it."""
        head = (
            f"{self.table}: the window does not exercise it: none of its {self.dates} judged game dates "
            f"expects a row ({self.reason.removeprefix('none expected: ')})"
        )
        if self.first is None:
            return f"{head}; no date of the season up to {self.season_end} has one"
        return (
            f"{head}; the first date with one is {self.first}: widen the window "
            f"(--window {self.window_start}:{self.first})"
        )

    def to_record(self) -> dict[str, object]:
        """For the sign-off in another process and ``summary.json``."""
        return {
            "table": self.table, "dates": self.dates, "reason": self.reason, "message": self.message,
            "first_date_with_entities": self.first.isoformat() if self.first else None,
        }  # fmt: skip


def unexercised(conn: Connection, run: RunContext, tables: Sequence[Table]) -> list[Unexercised]:
    """The tables among ``tables`` (those with a minimum) that expect no entity on any game date of the
    window they are judged on; one query over the window and the rest of its last season."""
    window = run.window
    season_end = max(window.seasons[-1].last_day if window.seasons else window.end, window.end)
    judged = {
        t.name: days
        for t in tables
        if has_minimum(t) and (days := judged_days(day_states(t, window, run.game_dates)))
    }
    if not judged:
        return []
    start = min(days[0] for days in judged.values())
    found = read_qualifying(conn, run.pipeline, [run.pipeline.tables[n] for n in judged], start, season_end)
    after = window.end + timedelta(days=1)
    result = []
    for name, days in judged.items():
        rules: RuleDays = found.get(name, {})
        if any(rules.get(d, Qualifying(0)).count for d in days):
            continue
        reason = with_rules(run.pipeline.tables[name], {days[-1]: DayState.EXPECTED}, rules).reasons[days[-1]]
        first = min((d for d, q in rules.items() if q.count and d >= after), default=None)
        result.append(Unexercised(name, len(days), reason, first, window.start, season_end))
    return result


def judged_days(states: dict[date, DayState]) -> list[date]:
    """The game dates a table is judged on: EXPECTED, or NONE_EXPECTED by its rule (not bootstrap)."""
    return sorted(d for d, s in states.items() if s in (DayState.EXPECTED, DayState.NONE_EXPECTED))
