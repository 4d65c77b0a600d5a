"""BigQuery SQL as DuckDB statements, translated once per machine rather than once per process.

Translating a statement (``transpile.translate``) costs 6-15 ms, and importing sqlglot to do it 0.2 s.
Every process of a run pays that again for the same texts: pytest, each xdist worker and each of the ten
reference jobs. Profiled on a cold 28-day run, translation was 3.6 s of the harness's process, and 0.45 s
of each job's 1 s. The translation is a pure function of the SQL text, the translator's source and
sqlglot's version, so its result is kept on disk under a digest of all three, and sqlglot is imported only
when a text was never translated on this machine.

The folder is ``HARNESS_SQL_CACHE``, or ``nba-backfill-harness/duckdb-sql`` in the user's cache folder
(``XDG_CACHE_HOME``, default ``~/.cache``). An entry is written to a temporary name and renamed, so readers
never see half of one; an unreadable entry is translated again and rewritten. Texts that name a run (the
snapshot tables) make new entries each run, so the folder is cut back to its newest ``MAX_ENTRIES`` entries
when it grows past them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

CACHE_ENV = "HARNESS_SQL_CACHE"
MAX_ENTRIES = 4000
"""About 20 MB of entries; a run of the gameplan writes about 120, 30 of them per-run snapshot texts."""


class TranspileError(Exception):
    """BigQuery SQL that cannot be translated to DuckDB; the message is one line naming the construct."""


@dataclass(frozen=True)
class DuckStatement:
    """One DuckDB statement and the parameter names it uses (bind exactly these: DuckDB rejects extras)."""

    sql: str
    params: tuple[str, ...]


def to_duckdb(sql: str) -> list[DuckStatement]:
    """Translate BigQuery SQL (one or more ``;``-separated statements) into DuckDB statements, from this
    process's memory, else this machine's cache, else the translator.

    Raises:
        TranspileError: the SQL does not parse or uses a construct DuckDB cannot run (never cached).
    """
    return list(_cached(sql))


@functools.lru_cache(maxsize=2048)
def _cached(sql: str) -> tuple[DuckStatement, ...]:
    """The statements of ``sql``; a tuple so that no caller can change what the cache holds."""
    key = hashlib.sha256(f"{translator_version()}\0{sql}".encode()).hexdigest()
    entry = cache_folder() / f"{key}.json"
    try:
        return tuple(DuckStatement(s, tuple(p)) for s, p in json.loads(entry.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass  # never translated here, or an entry cut short by a full disk: translate again
    from harness.warehouse.transpile import translate

    statements = translate(sql)
    _store(entry, [[s.sql, list(s.params)] for s in statements])
    return statements


def cache_folder() -> Path:
    """``HARNESS_SQL_CACHE``, or the user's cache folder's ``nba-backfill-harness/duckdb-sql``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nba-backfill-harness" / "duckdb-sql"


@functools.cache
def translator_version() -> str:
    """A digest of what a translation depends on besides the text: the translator's source and the
    installed sqlglot's version file (read, not imported: importing sqlglot is what a hit avoids)."""
    digest = hashlib.sha256(Path(__file__).with_name("transpile.py").read_bytes())
    spec = find_spec("sqlglot")
    version_file = Path(spec.origin).with_name("_version.py") if spec and spec.origin else None
    digest.update(version_file.read_bytes() if version_file and version_file.is_file() else b"unknown")
    return digest.hexdigest()[:16]


def _store(entry: Path, payload: object) -> None:
    """Write one entry atomically; a cache that cannot be written only costs the next process time."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out)
        os.replace(partial, entry)
        _prune(entry.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Keep the newest ``MAX_ENTRIES`` entries; checked on writes only, which a warm machine rarely does."""
    entries = list(folder.glob("*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda path: path.stat().st_mtime)
    for stale in entries[: len(entries) - MAX_ENTRIES // 2]:
        stale.unlink(missing_ok=True)
