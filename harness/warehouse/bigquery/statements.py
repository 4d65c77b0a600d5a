"""One statement ready to send, with the parameter names it binds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class Statement:
    """One statement ready to send, and the parameter names it uses (bound exactly, like DuckDB)."""

    sql: str
    params: tuple[str, ...]


def parameter_names(tree: exp.Expr) -> tuple[str, ...]:
    """The ``@name`` parameters a statement uses (bound exactly, like DuckDB)."""
    # ``@@system_variable`` parses as a parameter inside a parameter: not a value to bind.
    return tuple(
        sorted(
            {
                node.name
                for node in tree.find_all(exp.Parameter)
                if isinstance(node.this, exp.Var) and not isinstance(node.parent, exp.Parameter)
            }
        )
    )


def columns_sql(dataset: str) -> str:
    """Every table's columns of the declaration's ``dataset`` (mapped and qualified like any statement);
    an ``INFORMATION_SCHEMA`` query, which BigQuery bills at least 10 MB."""
    return (
        f"SELECT table_name, column_name FROM {dataset}.INFORMATION_SCHEMA.COLUMNS "
        "ORDER BY table_name, ordinal_position"
    )
