"""Step 0: are the Phase 1-2 source chains there for every scheduled game of the window?

Stricter than the real validator (a per-date ``COUNT(*) > 0`` on any source): a date of a chain is
complete only when every game scheduled that day is covered by some source of the chain, in fallback
order. All sources of all chains, and the schedule itself, are read in ONE query of per-date, per-game
counts, whatever the window's length.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from harness.context.records import Record
from harness.declaration.model import Chain, Pipeline, Table
from harness.declaration.window import Window
from harness.warehouse.base import Connection, to_date

GameId = str
"""System game id ``YYYYMMDD_AWAY_HOME``, the id every source but the schedule's NBA id shares."""


class DayStatus(enum.Enum):
    """How a chain covered one date's games."""

    PRIMARY = "primary"
    FALLBACK = "fallback"
    MISSING = "missing"


@dataclass(frozen=True)
class ChainDay:
    """One chain on one game date: how its games were covered."""

    day: date
    status: DayStatus
    games: int
    fallbacks: tuple[str, ...] = ()
    missing_games: tuple[GameId, ...] = ()

    @property
    def label(self) -> str:
        """``primary``, ``fallback: SOURCE`` or ``missing N of M games``, for the report's tooltips."""
        if self.status is DayStatus.FALLBACK:
            return "fallback: " + ", ".join(self.fallbacks)
        if self.status is DayStatus.MISSING:
            return f"missing {len(self.missing_games)} of {self.games} games"
        return "primary"


@dataclass(frozen=True)
class ChainResult:
    """One chain over the window's game dates."""

    chain: Chain
    days: tuple[ChainDay, ...]

    @property
    def missing(self) -> list[ChainDay]:
        """Game dates on which some scheduled game has no source."""
        return [d for d in self.days if d.status is DayStatus.MISSING]

    @property
    def fallback(self) -> list[ChainDay]:
        """Game dates covered only with a fallback source."""
        return [d for d in self.days if d.status is DayStatus.FALLBACK]

    def describe_missing(self) -> str:
        """One line per missing date, naming the games, for a failure message a person can act on."""
        lines = [
            f"{self.chain.name} ({self.chain.severity}): {len(self.missing)} of {len(self.days)} game dates incomplete"
        ]
        for day in self.missing:
            games = ", ".join(day.missing_games)
            lines.append(f"  {day.day}: no source has {len(day.missing_games)} of {day.games} games: {games}")
        return "\n".join(lines)


@dataclass
class _Coverage:
    """What the one query returned, indexed for the per-chain walk."""

    scheduled: dict[date, set[GameId]] = field(default_factory=lambda: defaultdict(set))
    games: dict[tuple[str, date], set[GameId]] = field(default_factory=lambda: defaultdict(set))
    teams: dict[tuple[str, date], set[str]] = field(default_factory=lambda: defaultdict(set))
    any_rows: set[tuple[str, date]] = field(default_factory=set)


def coverage_sql(pipeline: Pipeline) -> str:
    """UNION ALL of per-date counts for the schedule and every table source of every chain.

    Row shape: (source, day, game, home, away). Game-keyed sources fill ``game``; team-keyed ones fill
    ``home`` with each team seen; the schedule fills ``home``/``away``; date-only sources fill neither.
    """
    sched = pipeline.schedule
    sched_table = pipeline.tables[sched.table]
    parts = [
        f"SELECT '' AS source, {sched_table.date_column} AS day, CAST(NULL AS STRING) AS game, "
        f"{sched.home_team_column} AS home, {sched.away_team_column} AS away FROM {sched_table.ref} "
        f"WHERE {sched_table.window_filter()} AND {sched.status_column} = @final_status "
        "GROUP BY 2, 4, 5"
    ]
    sources = dict.fromkeys(s for c in pipeline.chains.values() for s in c.sources if s in pipeline.tables)
    for name in sources:
        parts.extend(_source_selects(name, pipeline.tables[name]))
    return "\nUNION ALL\n".join(parts)


def _source_selects(name: str, table: Table) -> list[str]:
    where = f"FROM {table.ref} WHERE {table.window_filter()}"
    head = f"SELECT '{name}' AS source, {table.date_column} AS day"
    null = "CAST(NULL AS STRING)"
    if table.game_id_column:
        return [f"{head}, {table.game_id_column}, {null}, {null} {where} GROUP BY 2, 3"]
    if table.team_columns:
        return [f"{head}, {null}, {column}, {null} {where} GROUP BY 2, 4" for column in table.team_columns]
    return [f"{head}, {null}, {null}, {null} {where} GROUP BY 2"]


def read_coverage(conn: Connection, pipeline: Pipeline, window: Window) -> _Coverage:
    """Step 0's one query, indexed by source and date."""
    frame = conn.query(
        coverage_sql(pipeline),
        {"start": window.start, "end": window.end, "final_status": pipeline.schedule.final_status},
    )
    coverage = _Coverage()
    for source, day, game, home, away in frame.itertuples(index=False, name=None):
        day = to_date(day)
        if source == "":
            coverage.scheduled[day].add(f"{day:%Y%m%d}_{away}_{home}")
        elif isinstance(game, str):
            coverage.games[source, day].add(game)
        elif isinstance(home, str):
            coverage.teams[source, day].add(home)
        coverage.any_rows.add((source, day))
    return coverage


def evaluate(pipeline: Pipeline, coverage: _Coverage) -> dict[str, ChainResult]:
    """Walk every chain over every game date, sources in fallback order."""
    expected = _expected_games(pipeline, coverage)
    covered_by_chain: dict[str, dict[date, set[GameId]]] = {}
    results: dict[str, ChainResult] = {}
    # Virtual sources read another chain's result, so chains without virtual sources go first.
    order = sorted(
        pipeline.chains.values(), key=lambda c: any(s in pipeline.virtual_sources for s in c.sources)
    )
    for chain in order:
        days = []
        covered_by_chain[chain.name] = {}
        for day in sorted(expected):
            games = expected[day]
            first_source: dict[GameId, str] = {}
            for source in chain.sources:
                for game in _covered(pipeline, coverage, covered_by_chain, source, day, games):
                    first_source.setdefault(game, source)
            covered_by_chain[chain.name][day] = set(first_source)
            missing = tuple(sorted(games - set(first_source)))
            fallbacks = tuple(s for s in chain.sources[1:] if s in first_source.values())
            if missing:
                status = DayStatus.MISSING
            else:
                status = DayStatus.FALLBACK if fallbacks else DayStatus.PRIMARY
            days.append(ChainDay(day, status, len(games), fallbacks, missing))
        results[chain.name] = ChainResult(chain, tuple(days))
    return {name: results[name] for name in pipeline.chains}


def _expected_games(pipeline: Pipeline, coverage: _Coverage) -> dict[date, set[GameId]]:
    """Scheduled final games, plus games that a critical source has but the schedule lost.

    The union matters when schedule rows themselves are missing: the games still show up in the box
    scores, so the schedule chain is reported missing for them instead of the date silently vanishing.
    """
    expected: dict[date, set[GameId]] = defaultdict(set)
    for day, games in coverage.scheduled.items():
        expected[day] |= games
    critical = {s for c in pipeline.chains.values() if c.severity == "critical" for s in c.sources}
    for (source, day), games in coverage.games.items():
        if source in critical:
            expected[day] |= games
    return expected


def _covered(
    pipeline: Pipeline,
    coverage: _Coverage,
    covered_by_chain: dict[str, dict[date, set[GameId]]],
    source: str,
    day: date,
    games: set[GameId],
) -> set[GameId]:
    if source in pipeline.virtual_sources:
        return covered_by_chain.get(pipeline.virtual_sources[source], {}).get(day, set()) & games
    table = pipeline.tables[source]
    if table.game_id_column:
        return coverage.games.get((source, day), set()) & games
    if table.team_columns:
        teams = coverage.teams.get((source, day), set())
        return {g for g in games if set(g.split("_")[1:]) <= teams}
    return set(games) if (source, day) in coverage.any_rows else set()


def check_chains(conn: Connection, pipeline: Pipeline, window: Window) -> dict[str, ChainResult]:
    """Step 0 for the window: every chain's per-date status, from one warehouse query."""
    return evaluate(pipeline, read_coverage(conn, pipeline, window))


def chains_record(results: dict[str, ChainResult]) -> Record:
    """Step 0's results as a record, for the sign-off in another process."""
    return {
        name: [
            {
                "day": d.day.isoformat(),
                "status": d.status.value,
                "games": d.games,
                "fallbacks": list(d.fallbacks),
                "missing_games": list(d.missing_games),
            }
            for d in result.days
        ]
        for name, result in results.items()
    }


def chains_from_record(record: Record, pipeline: Pipeline) -> dict[str, ChainResult]:
    """The results ``chains_record`` wrote, with the declaration's chains."""
    return {
        name: ChainResult(
            pipeline.chains[name],
            tuple(
                ChainDay(
                    date.fromisoformat(d["day"]),
                    DayStatus(d["status"]),
                    d["games"],
                    tuple(d["fallbacks"]),
                    tuple(d["missing_games"]),
                )
                for d in days
            ),
        )
        for name, days in record.items()
        if name in pipeline.chains
    }
