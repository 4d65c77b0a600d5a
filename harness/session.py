"""The state of one harness run, built once in ``pytest_configure`` and shared by fixtures and hooks."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from harness.modes import Mode, parse_mode, parse_timeout
from harness.pipeline import Pipeline, load_pipeline
from harness.settings import Settings
from harness.warehouse import Warehouse, open_warehouse
from harness.window import Window, parse_window


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
        """Fields for processor command templates that do not depend on the processor."""
        return {
            "warehouse": self.warehouse.location,
            "project": "",
            "repo": str(self.pipeline.path.parent),
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
        settings.window.value or "", pipeline.seasons, pipeline.bootstrap_days, today or date.today()
    )
    backend = settings.backend.value or "duckdb"
    # The embedded warehouse is a file relative to the rootdir; other backends name a project.
    location = str(settings.path("warehouse")) if backend == "duckdb" else settings.warehouse.value or ""
    mode = parse_mode(settings.mode.value, settings.only.value, pipeline)
    timeout = parse_timeout(settings.timeout.value)
    warehouse = open_warehouse(backend, location)
    return HarnessRun(settings, pipeline, window, warehouse, run_id, datetime.now(UTC), mode, timeout)


def report_path(settings: Settings, run_id: str) -> Path:
    """Default report file: one per run, so earlier sign-offs are never overwritten."""
    return settings.path("report_dir") / f"backfill-{run_id}.html"
