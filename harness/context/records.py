"""Records of a run as JSON files in its run directory: what one process leaves for the others.

Under pytest-xdist each worker is a process of its own and only the controller writes the report, so the
processors' outcomes (``once/``) and what the checks gathered (``evidence/``) travel as small JSON files.
Each is written whole (to a partial file, then renamed), so a reader never sees half of one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Record = dict[str, Any]

EVIDENCE = "evidence"
"""The folder, in the run directory, of what the checks gathered for the sign-off."""


def write_record(path: Path, record: Record) -> None:
    """Write ``record`` to ``path`` whole (a partial file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    partial.replace(path)


def read_record(path: Path) -> Record | None:
    """The record at ``path``, or None when nobody wrote it."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def evidence_path(run_directory: Path, key: str) -> Path:
    """Where the check ``key`` (``chains``, ``phase-3``, ``history``...) leaves what it gathered."""
    return run_directory / EVIDENCE / f"{key}.json"
