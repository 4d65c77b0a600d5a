"""Warehouse backends behind one protocol; ``open_warehouse`` picks one by name."""

from __future__ import annotations

from difflib import get_close_matches

from harness.errors import ConfigError
from harness.warehouse.base import Connection, Warehouse

BACKENDS = ("duckdb",)


def open_warehouse(backend: str, location: str) -> Warehouse:
    """The warehouse for ``backend`` at ``location`` (a DuckDB file path for the embedded default).

    Backends import lazily: the BigQuery client alone costs more than a second to import.
    """
    if backend == "duckdb":
        from harness.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(location)
    close = get_close_matches(backend, BACKENDS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"--backend {backend!r} is not a known backend ({', '.join(BACKENDS)}){hint}")


__all__ = ["BACKENDS", "Connection", "Warehouse", "open_warehouse"]
