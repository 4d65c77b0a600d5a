"""Running one statement on a warehouse from a test: open a connection, run it, close it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from harness.warehouse.base import Params, Warehouse


def query(warehouse: Warehouse, sql: str, params: Params | None = None) -> pd.DataFrame:
    """The rows of ``sql`` (BigQuery SQL) on ``warehouse``."""
    with warehouse.connect() as conn:
        return conn.query(sql, params)


def execute(warehouse: Warehouse, sql: str, params: Params | None = None) -> Any:
    """Run DDL or DML on ``warehouse``; the rows the last statement changed."""
    with warehouse.connect() as conn:
        return conn.execute(sql, params)
