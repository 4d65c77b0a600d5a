"""The state of one harness run, built once in ``pytest_configure`` and shared by fixtures and hooks."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline
from harness.declaration.modes import Mode, parse_mode, parse_positive_int, parse_timeout
from harness.declaration.settings import Settings
from harness.declaration.window import Window, parse_window
from harness.errors import ConfigError, HarnessError
from harness.warehouse import Warehouse, open_warehouse


@dataclass
class HarnessRun:
    """Everything a run needs: settings, declaration, window and warehouse, plus what happened so far."""

    settings: Settings
    pipeline: Pipeline
    window: Window
    warehouse: Warehouse
    run_id: str
    started_at: datetime
    mode: Mode
    timeout: float | None
    """A timeout for every processor from the command line, ini or environment, over the declared ones."""
    seeded: list[int] = field(default_factory=list)
    game_dates: list[date] = field(default_factory=list)
    game_dates_problem: str | None = None
    progress: Callable[[str], None] | None = None
    """Where progress lines go in this process (the terminal), or None to hand them to the controller."""

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
        """``.harness/runs/<run id>`` beside the reports: logs and result records of this run."""
        return self.settings.path("report_dir").parent / "runs" / self.run_id

    @property
    def template_context(self) -> dict[str, str]:
        """Fields for processor command templates that do not depend on the processor. The backend fields
        reach the reference jobs through ``[processor_defaults] env``; unset ones are empty strings."""
        settings = self.settings
        repo = settings.pipeline_repo.value
        return {
            "warehouse": self.warehouse.location,
            "backend": self.warehouse.kind,
            "project": settings.project.value or "",
            "location": settings.location.value or "",
            "dataset_prefix": settings.dataset_prefix.value or "",
            "maximum_bytes_billed": settings.maximum_bytes_billed.value or "",
            "bigquery_endpoint": settings.bigquery_endpoint.value or "",
            "repo": str(self.pipeline.path.parent),
            "pipeline_repo": str(settings.path("pipeline_repo")) if repo else "",
            "run_id": self.run_id,
        }

    @property
    def seeding_notice(self) -> str | None:
        if not self.seeded:
            return None
        seasons = ", ".join(f"{y}-{(y + 1) % 100:02d}" for y in self.seeded)
        return f"seeded the demo season {seasons} into the empty embedded warehouse {self.warehouse.location}"


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def build_run(settings: Settings, run_id: str, today: date | None = None) -> HarnessRun:
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
    _require_pipeline_repo(settings, pipeline)
    warehouse = _warehouse(settings, pipeline, run_id)
    return HarnessRun(settings, pipeline, window, warehouse, run_id, datetime.now(UTC), mode, timeout)


def _warehouse(settings: Settings, pipeline: Pipeline, run_id: str) -> Warehouse:
    """The embedded file (relative to the rootdir), or the BigQuery project with every job labelled with
    the run id. BigQuery is asked up front for the declared datasets: missing credentials, an unknown
    project or a missing dataset stop the run as a usage error, one line, before anything is written."""
    backend = settings.backend.value or "duckdb"
    if backend == "duckdb":
        return open_warehouse(backend, str(settings.path("warehouse")))
    warehouse = open_warehouse(
        backend,
        settings.warehouse.value or "",
        project=settings.project.value,
        region=settings.location.value,
        dataset_prefix=settings.dataset_prefix.value,
        maximum_bytes_billed=settings.maximum_bytes_billed.value,
        endpoint=settings.bigquery_endpoint.value,
        labels={"harness_run_id": run_id},
    )
    from harness.warehouse.bigquery.warehouse import BigQueryWarehouse

    assert isinstance(warehouse, BigQueryWarehouse)
    try:
        warehouse.check_datasets(pipeline.datasets.values())
    except HarnessError as exc:
        raise ConfigError(f"--backend {backend}: {exc}") from None
    return warehouse


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


def report_path(settings: Settings, run_id: str) -> Path:
    """Default report file: one per run, so earlier sign-offs are never overwritten."""
    return settings.path("report_dir") / f"backfill-{run_id}.html"
