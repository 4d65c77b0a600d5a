"""What one harness run is: its settings, declaration, window, mode and warehouse, as frozen plain data.

The plugin builds a ``RunContext`` in ``pytest_configure`` (``build_context``) and replaces it once the
schedule is known (``with_schedule``) and the embedded warehouse seeded (``with_seeded``); nothing
changes it afterwards. Running, checking and reporting read it and never learn about pytest.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline
from harness.declaration.modes import Mode, parse_mode, parse_positive_int, parse_switch, parse_timeout
from harness.declaration.settings import Settings
from harness.declaration.window import Window, parse_window
from harness.errors import ConfigError, HarnessError
from harness.warehouse import Warehouse, open_warehouse


@dataclass(frozen=True)
class RunContext:
    """Everything a run needs to know: settings, declaration, window, warehouse and what the schedule says."""

    settings: Settings
    pipeline: Pipeline
    window: Window
    warehouse: Warehouse
    run_id: str
    started_at: datetime
    mode: Mode
    timeout: float | None
    """A timeout for every processor from the command line, ini or environment, over the declared ones."""
    require_exercised: bool = False
    """Block a processor whose table the window expects no entity of on any date it judges."""
    expect_no_changes: bool = False
    """Any row a processor changed in the window fails it (``--expect-no-changes``)."""
    keep_snapshots: bool = False
    """Leave each before-snapshot copy in the warehouse after the diff (``--keep-snapshots``)."""
    game_dates: tuple[date, ...] = ()
    """The window's dates with final games, in order."""
    season_game_dates: Mapping[int, int] = field(default_factory=dict)
    """Final-game dates of each season the window touches, for the full-season estimate."""
    game_dates_problem: str | None = None
    """Why the schedule could not be read; Step 1 fails with it."""
    seeded: tuple[int, ...] = ()
    """The demo seasons this run generated into an empty embedded warehouse."""
    max_season_bytes: int | None = None
    """``--max-season-bytes``: a full-season forecast of more bytes billed makes the run NOT READY."""
    coverage_fallbacks: Mapping[str, str] = field(default_factory=dict)
    """Tables declared ``partition_coverage`` that are not partitioned by DAY on their date column, and
    why: coverage counts them by scan (the pipeline's copy of them says so)."""

    def with_schedule(self, game_dates: tuple[date, ...], season_game_dates: Mapping[int, int]) -> RunContext:
        """The context once the schedule was read."""
        return dataclasses.replace(
            self, game_dates=game_dates, season_game_dates=dict(season_game_dates), game_dates_problem=None
        )

    def with_schedule_problem(self, problem: str) -> RunContext:
        """The context when the schedule could not be read (Step 1 fails with ``problem``)."""
        return dataclasses.replace(self, game_dates_problem=problem)

    def with_seeded(self, years: tuple[int, ...]) -> RunContext:
        """The context after the seed step filled the seasons ``years``."""
        return dataclasses.replace(self, seeded=years)

    @property
    def game_dates_summary(self) -> str:
        """``28 game dates: 14 bootstrap (Phase 4 exempt), first normal day 2021-11-02``, for headers."""
        if self.game_dates_problem:
            return f"unknown ({self.game_dates_problem})"
        boot, normal = self.window.split_bootstrap(self.game_dates)
        first = f", first normal day {normal[0]}" if normal else ", no normal day"
        return f"{len(self.game_dates)} game dates: {len(boot)} bootstrap (Phase 4 exempt){first}"

    @property
    def directory(self) -> Path:
        """``.harness/runs/<run id>`` beside the reports: logs and records of this run."""
        return self.settings.path("report_dir").parent / "runs" / self.run_id

    @property
    def template_context(self) -> dict[str, str]:
        """Fields for processor command templates that do not depend on the processor. The backend fields
        reach the reference jobs through ``[processor_defaults] env``; unset ones are empty strings."""
        settings = self.settings
        repo = settings.pipeline_repo.value
        return {
            "warehouse": self.warehouse.address,
            "backend": self.warehouse.kind,
            "project": settings.project.value or "",
            "location": self.warehouse.location or "",
            "dataset_prefix": settings.dataset_prefix.value or "",
            "maximum_bytes_billed": settings.maximum_bytes_billed.value or "",
            "bigquery_endpoint": settings.bigquery_endpoint.value or "",
            "repo": str(self.pipeline.path.parent),
            "pipeline": str(self.pipeline.path),
            "pipeline_repo": str(settings.path("pipeline_repo")) if repo else "",
            "run_id": self.run_id,
        }

    @property
    def snapshot_tag(self) -> str:
        """What names this run's snapshot copies: the run id where several runs may share the warehouse
        (BigQuery), ``latest`` on the embedded file, which one run at a time holds (its run lock), so that
        the copy and diff statements read the same every run and their DuckDB translations are reused."""
        return "latest" if self.warehouse.embedded else self.run_id

    @property
    def seeding_notice(self) -> str | None:
        """The line that tells the user the embedded warehouse was seeded, or None."""
        if not self.seeded:
            return None
        labels = ", ".join(s.label for s in self.pipeline.seasons if s.year in self.seeded)
        return f"seeded the demo season {labels} into the empty embedded warehouse {self.warehouse.address}"

    @property
    def report_path(self) -> Path:
        """Default report file: one per run, so earlier sign-offs are never overwritten."""
        return self.settings.path("report_dir") / f"backfill-{self.run_id}.html"


def new_run_id() -> str:
    """A new run id: the UTC start time and a random suffix, unique per run. Lowercase digits, ``-`` and hex
    only: BigQuery lowercases job labels, and the run id must read the same in ``INFORMATION_SCHEMA.JOBS``
    (label ``harness_run_id``) as in the report."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def build_context(settings: Settings, run_id: str, today: date | None = None) -> RunContext:
    """Load the declaration, parse the window and pick the warehouse. Raises ConfigError on bad input."""
    pipeline = load_pipeline(settings.path("pipeline"))
    window = parse_window(
        settings.window.value or "",
        pipeline.seasons,
        pipeline.bootstrap_days,
        today or date.today(),
        max_days=parse_positive_int("--max-window-days", settings.max_window_days.value),
    )
    mode = parse_mode(settings.mode.value, settings.only.value, pipeline)
    timeout = parse_timeout(settings.timeout.value)
    require_exercised = parse_switch("--require-exercised", settings.require_exercised.value)
    max_season_bytes = parse_positive_int("--max-season-bytes", settings.max_season_bytes.value)
    expect_no_changes = parse_switch("--expect-no-changes", settings.expect_no_changes.value)
    keep_snapshots = parse_switch("--keep-snapshots", settings.keep_snapshots.value)
    _require_pipeline_repo(settings, pipeline)
    _require_scripts_project(settings, pipeline)
    warehouse = _warehouse(settings, pipeline, run_id)
    pipeline, fallbacks = _checked_partition_coverage(pipeline, warehouse)
    return RunContext(
        settings, pipeline, window, warehouse, run_id, datetime.now(UTC), mode, timeout, require_exercised,
        expect_no_changes, keep_snapshots, max_season_bytes=max_season_bytes,
        coverage_fallbacks=fallbacks,
    )  # fmt: skip


def _checked_partition_coverage(pipeline: Pipeline, warehouse: Warehouse) -> tuple[Pipeline, dict[str, str]]:
    """The declaration with ``partition_coverage`` kept only where the warehouse confirms it (DAY
    partitions on the date column); a claim that does not hold falls back to the scan, with its reason."""
    if not warehouse.partition_metadata:
        return pipeline, {}
    claimed = {t.ref: t for t in pipeline.tables.values() if t.partition_coverage}
    problems = warehouse.day_partitioning_problems({ref: t.date_column for ref, t in claimed.items()})
    if not problems:
        return pipeline, {}
    tables = {
        name: dataclasses.replace(t, partition_coverage=False) if t.ref in problems else t
        for name, t in pipeline.tables.items()
    }
    return dataclasses.replace(pipeline, tables=tables), {
        claimed[ref].name: why for ref, why in problems.items()
    }


def _warehouse(settings: Settings, pipeline: Pipeline, run_id: str) -> Warehouse:
    """The embedded file (relative to the rootdir), or the BigQuery project with every job labelled with
    the run id. The declared datasets are checked up front: on BigQuery missing credentials, an unknown
    project or a missing dataset stop the run as a usage error, one line, before anything is written."""
    backend = settings.backend.value or "duckdb"
    if backend == "duckdb":
        return open_warehouse(backend, str(settings.path("warehouse")))
    warehouse = open_warehouse(
        backend,
        settings.warehouse.value or "",
        project=settings.project.value,
        location=settings.location.value,
        dataset_prefix=settings.dataset_prefix.value,
        maximum_bytes_billed=settings.maximum_bytes_billed.value,
        endpoint=settings.bigquery_endpoint.value,
        labels={"harness_run_id": run_id},
    )
    try:
        warehouse.check_datasets(pipeline.datasets.values())
    except HarnessError as exc:
        raise ConfigError(f"--backend {backend}: {exc}") from None
    return warehouse


def _require_scripts_project(settings: Settings, pipeline: Pipeline) -> None:
    """Scripts that write one fixed project (``[pipeline] scripts_project``) must be checked in that one:
    anywhere else the harness would judge tables the scripts never wrote."""
    wanted = pipeline.scripts_project
    if (
        wanted is None
        or (settings.backend.value or "duckdb") != "bigquery"
        or settings.project.value == wanted
    ):
        return
    raise ConfigError(
        f"--project {settings.project.value!r}: the scripts of {pipeline.path.name} write to {wanted} (they "
        f"hard-code it), so the harness would read where they do not write; pass --project {wanted}, or set "
        "[pipeline] scripts_project in the declaration if you patched the scripts"
    )


def _require_pipeline_repo(settings: Settings, pipeline: Pipeline) -> None:
    """A declaration whose commands run in the user's checkout (``{pipeline_repo}``) needs to be told where."""
    if settings.pipeline_repo.value:
        return
    for processor in pipeline.processors.values():
        templates = (*processor.command, *processor.dates_command, processor.cwd, *processor.env.values())
        if any("{pipeline_repo}" in t for t in templates):
            raise ConfigError(
                f"{pipeline.path.name} runs processors in {{pipeline_repo}}: pass --pipeline-repo PATH "
                "(your checkout of the pipeline) or set HARNESS_PIPELINE_REPO"
            )
