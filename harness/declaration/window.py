"""The backfill window: an inclusive range of dates, and what the declared seasons say about it.

Window maths is pure: which season a date belongs to, its opener, and whether it falls in the season's
bootstrap period (days 0 .. bootstrap_days-1 after the opener, when Phase 4 writes nothing). Expected game
dates come from the schedule table, so they live in ``harness.checking.schedule``, not here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from harness.declaration.model import Season
from harness.errors import WindowError


@dataclass(frozen=True)
class Window:
    """Inclusive [start, end] dates of a backfill, with the seasons it touches."""

    start: date
    end: date
    seasons: tuple[Season, ...]
    bootstrap_days: int

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def days(self) -> int:
        """Calendar days in the window, both ends included."""
        return (self.end - self.start).days + 1

    def dates(self) -> Iterator[date]:
        """Every calendar day of the window, in order."""
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)

    def season_of(self, day: date) -> Season | None:
        """The declared season ``day`` falls in, or None."""
        return next((s for s in self.seasons if s.opener <= day <= s.last_day), None)

    def is_bootstrap(self, day: date) -> bool:
        """Days 0-13 of a season (BOOTSTRAP_DAYS = 14 from the real opener): Phase 4 is exempt."""
        season = self.season_of(day)
        return season is not None and 0 <= (day - season.opener).days < self.bootstrap_days

    def split_bootstrap(self, days: Sequence[date]) -> tuple[list[date], list[date]]:
        """(bootstrap days, normal days) among ``days``, order kept."""
        boot = [d for d in days if self.is_bootstrap(d)]
        return boot, [d for d in days if not self.is_bootstrap(d)]


def parse_window(
    text: str, seasons: Sequence[Season], bootstrap_days: int, today: date, max_days: int | None = None
) -> Window:
    """Parse ``START:END`` (inclusive ISO dates) or a single ``DATE``.

    Raises:
        WindowError: malformed, reversed or future windows, windows outside the declared seasons, and
            windows longer than ``max_days`` (a typo in a year backfills years, so long ones are asked for).
    """
    parts = text.strip().split(":")
    if len(parts) not in (1, 2) or not all(parts):
        raise WindowError(
            f"--window {text!r}: expected START:END or DATE, e.g. --window 2021-10-19:2021-11-15"
        )
    try:
        start, end = (date.fromisoformat(part.strip()) for part in (parts[0], parts[-1]))
    except ValueError:
        raise WindowError(
            f"--window {text!r}: dates must be YYYY-MM-DD, e.g. --window 2021-10-19:2021-11-15"
        ) from None
    if end < start:
        raise WindowError(f"--window {text!r}: END is before START; swap them ({end}:{start})")
    if end >= today:
        raise WindowError(
            f"--window {text!r}: ends on or after today ({today}); backfills cover past dates only"
        )
    days = (end - start).days + 1
    if max_days is not None and days > max_days:
        raise WindowError(
            f"--window {text!r} spans {days} days, more than {max_days}; "
            f"pass --max-window-days {days} if you mean it"
        )
    touched = tuple(s for s in seasons if s.opener <= end and start <= s.last_day)
    for day in (start, end):
        if not any(s.opener <= day <= s.last_day for s in seasons):
            declared = ", ".join(f"{s.opener}..{s.last_day}" for s in seasons) or "none"
            raise WindowError(
                f"--window {text!r}: {day} is outside the declared seasons ({declared}); "
                "choose dates inside a season or declare it in pipeline.toml [seasons]"
            )
    return Window(start=start, end=end, seasons=touched, bootstrap_days=bootstrap_days)
