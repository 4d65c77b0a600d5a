"""Where the plugin keeps a run's state on pytest's config, for hooks and fixtures alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.context.run import RunContext
    from harness.running.backfill import Emit
    from harness.running.plan import ProcessorStep

RUN_KEY: pytest.StashKey[RunContext] = pytest.StashKey()
PLAN_KEY: pytest.StashKey[tuple[ProcessorStep, ...]] = pytest.StashKey()
EMIT_KEY: pytest.StashKey[Emit] = pytest.StashKey()
"""Where this process sends progress lines: the terminal in one process, the progress file in a worker."""

RECORDER = "harness-run-recorder"
"""The name the controller's ``RunRecorder`` is registered under."""
