"""The reference processors' SQL, by processor name: ``sql/analytics/`` (Phase 3 in the real pipeline)
and ``sql/precompute/`` (Phase 4). A line ``-- include: NAME`` stands for ``sql/shared/NAME.sql``, so a
block that two processors share (the props consensus, the game lines, the play-by-play fallback) is
written once.

The folder, not the declared phase, says how a job behaves (calendar days and the early exit for
analytics, game dates and the bootstrap skip for precompute), as the real scripts' base classes do: a
declaration may put a reference processor in any phase.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

KINDS = ("analytics", "precompute")
INCLUDE = re.compile(r"^-- include: (?P<name>\w+)(?P<comma>,?)[ \t]*$", re.MULTILINE)
"""``-- include: NAME`` (or ``-- include: NAME,`` when more CTEs follow it)."""


def _folder(kind: str) -> resources.abc.Traversable:
    return resources.files("harness.reference") / "sql" / kind


def processor_kind(name: str) -> str | None:
    """``analytics`` or ``precompute`` for a reference processor, None for a name it does not know."""
    return next((kind for kind in KINDS if (_folder(kind) / f"{name}.sql").is_file()), None)


@functools.cache
def processor_sql(name: str) -> str:
    """The processor's query with every include expanded.

    Raises:
        KeyError: no reference processor has that name.
    """
    kind = processor_kind(name)
    if kind is None:
        raise KeyError(name)
    return expand((_folder(kind) / f"{name}.sql").read_text(encoding="utf-8"))


def expand(sql: str) -> str:
    """``sql`` with each ``-- include: NAME`` line replaced by ``sql/shared/NAME.sql``."""
    shared = _folder("shared")
    return INCLUDE.sub(
        lambda m: (shared / f"{m['name']}.sql").read_text(encoding="utf-8").strip("\n") + m["comma"], sql
    )
