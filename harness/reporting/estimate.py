"""The full-season estimate: the gameplan's "~180 dates x ~2 min/date = ~6 hours", computed from what
this run measured, per processor and game date, scaled to the game dates of the window's seasons. On
BigQuery the same scaling applies to the bytes each processor's jobs were billed and their slot time, as
INFORMATION_SCHEMA.JOBS reports them (``harness.running.billing``): measured for the window, estimated
for the season, priced at the declared on-demand price per TiB."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from harness.running.backfill import Backfill
from harness.running.billing import Usage

TIB = 2**40
SLOT_MS_PER_HOUR = 3_600_000


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
    bytes_per_date: dict[str, float] = field(default_factory=dict)
    """Bytes billed per game date of each processor whose jobs JOBS reported (empty: not measured)."""
    slot_ms_per_date: dict[str, float] = field(default_factory=dict)
    usd_per_tib: float = 0.0
    price_as_of: str = ""

    @property
    def season_bytes(self) -> float:
        """Bytes the season would bill on demand: the measured bytes per game date times its game dates."""
        return sum(self.bytes_per_date.values()) * self.season_game_dates

    @property
    def season_usd(self) -> float:
        """The season's on-demand cost at the declared price per TiB."""
        return self.season_bytes / TIB * self.usd_per_tib

    @property
    def season_slot_hours(self) -> float:
        """The season's slot time (what capacity pricing bills), in slot-hours."""
        return sum(self.slot_ms_per_date.values()) * self.season_game_dates / SLOT_MS_PER_HOUR

    def describe_cost(self) -> str | None:
        """One line of bytes, cost and slot-hours, or None when nothing was measured."""
        if not self.bytes_per_date:
            return None
        return (
            f"full season {self.season}: {self.season_bytes / 2**30:,.1f} GiB billed "
            f"(${self.season_usd:,.2f} on demand at ${self.usd_per_tib:g} per TiB, price of {self.price_as_of}), "
            f"{self.season_slot_hours:,.1f} slot-hours; measured per game date from INFORMATION_SCHEMA.JOBS"
        )

    @property
    def per_date_seconds(self) -> float:
        """Seconds per game date of all processors together."""
        return sum(self.seconds_per_date.values())

    def describe(self) -> str:
        """One line for the terminal and the report (with the billing when it was measured)."""
        line = (
            f"full season {self.season}: {self.season_game_dates} game dates x {self.per_date_seconds:.1f} s per date "
            f"= {_duration(self.sequential_seconds)} one processor at a time, "
            f"{_duration(self.parallel_seconds)} with independent processors in parallel"
        )
        cost = self.describe_cost()
        return f"{line}; {cost.split(': ', 1)[1]}" if cost else line


def estimate(
    season: str,
    season_game_dates: int,
    outcomes: Sequence[Backfill],
    window_game_dates: Sequence[date],
    levels: Mapping[str, int],
    usage: Mapping[str, Usage] | None = None,
    price: tuple[float, str] = (0.0, ""),
) -> Estimate | None:
    """None when no processor ran on a game date (verify mode, or nothing missing). ``usage``: what each
    processor's jobs were billed in this run; ``price``: USD per TiB and the date of that price."""
    games = set(window_game_dates)
    per_date, bytes_per_date, slot_ms_per_date = {}, {}, {}
    for outcome in outcomes:
        dates = games.intersection(outcome.dates)
        if outcome.result is not None and dates:
            per_date[outcome.name] = outcome.result.duration / len(dates)
            if usage is not None:  # measured: a processor without a job there was billed nothing
                used = usage.get(outcome.name, Usage())
                bytes_per_date[outcome.name] = used.bytes_billed / len(dates)
                slot_ms_per_date[outcome.name] = used.slot_ms / len(dates)
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
        bytes_per_date=bytes_per_date,
        slot_ms_per_date=slot_ms_per_date,
        usd_per_tib=price[0],
        price_as_of=price[1],
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
