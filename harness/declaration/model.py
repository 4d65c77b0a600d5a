"""Typed model of pipeline.toml: datasets, seasons, the schedule, source chains, tables and processors.

``harness.declaration.loading.load_pipeline`` builds a frozen ``Pipeline`` from the file; everything the
harness knows about the pipeline is read from these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SEVERITIES = ("critical", "warning", "info")


EXPECTED_DATES = ("game_dates", "after_bootstrap")


@dataclass(frozen=True)
class Presence:
    """``column`` is not null on at least ``min_share`` of the rows where ``among`` (a BOOL column) holds."""

    min_share: float
    among: str | None = None


Scalar = int | float | str | bool
"""A value a rule's SQL receives as a query parameter."""


@dataclass(frozen=True)
class EntityRule:
    """Which entities (the table's grain) a table must hold on each date: a BigQuery SQL template that
    yields ``day`` and the grain columns, derived from upstream tables and the schedule.

    The template names tables and the declaration's ``[sql]`` blocks as ``{name}``, reads the window as
    ``@start`` and ``@end``, and its ``params`` as ``@name`` (query parameters, so a declaration changes a
    minimum without touching SQL). It also yields ``context`` when ``context`` names what that column
    holds (``game``), and ``qualifies`` and ``rule`` when ``none_expected`` says that the rule may leave a
    date without any entity (a processor's minimum of prior games)."""

    sql: str
    noun: str
    """The entities in messages, plural: ``teams``, ``players``."""
    context: str | None = None
    none_expected: str | None = None
    """Why no entity qualifies on a date, with ``{rule}`` for the template's ``rule`` column:
    ``no team has {rule}``."""
    params: dict[str, Scalar] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the template yields besides ``day`` and the grain."""
        return (
            *(("context",) if self.context else ()),
            *(("qualifies", "rule") if self.none_expected else ()),
        )


@dataclass(frozen=True)
class Reconciliation:
    """A column of a table that must equal a value from its source for the same date and key: a BigQuery
    SQL template (as for ``EntityRule``) that yields ``day``, the grain columns and ``value``."""

    column: str
    source: str
    """The source in messages: ``the gamebook``."""
    sql: str


DEFAULT_USD_PER_TIB = 6.25
DEFAULT_PRICE_AS_OF = "2023-07-05"
"""BigQuery's on-demand list price per TiB (US multi-region) since that date; declare yours if it differs."""


@dataclass(frozen=True)
class Table:
    """A warehouse table the harness reads: its dataset, date column and grain inside a date."""

    name: str
    dataset: str
    date_column: str
    grain: tuple[str, ...]
    columns: tuple[str, ...] = ()
    game_id_column: str | None = None
    team_columns: tuple[str, ...] = ()
    expected_dates: str = "game_dates"
    """``game_dates`` (every final-game date) or ``after_bootstrap`` (game dates past each season's
    bootstrap period; rows on bootstrap dates are an error unless ``bootstrap_placeholders``)."""
    bootstrap_placeholders: bool = False
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Inclusive value ranges per column; values outside are errors."""
    present: dict[str, Presence] = field(default_factory=dict)
    """Columns that must be filled for a share of the rows (usage_rate for active players)."""
    partition_coverage: bool = False
    """The table is partitioned by day on ``date_column``: on BigQuery, coverage reads its row counts from
    ``INFORMATION_SCHEMA.PARTITIONS`` (metadata, nothing scanned) instead of counting the date column
    (preflight checks the claim; a table that is not so partitioned is counted by the scan)."""
    partition_column: str = ""
    """The column the table is partitioned by when it is not ``date_column`` (``nbac_injury_report``:
    ``report_date``, while its rows are judged by ``game_date``)."""
    partition_lookback_days: int = 0
    """How many days the partition column may lie before the date column (an injury report of day D lists
    games up to this many days later), so a window on the date column is a window on the partition column
    widened by as many days."""
    entities: EntityRule | None = None
    """The entities it must hold per date; without a rule only dates are checked."""
    reconcile: tuple[Reconciliation, ...] = ()
    quality_column: str | None = None
    """A per-row quality score (``feature_quality_score``, ``data_completeness_pct``): the report draws its
    median and spread per date, because low scores early in a season are normal and should look it."""

    @property
    def ref(self) -> str:
        """``dataset.table``, safe to splice into SQL: both parts were validated as plain identifiers."""
        return f"{self.dataset}.{self.name}"

    def window_filter(self, start: str = "@start", end: str = "@end", alias: str = "") -> str:
        """``date_column BETWEEN start AND end`` (SQL expressions, parameters as a rule), and a constant
        filter on the partition column when that is another column, widened by its lookback: the filter
        BigQuery prunes partitions by, and requires on a table with ``require_partition_filter``."""
        prefix = f"{alias}." if alias else ""
        where = f"{prefix}{self.date_column} BETWEEN {start} AND {end}"
        if self.partition_column and self.partition_column != self.date_column:
            lower = f"DATE_SUB({start}, INTERVAL {self.partition_lookback_days} DAY)"
            where += f" AND {prefix}{self.partition_column} BETWEEN {lower} AND {end}"
        return where

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Every column the declaration names for this table, without repeats."""
        named = (self.date_column, *self.grain, *self.columns, *self.team_columns, *self.ranges)
        named += (self.partition_column,) if self.partition_column else ()
        named += (*self.present, *(p.among for p in self.present.values() if p.among))
        named += tuple(check.column for check in self.reconcile)
        if self.game_id_column:
            named += (self.game_id_column,)
        if self.quality_column:
            named += (self.quality_column,)
        return tuple(dict.fromkeys(named))


@dataclass(frozen=True)
class Chain:
    """A Phase 1-2 source chain: sources in fallback order, the first being the primary."""

    name: str
    severity: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Processor:
    """One backfill processor, run as a command over a window of dates."""

    name: str
    phase: int
    output: str
    upstream: tuple[str, ...]
    command: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    timeout_seconds: float
    run_history_name: str | None
    dates_command: tuple[str, ...] = ()
    """The argv template for a list of dates (``missing`` mode); without it the range command covers
    the span of the dates instead."""

    @property
    def writes_run_history(self) -> bool:
        """Whether the processor writes ``processor_run_history`` rows (``run_history_name``)."""
        return self.run_history_name is not None

    @property
    def takes_date_list(self) -> bool:
        """Whether the processor can be given a list of dates (``--dates``), not only a range."""
        return bool(self.dates_command)


@dataclass(frozen=True)
class Seed:
    """How to fill an empty embedded warehouse (the reference pipeline's demo seasons): a command run
    when the schedule has no game in a season the window touches. ``{seasons}`` lists those years."""

    command: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    timeout_seconds: float


@dataclass(frozen=True)
class Season:
    """A regular season by its ``season_year`` (2021 for 2021-22), from its opener to its last day."""

    year: int
    opener: date
    last_day: date

    @property
    def label(self) -> str:
        """``2021-22``."""
        return f"{self.year}-{(self.year + 1) % 100:02d}"


ORDERS = ("dependencies", "strict")


@dataclass(frozen=True)
class Phase:
    """A phase of the pipeline: its processors' steps in the gameplan, the order they run in, and which
    earlier phases must be complete before it starts."""

    number: int
    name: str
    backfill_step: str
    """The gameplan's step that runs the phase's processors, e.g. ``Step 2: Phase 3 backfill``."""
    coverage_step: str
    """The step that checks the phase's tables, e.g. ``Step 3: Phase 3 coverage``."""
    order: str = "dependencies"
    """``dependencies``: each processor starts once the processors it reads are done (in parallel where
    the graph allows); ``strict``: one at a time, in the order the processors are declared."""
    needs_complete: tuple[int, ...] = ()
    """Earlier phases whose tables must have rows on every expected date before this phase runs (the
    gameplan's STOP rule)."""
    requires_rows: tuple[RowRequirement, ...] = ()
    """Tables (views, mostly) that must have a row on every game date of the window before the phase's
    processors run; Step 1 checks them."""
    scripts_preflight: ScriptsPreflight | None = None
    """The coverage check the phase's own scripts make before they start (and exit 1 when it fails)."""
    lock_minutes: int | None = None
    """The phase's processors take a lock per processor and date, stale after this many minutes: a run
    that finds it held leaves only its ``running`` row."""


@dataclass(frozen=True)
class RowRequirement:
    """A table that must cover every game date of the window, and what follows when it does not."""

    table: str
    consequence: str
    """Said after the uncovered dates, e.g. ``the Phase 3 scripts will skip these dates and exit 0``."""


@dataclass(frozen=True)
class ScriptsPreflight:
    """A phase's scripts check the tables of an earlier phase themselves before they start: each must
    cover ``min_share`` of the game dates (past the bootstrap period, with ``after_bootstrap``)."""

    phase: int
    min_share: float
    after_bootstrap: bool
    name: str
    """Where the check lives in the user's pipeline, e.g. ``verify_phase3_for_phase4.py``."""


@dataclass(frozen=True)
class Schedule:
    """Which table and columns say that a game was played (final) on a date."""

    table: str
    status_column: str
    final_status: int
    home_team_column: str
    away_team_column: str


@dataclass(frozen=True)
class Pipeline:
    """The whole declaration. ``processors`` is in dependency order (upstream first)."""

    path: Path
    name: str
    bootstrap_days: int
    datasets: dict[str, str]
    seasons: tuple[Season, ...]
    schedule: Schedule
    run_history: str
    tables: dict[str, Table]
    chains: dict[str, Chain]
    virtual_sources: dict[str, str]
    phases: dict[int, Phase] = field(default_factory=dict)
    """By number, ascending."""
    seed: Seed | None = None
    sql: dict[str, str] = field(default_factory=dict)
    """Named SQL blocks the rules share (``{name}`` in a rule's SQL is the block, as a subquery)."""
    gameplan_corrections: tuple[str, ...] = ()
    """Where the written gameplan is wrong about this pipeline, and what a run does instead."""
    scripts_project: str | None = None
    """The BigQuery project the processors' scripts write to when they do not take the harness's
    ``--project`` (the real scripts hard-code ``nba-props-platform``); a different ``--project`` is then
    refused, since the harness would read where the scripts do not write."""
    processors: dict[str, Processor] = field(default_factory=dict)
    usd_per_tib: float = DEFAULT_USD_PER_TIB
    """BigQuery's on-demand price per TiB billed, for the season's cost (``[pipeline] usd_per_tib``)."""
    usd_per_tib_as_of: str = DEFAULT_PRICE_AS_OF
    """The date of that price (``[pipeline] usd_per_tib_as_of``): prices change, the report says which."""
    rewritten_columns: tuple[str, ...] = ()
    """Columns every run rewrites (``processed_at``, run ids; ``[changes] rewritten_columns``): the diff of
    what a backfill changed leaves them out, or every re-run would change every row."""

    def phase(self, phase: int) -> list[Processor]:
        """The processors of ``phase``, in dependency order."""
        return [p for p in self.processors.values() if p.phase == phase]

    def output_table(self, processor: Processor) -> Table:
        """The table the processor writes."""
        return self.tables[processor.output]

    def phase_tables(self, phase: int) -> list[Table]:
        """The output tables of ``phase``'s processors, in dependency order."""
        return [self.output_table(p) for p in self.phase(phase)]

    def waits_for(self, processor: Processor) -> tuple[str, ...]:
        """The processors that must finish before ``processor`` starts: its upstream, and under a strict
        phase order also the processor declared before it in its phase (which does not block it)."""
        order = self.phases[processor.phase].order
        peers = [p.name for p in self.phase(processor.phase)]
        before = peers[: peers.index(processor.name)]
        previous = (before[-1],) if order == "strict" and before else ()
        return tuple(dict.fromkeys((*processor.upstream, *previous)))

    def dependents(self, name: str) -> list[str]:
        """Every processor that needs ``name``'s output, directly or not, in dependency order."""
        blocked = {name}
        for proc in self.processors.values():
            if blocked.intersection(proc.upstream):
                blocked.add(proc.name)
        return [p for p in self.processors if p in blocked and p != name]
