"""The full-season estimate: the gameplan's "~180 dates x ~2 min/date = ~6 hours", computed from what
this run measured, per processor and game date, scaled to the game dates of the window's seasons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from harness.running.backfill import Backfill


@dataclass(frozen=True)
class Estimate:
    """The full-season estimate of one season, from this run's measured seconds per game date."""

    season: str
    season_game_dates: int
    seconds_per_date: dict[str, float]
    """Measured wall time of each processor divided by the game dates it was asked for."""
    sequential_seconds: float
    """Every processor one after the other, as the gameplan's Option B."""
    parallel_seconds: float
    """Processors of one dependency level at the same time: the sum over levels of the slowest."""

    @property
    def per_date_seconds(self) -> float:
        """Seconds per game date of all processors together."""
        return sum(self.seconds_per_date.values())

    def describe(self) -> str:
        """One line for the terminal and the report."""
        return (
            f"full season {self.season}: {self.season_game_dates} game dates x {self.per_date_seconds:.1f} s per date "
            f"= {_duration(self.sequential_seconds)} one processor at a time, "
            f"{_duration(self.parallel_seconds)} with independent processors in parallel"
        )


def estimate(
    season: str,
    season_game_dates: int,
    outcomes: Sequence[Backfill],
    window_game_dates: Sequence[date],
    levels: Mapping[str, int],
) -> Estimate | None:
    """None when no processor ran on a game date (verify mode, or nothing missing)."""
    games = set(window_game_dates)
    per_date = {}
    for outcome in outcomes:
        dates = games.intersection(outcome.dates)
        if outcome.result is not None and dates:
            per_date[outcome.name] = outcome.result.duration / len(dates)
    if not per_date:
        return None
    slowest: dict[int, float] = {}
    for name, seconds in per_date.items():
        level = levels.get(name, 0)
        slowest[level] = max(slowest.get(level, 0.0), seconds)
    return Estimate(
        season=season,
        season_game_dates=season_game_dates,
        seconds_per_date=per_date,
        sequential_seconds=sum(per_date.values()) * season_game_dates,
        parallel_seconds=sum(slowest.values()) * season_game_dates,
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
