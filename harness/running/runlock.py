"""One harness run at a time per embedded warehouse.

Two runs on one DuckDB file would each run every processor and check tables the other is rewriting: the
second run refuses at once, naming the first, instead of waiting an unknown time. The lock is a file lock,
so it goes away with its process even after a crash. (On BigQuery two runs are two jobs' worth of
queries on shared datasets; keep them apart with separate dataset prefixes.)
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from harness.errors import WarehouseBusyError


def hold_warehouse(warehouse_file: str, run_id: str) -> FileLock:
    """Take the run lock of ``warehouse_file`` for this process.

    Raises:
        WarehouseBusyError: another harness run holds it; the message says which.
    """
    lock_path = Path(f"{warehouse_file}.run.lock")
    holder = Path(f"{warehouse_file}.run.holder")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        who = holder.read_text(encoding="utf-8").strip() if holder.exists() else "unknown"
        raise WarehouseBusyError(
            f"the embedded warehouse {warehouse_file} is in use by another harness run ({who}); "
            "wait for it to finish, or pass another --warehouse"
        ) from None
    started = datetime.now(UTC).isoformat(timespec="seconds")
    holder.write_text(f"run {run_id}, pid {os.getpid()}, started {started}\n", encoding="utf-8")
    return lock
