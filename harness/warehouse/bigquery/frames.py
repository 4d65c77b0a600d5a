"""Result rows as DataFrames typed like the DuckDB backend's, and DataFrames as newline-delimited JSON
for load jobs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from google.cloud import bigquery

# Result columns get the dtypes the DuckDB backend returns, so the two backends compare equal.
COLUMN_DTYPES = {
    "DATE": "datetime64[us]",
    "DATETIME": "datetime64[us]",
    "TIMESTAMP": "datetime64[us, UTC]",
    "INTEGER": "Int64",
    "INT64": "Int64",
    "BOOLEAN": "boolean",
    "BOOL": "boolean",
    "FLOAT": "float64",
    "FLOAT64": "float64",
    "NUMERIC": "float64",
    "BIGNUMERIC": "float64",
    "STRING": "str",
}
# DuckDB hands back plain numpy dtypes for columns without NULLs.
WITHOUT_NULLS = {"Int64": "int64", "boolean": "bool"}


def _column(field: bigquery.SchemaField, values: list[Any]) -> pd.Series:
    import pandas as pd

    dtype = COLUMN_DTYPES.get(field.field_type) if field.mode != "REPEATED" else None
    if dtype is None:
        return pd.Series(values, dtype=object)
    column = pd.Series(values, dtype=dtype)
    if dtype in WITHOUT_NULLS and not column.hasnans:
        column = column.astype(WITHOUT_NULLS[dtype])
    return column


def result_frame(rows: bigquery.table.RowIterator) -> pd.DataFrame:
    """A job's rows as a DataFrame with the dtypes the DuckDB backend returns."""
    import pandas as pd

    records = [tuple(row.values()) for row in rows]
    return pd.DataFrame(
        {field.name: _column(field, [r[i] for r in records]) for i, field in enumerate(rows.schema)},
        columns=[field.name for field in rows.schema],
    )


# Text that a JSON load job reads into these types; to_datetime also takes date and datetime objects.
TIME_FORMATS = {
    "DATE": "%Y-%m-%d",
    "DATETIME": "%Y-%m-%dT%H:%M:%S.%f",
    "TIMESTAMP": "%Y-%m-%dT%H:%M:%S.%f+00:00",
}


def _json_column(column: pd.Series, field: bigquery.SchemaField) -> list[Any]:
    """A DataFrame column as JSON-ready Python values for ``field``, converted a column at a time.

    Per-cell conversion took about 170 s for the demo season's 23 million cells; this takes seconds.
    Floats stay Python floats, so JSON carries them exactly (pandas' own writer rounds to 15 places).
    """
    import pandas as pd

    if field.mode == "REPEATED":
        return [None if cell is None else list(cell) for cell in column.tolist()]
    if field.field_type in TIME_FORMATS:
        times = pd.to_datetime(column, utc=field.field_type == "TIMESTAMP")
        column = times.dt.strftime(TIME_FORMATS[field.field_type])
    elif field.field_type in ("NUMERIC", "BIGNUMERIC"):
        column = column.astype("string")
    values = column.astype(object)
    cells: list[Any] = values.where(column.notna(), None).tolist()
    return cells


def ndjson(frame: pd.DataFrame, fields: Mapping[str, bigquery.SchemaField]) -> bytes:
    """``frame`` as newline-delimited JSON for a load job into a table with ``fields``."""
    names = [str(name) for name in frame.columns]
    columns = [_json_column(frame[name], fields[name]) for name in names]
    return "\n".join(
        json.dumps(dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)
    ).encode()
