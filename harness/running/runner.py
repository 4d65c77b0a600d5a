"""Run one processor command for a window: own process group, timeout, output to a log file.

The exit code is recorded, never trusted: the real backfill scripts exit 0 when dates fail, so the
tests judge a processor by what the warehouse holds afterwards.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.declaration.commands import Command

KILL_GRACE_SECONDS = 5.0
POLL_SECONDS = 0.25
PR_SET_PDEATHSIG = 1


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
        """Wall-clock seconds from start to end."""
        return self.ended - self.started

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the processor's log."""
        path = Path(self.log_path)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_command(
    name: str,
    command: Command,
    timeout: float,
    log_path: Path,
    on_line: Callable[[str], None] | None = None,
) -> ProcessorResult:
    """Run ``command`` to completion or timeout; on timeout its whole process group is ended. Each line
    the command logs is handed to ``on_line`` as it appears (for progress)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **command.env, "HARNESS_PROCESSOR": name}
    started = time.time()
    timed_out = False
    with log_path.open("w", encoding="utf-8") as log, _LineFeed(log_path, on_line) as feed:
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
            preexec_fn=_die_with_parent,
        )
        try:
            while True:
                try:
                    exit_code = proc.wait(
                        timeout=min(POLL_SECONDS, max(0.0, started + timeout - time.time()))
                    )
                    break
                except subprocess.TimeoutExpired:
                    feed.read()
                    if time.time() >= started + timeout:
                        timed_out = True
                        _end_group(proc)
                        exit_code = proc.returncode
                        log.write(f"\nharness: timed out after {timeout:.0f} s; process group ended\n")
                        break
        except BaseException:
            # Ctrl-C reaches pytest, not the processor (it has its own session): end it before leaving.
            _end_group(proc)
            log.write("\nharness: interrupted; process group ended\n")
            raise
    return ProcessorResult(name, exit_code, started, time.time(), timed_out, str(log_path), command.shown())


class _LineFeed:
    """Reads the lines a running command appends to its log and hands them on; whatever is left is
    read when the command ends."""

    def __init__(self, path: Path, on_line: Callable[[str], None] | None) -> None:
        self.path, self.on_line, self.offset, self.partial = path, on_line, 0, ""

    def __enter__(self) -> _LineFeed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.read()

    def read(self) -> None:
        if self.on_line is None:
            return
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        self.offset += len(data)
        text = self.partial + data.decode("utf-8", errors="replace")
        *lines, self.partial = text.split("\n")
        for line in lines:
            self.on_line(line)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGKILL it when the process that started it dies (an
    xdist worker that crashed), so a processor never outlives the run. Elsewhere this is a no-op."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


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
