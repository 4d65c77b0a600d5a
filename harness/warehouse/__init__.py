"""Warehouse backends behind one protocol; ``open_warehouse`` picks one by name."""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches

from harness.errors import ConfigError
from harness.warehouse.base import Connection, Warehouse

BACKENDS = ("duckdb", "bigquery")


def open_warehouse(
    backend: str,
    path: str,
    *,
    project: str | None = None,
    location: str | None = None,
    dataset_prefix: str | None = None,
    maximum_bytes_billed: str | int | None = None,
    endpoint: str | None = None,
    labels: Mapping[str, object] | None = None,
) -> Warehouse:
    """The warehouse for ``backend``: the DuckDB file ``path`` for the embedded default; for BigQuery the
    ``project`` (``location`` is the BigQuery location of its jobs), with datasets renamed by
    ``dataset_prefix``, jobs capped at ``maximum_bytes_billed`` and labelled with ``labels``, and an
    emulator's ``endpoint``.

    Backends import lazily: the BigQuery client alone costs more than a second to import. A bad option is
    a ConfigError naming the flag.
    """
    if backend == "duckdb":
        from harness.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(path)
    if backend == "bigquery":
        return _bigquery(project, location, dataset_prefix, maximum_bytes_billed, endpoint, labels)
    close = get_close_matches(backend, BACKENDS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"--backend {backend!r} is not a known backend ({', '.join(BACKENDS)}){hint}")


def _bigquery(
    project: str | None,
    location: str | None,
    dataset_prefix: str | None,
    maximum_bytes_billed: str | int | None,
    endpoint: str | None,
    labels: Mapping[str, object] | None,
) -> Warehouse:
    from harness.errors import WarehouseError
    from harness.warehouse.bigquery.warehouse import NAME, BigQueryWarehouse

    if not project:
        raise ConfigError(
            "--backend bigquery needs --project PROJECT (the BigQuery project to read and write)"
        )
    if dataset_prefix and not NAME.fullmatch(dataset_prefix):
        raise ConfigError(f"--dataset-prefix {dataset_prefix!r} must be letters, digits and underscores")
    cap = _positive_int(maximum_bytes_billed)
    try:
        return BigQueryWarehouse(
            project,
            location=location,
            dataset_map=dataset_prefix or None,
            maximum_bytes_billed=cap,
            labels=labels,
            endpoint=endpoint,
        )
    except WarehouseError as exc:
        raise ConfigError(str(exc)) from None


def _positive_int(value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigError(f"--maximum-bytes-billed {value!r} must be a positive whole number of bytes")
    return number


__all__ = ["BACKENDS", "Connection", "Warehouse", "open_warehouse"]
