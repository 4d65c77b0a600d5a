"""Run a declared processor over the run's window, logging to the run's directory."""

from __future__ import annotations

from pathlib import Path

from harness.commands import render
from harness.pipeline import Processor
from harness.runner import ProcessorResult, run_command
from harness.session import HarnessRun


def run_directory(run: HarnessRun) -> Path:
    """``.harness/runs/<run id>`` beside the reports: logs and result records of one run."""
    return run.settings.path("report_dir").parent / "runs" / run.run_id


def run_processor(run: HarnessRun, processor: Processor) -> ProcessorResult:
    """Run ``processor`` for the whole window (its command decides which of the days it processes)."""
    command = render(processor, list(run.window.dates()), run.template_context)
    log_path = run_directory(run) / "logs" / f"{processor.name}.log"
    return run_command(processor.name, command, processor.timeout_seconds, log_path)
