"""The SQL of a declared rule (expected entities, reconciliations), rendered for one query.

A rule is BigQuery SQL written in the declaration, so that a pipeline declares its own rules without
Python. It names tables and the declaration's ``[sql]`` blocks as ``{name}``: a table becomes its
``dataset.table`` reference (validated identifiers, which the BigQuery backend qualifies with the
project and dataset prefix), a block becomes a subquery. Values are never spliced in: the window is
``@start`` and ``@end``, a rule's own values are query parameters named by the rule, and ``bind`` gives
them names of their own so that the rules of several tables share one query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from harness.declaration.model import Scalar, Table
from harness.errors import ConfigError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
WINDOW_PARAMS = ("start", "end")
"""The parameters every rule receives: the first and last day it must yield rows for."""


def render(
    sql: str, tables: Mapping[str, Table], blocks: Mapping[str, str], within: tuple[str, ...] = ()
) -> str:
    """``sql`` with every ``{name}`` replaced by the table's reference or the block's SQL (a subquery).

    Raises:
        ConfigError: an unknown name, or blocks that name each other in a circle.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in tables:
            return tables[name].ref
        if name in within:
            raise ConfigError(f"[sql] {name} names itself through {' -> '.join(within)}; break the circle")
        if name in blocks:
            return f"({render(blocks[name], tables, blocks, (*within, name))})"
        raise ConfigError(
            f"{{{name}}} is neither a declared table nor an [sql] block; declare it or fix the name"
        )

    return PLACEHOLDER.sub(replace, sql)


def bind(sql: str, params: Mapping[str, Scalar], prefix: str) -> tuple[str, dict[str, Scalar]]:
    """``sql`` with each of the rule's ``@param`` renamed ``@<prefix>_<param>``, and their values under
    those names: rules of different tables may use the same parameter name in one query."""
    bound = {f"{prefix}_{name}": value for name, value in params.items()}
    for name in params:
        sql = re.sub(rf"@{name}\b", f"@{prefix}_{name}", sql)
    return sql, bound
