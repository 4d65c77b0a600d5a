"""Progress per processor and date while processors run, read from their own log lines.

The real backfill scripts log ``Processing day i/n: DATE`` (Phase 3) and ``Processing game date i/N:
DATE`` (Phase 4), and the reference jobs log the same. In one process the lines go straight to the
terminal; an xdist worker has no way to the terminal while a test runs, so it appends them to the run's
``progress.log``, which the controller tails and prints.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

PROGRESS_LINE = re.compile(
    r"Processing (?:game )?(?:day|date) (?P<i>\d+)/(?P<n>\d+): (?P<day>\d{4}-\d{2}-\d{2})"
)
POLL_SECONDS = 0.2
PROGRESS_FILE = "progress.log"


def progress_feed(processor: str, emit: Callable[[str], None]) -> Callable[[str], None]:
    """A log-line callback that emits ``processor: date i of N (DATE)`` for each progress line."""

    def feed(line: str) -> None:
        match = PROGRESS_LINE.search(line)
        if match:
            emit(f"{processor}: date {match['i']} of {match['n']} ({match['day']})")

    return feed


def file_emitter(path: Path) -> Callable[[str], None]:
    """Appends each line to ``path``: how an xdist worker hands progress to the controller."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def emit(text: str) -> None:
        with path.open("a", encoding="utf-8") as out:
            out.write(text + "\n")

    return emit


class ProgressPrinter:
    """Tails ``progress.log`` in a background thread and hands each new line to ``write``."""

    def __init__(self, path: Path, write: Callable[[str], None]) -> None:
        self.path = path
        self.write = write
        self._stop = threading.Event()
        self._offset = 0
        self._thread = threading.Thread(target=self._run, name="harness-progress", daemon=True)

    def start(self) -> None:
        """Start tailing in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop, after printing what is left in the file."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._drain()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._drain()

    def _drain(self) -> None:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            lines.seek(self._offset)
            text = lines.read()
        complete = text[: text.rfind("\n") + 1]
        self._offset += len(complete.encode("utf-8"))
        for line in complete.splitlines():
            self.write(line)
