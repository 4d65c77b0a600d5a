"""Query parameters typed from Python values, and job labels under BigQuery's rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from harness.errors import WarehouseError

if TYPE_CHECKING:
    from google.cloud import bigquery


# Checked in order: a bool is an int and a datetime is a date, so the narrower type comes first.
PARAM_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "BOOL"),
    (int, "INT64"),
    (float, "FLOAT64"),
    (Decimal, "NUMERIC"),
    (str, "STRING"),
    (datetime, "TIMESTAMP"),
    (date, "DATE"),
)


LABEL_LIMIT = 63


def sanitize_label(text: str) -> str:
    """A label key or value under BigQuery's rules: lowercase ``[a-z0-9_-]``, at most 63 characters."""
    return re.sub(r"[^a-z0-9_-]", "_", str(text).lower())[:LABEL_LIMIT]


def sanitize_labels(labels: Mapping[str, object]) -> dict[str, str]:
    """Keys must also start with a letter; a key that does not gets an ``l`` in front."""
    clean = {}
    for key, value in labels.items():
        name = sanitize_label(key)
        if not name[:1].isalpha():
            name = f"l{name}"[:LABEL_LIMIT]
        clean[name] = sanitize_label(str(value))
    return clean


def _plain(value: Any) -> Any:
    """numpy scalars (what a DataFrame cell is) as the Python value they hold."""
    return value.item() if type(value).__module__ == "numpy" else value


def _bq_type(name: str, value: Any) -> str:
    for python_type, bq_type in PARAM_TYPES:
        if isinstance(value, python_type):
            return bq_type
    raise WarehouseError(
        f"query parameter @{name} is a {type(value).__name__}; pass a str, int, float, bool, Decimal, date, "
        "datetime or a list of one of those"
    )


def query_parameter(name: str, value: Any) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    """A typed named parameter; BigQuery cannot type a NULL or an empty list, so those are refused."""
    from google.cloud import bigquery

    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        if not items or any(item is None for item in items):
            raise WarehouseError(
                f"query parameter @{name} is an empty list or holds None; BigQuery cannot type it"
            )
        return bigquery.ArrayQueryParameter(name, _bq_type(name, items[0]), items)
    value = _plain(value)
    if value is None:
        raise WarehouseError(
            f"query parameter @{name} is None; BigQuery cannot type a NULL: use IS NULL in SQL"
        )
    return bigquery.ScalarQueryParameter(name, _bq_type(name, value), value)
