"""The reference processors' SQL, by processor name: ``sql/analytics/`` (Phase 3 in the real pipeline)
and ``sql/precompute/`` (Phase 4).

A line ``-- include: NAME`` stands for ``sql/shared/NAME.sql``, so a block that two processors share (the
props consensus, the game lines, the play-by-play fallback) is written once. ``-- include: NAME,`` adds a
comma after the block (when more CTEs follow it). The line may be indented; the shared file carries the
indentation its text needs.

Where the copies differ only by a name, the include passes it: ``-- include: NAME(key=value, ...)``
replaces each ``{key}`` of the shared file with ``value``. The check is strict, as a typo in a shared block
would otherwise make a wrong query, not an error: a value is a plain SQL identifier (letters, digits,
underscores, no dot or quote), every placeholder gets a value and every value is used. An unknown name, a
malformed include line or a bad parameter raises ``IncludeError``.

The folder, not the declared phase, says how a job behaves (calendar days and the early exit for
analytics, game dates and the bootstrap skip for precompute), as the real scripts' base classes do: a
declaration may put a reference processor in any phase.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

KINDS = ("analytics", "precompute")
INCLUDE = re.compile(r"^[ \t]*-- include:(?P<spec>.*)$", re.MULTILINE)
"""Any line that starts an include: what follows must then be a valid ``SPEC``."""
SPEC = re.compile(r" (?P<name>\w+)(?:\((?P<args>[^()]*)\))?(?P<comma>,?)[ \t]*")
"""``NAME``, then optionally ``(key=value, ...)``, then optionally the comma."""
ARGUMENT = re.compile(r"\s*(?P<key>[A-Za-z_]\w*)\s*=\s*(?P<value>[A-Za-z_]\w*)\s*")
"""One ``key=value``: both plain SQL identifiers."""
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class IncludeError(ValueError):
    """An include line of the reference SQL that cannot be expanded: a mistake in the SQL files."""


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
        IncludeError: one of its include lines cannot be expanded.
    """
    kind = processor_kind(name)
    if kind is None:
        raise KeyError(name)
    return expand((_folder(kind) / f"{name}.sql").read_text(encoding="utf-8"))


def expand(sql: str) -> str:
    """``sql`` with each include line replaced by its shared block, parameters filled in.

    Raises:
        IncludeError: an include line is malformed, names no shared file, or its parameters do not match
            the file's placeholders.
    """
    return INCLUDE.sub(lambda line: _shared_block(line[0].strip()), sql)


def _shared_block(line: str) -> str:
    """The text that replaces one include line (given without its indentation)."""
    spec = SPEC.fullmatch(line.removeprefix("-- include:"))
    if spec is None:
        raise IncludeError(f"{line!r}: expected '-- include: NAME', 'NAME(key=value, ...)', comma optional")
    name, args = spec["name"], spec["args"]
    values: dict[str, str] = {}
    for argument in args.split(",") if args is not None else []:
        pair = ARGUMENT.fullmatch(argument)
        if pair is None:
            raise IncludeError(f"{line!r}: {argument.strip()!r} is not key=value with a plain SQL identifier")
        if pair["key"] in values:
            raise IncludeError(f"{line!r}: {pair['key']} is given twice")
        values[pair["key"]] = pair["value"]
    shared = _folder("shared") / f"{name}.sql"
    if not shared.is_file():
        raise IncludeError(f"{line!r}: no shared block {name} (sql/shared/{name}.sql)")
    text = shared.read_text(encoding="utf-8").strip("\n")
    placeholders = set(PLACEHOLDER.findall(text))
    if placeholders != set(values):
        problems = [f"no value for {key}" for key in sorted(placeholders - set(values))]
        problems += [f"{key} is not used" for key in sorted(set(values) - placeholders)]
        raise IncludeError(f"{line!r}: {', '.join(problems)} (sql/shared/{name}.sql)")
    return PLACEHOLDER.sub(lambda placeholder: values[placeholder[1]], text) + spec["comma"]
