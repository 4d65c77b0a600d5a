"""Run one processor command for a window: own process group, timeout, output to a log file.

The exit code is recorded, never trusted: the real backfill scripts exit 0 when dates fail, so the
tests judge a processor by what the warehouse holds afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness.commands import Command

KILL_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class ProcessorResult:
    """What happened when a processor ran (or why it did not)."""

    name: str
    exit_code: int | None
    started: float
    ended: float
    timed_out: bool
    log_path: str
    command: str

    @property
    def duration(self) -> float:
        return self.ended - self.started

    def log_tail(self, lines: int = 20) -> str:
        path = Path(self.log_path)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_command(name: str, command: Command, timeout: float, log_path: Path) -> ProcessorResult:
    """Run ``command`` to completion or timeout; on timeout its whole process group is ended."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **command.env}
    started = time.time()
    timed_out = False
    with log_path.open("w", encoding="utf-8") as log:
        log.write(f"$ {command.shown()}\n")
        log.flush()
        proc = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            exit_code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _end_group(proc)
            exit_code = proc.returncode
            log.write(f"\nharness: timed out after {timeout:.0f} s; process group ended\n")
    return ProcessorResult(name, exit_code, started, time.time(), timed_out, str(log_path), command.shown())


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group, give it a grace period, then SIGKILL whatever is left of the group (children
    can outlive the leader), so no orphan outlives the run."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=KILL_GRACE_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
