"""Run a piece of work once per harness run, whichever pytest-xdist worker asks for it first.

Each xdist worker is its own pytest session with its own session fixtures, so two workers that need the
same processor would both run it. Instead the first worker to take the processor's file lock writes a
``started`` marker, runs it and writes the result record; a worker that needs it meanwhile blocks on
the lock and then reads the record. If the runner died mid-way (the lock is released with its process
but no record exists), the waiter gets a crash record instead of running the processor a second time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from harness.context.records import Record, read_record, write_record


def run_once(
    directory: Path, key: str, work: Callable[[], Record], on_crash: Callable[[str], Record]
) -> Record:
    """The record of ``key`` in ``directory``: read if some process made it, else made here by ``work``.

    ``on_crash(who)`` builds the record when an earlier runner (``who``: its pid and worker) started
    the work but never finished it. Waiting has no time limit: the work has its own timeout.
    """
    directory.mkdir(parents=True, exist_ok=True)
    record_path = directory / f"{key}.json"
    started_path = directory / f"{key}.started"
    with FileLock(directory / f"{key}.lock"):
        record = read_record(record_path)
        if record is not None:
            return record
        if started_path.exists():
            record = on_crash(started_path.read_text(encoding="utf-8").strip())
        else:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main process")
            started_path.write_text(f"pid {os.getpid()} ({worker})\n", encoding="utf-8")
            record = work()
        write_record(record_path, record)
        return record


def once_record(directory: Path, key: str) -> Record | None:
    """The record of ``key`` if it exists (the controller reads them for the report)."""
    return read_record(directory / f"{key}.json")
