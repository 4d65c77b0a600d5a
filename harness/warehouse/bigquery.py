"""The BigQuery warehouse: the official client, named parameters, labelled and capped jobs.

Why it is shaped this way:

- Every value is a named query parameter typed from its Python value; identifiers (datasets, tables)
  come only from the declaration and are checked against ``NAME`` before they reach SQL.
- The SQL names tables ``dataset.table`` with the declaration's dataset names. A dataset map (a prefix
  such as ``test_``, or an explicit dict) points them at the user's datasets; the rewrite works on the
  sqlglot AST, never on text, so a dataset name inside a string literal or a column is never touched, and
  every mapped table is qualified with the project so jobs never depend on a default project.
- A connection lives in one BigQuery session, created by its first job (``create_session``) and named by
  ``connection_properties`` afterwards. That gives what the embedded backend has per connection:
  ``CREATE TEMP TABLE`` works across statements, and ``transaction()`` is BEGIN/COMMIT/ROLLBACK
  TRANSACTION in the session. Each ``;``-separated statement is its own job, so ``execute`` returns
  the rows the last statement changed, and ``statements_run`` counts what the DuckDB backend counts.
- Load jobs cannot join a session transaction, so ``insert_frame`` inside ``transaction()`` commits on
  its own (atomic per call, not with the surrounding statements).
- ``insert_frame`` loads newline-delimited JSON typed by the target table's schema rather than using
  ``load_table_from_dataframe``: that needs pyarrow, which the harness does not otherwise install (and
  whose presence changes pandas 3's string dtype for every other caller). The upload is resumable
  (no ``size``), which real BigQuery and the bqemulator both accept; the emulator rejects the
  multipart upload the client picks for small payloads of known size.
- Sessions end on BigQuery's idle timeout: ``CALL BQ.ABORT_SESSION()`` is not in the emulator, and a
  session only holds the connection's temp tables.
- Errors are one line that names the fix; messages never carry credentials or environment values.

Measured against the bqemulator (1.4.0): jobs accept labels and ``maximum_bytes_billed`` but the
emulator neither echoes nor enforces them, and its dry runs report 0 bytes.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from harness.errors import WarehouseError
from harness.warehouse.base import Params

if TYPE_CHECKING:
    import pandas as pd
    from google.cloud import bigquery

ClientFactory = Callable[[str, "str | None"], "bigquery.Client"]

NO_CREDENTIALS = (
    "no Google credentials found; run `gcloud auth application-default login` "
    "or set GOOGLE_APPLICATION_CREDENTIALS"
)

# Dataset and table names the harness accepts: BigQuery allows more, the contract uses no more.
NAME = re.compile(r"[A-Za-z0-9_]+")
PROJECT = re.compile(r"[a-z0-9][a-z0-9.:-]*[a-z0-9]")
METADATA_VIEW = "INFORMATION_SCHEMA."
ENDPOINT = re.compile(r"https?://[^\s/]+(/\S*)?")

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
        clean[name] = sanitize_label(value)
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


@dataclass(frozen=True)
class Statement:
    """One statement ready to send, and the parameter names it uses (bound exactly, like DuckDB)."""

    sql: str
    params: tuple[str, ...]


def _parameter_names(tree: exp.Expression) -> tuple[str, ...]:
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


# The client puts the request's method and URL before BigQuery's own message.
REQUEST_PREFIX = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE) \S+: ")


def _first_line(exc: BaseException) -> str:
    text = REQUEST_PREFIX.sub("", (getattr(exc, "message", None) or str(exc)).strip())
    return text.splitlines()[0] if text else type(exc).__name__


# "Not found: Dataset p:d was not found ..." from jobs, "Not found: table:p.d.t" from the tables API.
NOT_FOUND = re.compile(r"Not found: (Dataset|Table|Project)[: ]([^\s;]+)", re.IGNORECASE)
NOT_FOUND_HINTS = {
    "dataset": "create it (`bq mk --dataset PROJECT:DATASET`), or fix --project or the dataset mapping",
    "table": "create the table (run the pipeline's DDL), or fix --project or the dataset mapping",
    "project": "check --project: it must be an existing project id your account can use",
}
BYTES_REQUIRED = re.compile(r"(\d+) or higher required")


def warehouse_error(exc: BaseException, project: str, cap: int | None) -> WarehouseError:
    """The one-line error for a failure of the client, BigQuery or the credentials."""
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    if isinstance(exc, (auth.DefaultCredentialsError, auth.RefreshError)):
        return WarehouseError(NO_CREDENTIALS)
    message = _first_line(exc)
    reasons = {error.get("reason") for error in getattr(exc, "errors", None) or () if isinstance(error, dict)}
    if "bytesBilledLimitExceeded" in reasons:
        needed = BYTES_REQUIRED.search(message)
        billed = f"{needed.group(1)} bytes" if needed else "more bytes"
        return WarehouseError(
            f"query stopped by the byte cap: it needs {billed}, maximum_bytes_billed is {cap}; "
            "narrow the window or raise the cap"
        )
    missing = NOT_FOUND.search(message)
    if isinstance(exc, api.NotFound) and missing:
        kind = missing.group(1).lower()
        return WarehouseError(f"BigQuery {kind} {missing.group(2)} not found; {NOT_FOUND_HINTS[kind]}")
    if isinstance(exc, api.Forbidden):
        return WarehouseError(
            f"BigQuery refused: {message}; check that project {project} exists and your account may run "
            "jobs in it (roles/bigquery.jobUser)"
        )
    return WarehouseError(f"BigQuery {type(exc).__name__}: {message}")


def _failures() -> tuple[type[BaseException], ...]:
    """What the client raises for a refused or failed request (imported late: the client is slow)."""
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError

    return (GoogleAPIError, GoogleAuthError)


def _column(field: bigquery.SchemaField, values: list[Any]) -> pd.Series:
    import pandas as pd

    dtype = COLUMN_DTYPES.get(field.field_type) if field.mode != "REPEATED" else None
    if dtype is None:
        return pd.Series(values, dtype=object)
    column = pd.Series(values, dtype=dtype)
    if dtype in WITHOUT_NULLS and not column.hasnans:
        column = column.astype(WITHOUT_NULLS[dtype])
    return column


def _frame(rows: bigquery.table.RowIterator) -> pd.DataFrame:
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
    return values.where(column.notna(), None).tolist()


def _ndjson(frame: pd.DataFrame, fields: Mapping[str, bigquery.SchemaField]) -> bytes:
    names = [str(name) for name in frame.columns]
    columns = [_json_column(frame[name], fields[name]) for name in names]
    return "\n".join(
        json.dumps(dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)
    ).encode()


def _default_client(project: str, location: str | None, endpoint: str | None = None) -> bigquery.Client:
    """Application default credentials, as ``gcloud auth application-default login`` leaves them; with an
    ``endpoint`` (a BigQuery-API emulator), anonymous credentials instead, since an emulator checks none and
    a developer's real credentials must never be sent to it."""
    from google.cloud import bigquery

    if endpoint is None:
        return bigquery.Client(project=project, location=location)
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    return bigquery.Client(
        project=project,
        location=location,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint),
    )


class BigQueryConnection:
    """One session's worth of work: every job labelled, capped and, after the first, in the session."""

    partition_metadata = True
    """``dataset.INFORMATION_SCHEMA.PARTITIONS`` answers here (coverage reads it instead of scanning)."""

    def __init__(self, client: bigquery.Client, warehouse: BigQueryWarehouse) -> None:
        self._client = client
        self._warehouse = warehouse
        self._session_id: str | None = None

    def _config(self, params: Params, statement: Statement, **extra: Any) -> bigquery.QueryJobConfig:
        from google.cloud import bigquery

        missing = [name for name in statement.params if name not in params]
        if missing:
            raise WarehouseError(f"query parameter @{missing[0]} has no value; pass it in params")
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(name, params[name]) for name in statement.params],
            labels=sanitize_labels(self._warehouse.labels),
            use_legacy_sql=False,
            **extra,
        )
        if self._warehouse.maximum_bytes_billed is not None:
            config.maximum_bytes_billed = self._warehouse.maximum_bytes_billed
        return config

    def _session(self) -> dict[str, Any]:
        from google.cloud import bigquery

        if self._session_id is None:
            return {"create_session": True}
        return {"connection_properties": [bigquery.ConnectionProperty("session_id", self._session_id)]}

    def _job(
        self, statement: Statement, params: Params
    ) -> tuple[bigquery.QueryJob, bigquery.table.RowIterator]:
        """Run one statement in the session and wait for it; its rows are fetched when iterated."""
        config = self._config(params, statement, **self._session())
        try:
            job = self._client.query(statement.sql, job_config=config)
            rows = job.result()
        except _failures() as exc:
            raise self._warehouse.error(exc) from exc
        if self._session_id is None and job.session_info is not None:
            self._session_id = job.session_info.session_id
        return job, rows

    def _run(self, sql: str, params: Params | None) -> tuple[bigquery.QueryJob, bigquery.table.RowIterator]:
        statements = self._warehouse.statements(sql)
        if not statements:
            raise WarehouseError("the SQL holds no statement")
        for statement in statements:
            self._warehouse.statements_run += 1
            last = self._job(statement, params or {})
        return last

    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        _, rows = self._run(sql, params)
        try:
            return _frame(rows)
        except _failures() as exc:
            raise self._warehouse.error(exc) from exc

    def execute(self, sql: str, params: Params | None = None) -> int:
        job, _ = self._run(sql, params)
        return job.num_dml_affected_rows or 0

    def dry_run(self, sql: str, params: Params | None = None) -> int:
        """Bytes the statements would process (what on-demand pricing bills), without running them.

        Outside the session (a dry run creates none) and not counted in ``statements_run``.
        """
        total = 0
        for statement in self._warehouse.statements(sql):
            config = self._config(params or {}, statement, dry_run=True, use_query_cache=False)
            try:
                total += self._client.query(statement.sql, job_config=config).total_bytes_processed or 0
            except _failures() as exc:
                raise self._warehouse.error(exc) from exc
        return total

    def _control(self, sql: str) -> None:
        self._job(Statement(sql, ()), {})

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._control("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            # BigQuery may already have ended a transaction whose statement failed; the original error
            # is the one worth reporting.
            with suppress(WarehouseError):
                self._control("ROLLBACK TRANSACTION")
            raise
        self._control("COMMIT TRANSACTION")

    def insert_frame(self, table_ref: str, frame: pd.DataFrame) -> int:
        from google.cloud import bigquery

        target = self._warehouse.table_id(table_ref)
        try:
            schema = self._client.get_table(target).schema
            fields = {field.name: field for field in schema}
            unknown = [str(name) for name in frame.columns if name not in fields]
            if unknown:
                raise WarehouseError(f"insert into {table_ref}: the table has no column {', '.join(unknown)}")
            if frame.empty:
                return 0
            config = bigquery.LoadJobConfig(
                source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
                write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
                create_disposition=bigquery.CreateDisposition.CREATE_NEVER,
                schema=schema,
                labels=sanitize_labels(self._warehouse.labels),
            )
            self._warehouse.statements_run += 1
            # No ``size``: the client then uploads resumably (see the module docstring).
            body = io.BytesIO(_ndjson(frame, fields))
            self._client.load_table_from_file(body, target, job_config=config).result()
        except _failures() as exc:
            raise WarehouseError(f"insert into {table_ref}: {self._warehouse.error(exc)}") from exc
        return len(frame)

    def table_columns(self, datasets: list[str]) -> dict[str, list[str]]:
        columns: dict[str, list[str]] = {}
        for dataset in datasets:
            source = (
                f"`{self._warehouse.project}`.`{self._warehouse.dataset(dataset)}`.INFORMATION_SCHEMA.COLUMNS"
            )
            sql = f"SELECT table_name, column_name FROM {source} ORDER BY table_name, ordinal_position"
            _, rows = self._job(Statement(sql, ()), {})
            for table, column in rows:
                columns.setdefault(f"{dataset}.{table}", []).append(column)
        return columns


class BigQueryWarehouse:
    """A BigQuery project; ``connect()`` opens a session-backed connection with the official client."""

    kind = "bigquery"

    def __init__(
        self,
        project: str,
        location: str | None = None,
        dataset_map: str | Mapping[str, str] | None = None,
        maximum_bytes_billed: int | None = None,
        labels: Mapping[str, object] | None = None,
        client_factory: ClientFactory | None = None,
        endpoint: str | None = None,
    ) -> None:
        if not PROJECT.fullmatch(project):
            raise WarehouseError(f"--project {project!r} is not a BigQuery project id (lowercase, digits, -)")
        if endpoint is not None and not ENDPOINT.fullmatch(endpoint):
            raise WarehouseError(f"--bigquery-endpoint {endpoint!r} is not an http(s) URL")
        self.project = project
        self.location = project
        self.region = location
        self.dataset_map = dataset_map
        self.maximum_bytes_billed = maximum_bytes_billed
        self.labels: dict[str, object] = dict(labels or {})
        self.statements_run = 0
        self.endpoint = endpoint
        self._client_factory = client_factory or partial(_default_client, endpoint=endpoint)
        self._client: bigquery.Client | None = None
        self._statements: dict[str, list[Statement]] = {}

    def dataset(self, name: str) -> str:
        """The user's dataset for the declaration's dataset ``name``."""
        if not NAME.fullmatch(name):
            raise WarehouseError(f"dataset name {name!r} is not a plain identifier")
        if isinstance(self.dataset_map, str):
            return f"{self.dataset_map}{name}"
        mapped = (self.dataset_map or {}).get(name, name)
        if not NAME.fullmatch(mapped):
            raise WarehouseError(f"dataset map sends {name!r} to {mapped!r}, not a plain identifier")
        return mapped

    def table_id(self, table_ref: str) -> str:
        """``project.dataset.table`` for the declaration's ``dataset.table``."""
        parts = table_ref.split(".")
        if len(parts) != 2 or not NAME.fullmatch(parts[1]):
            raise WarehouseError(f"table reference {table_ref!r} is not dataset.table")
        return f"{self.project}.{self.dataset(parts[0])}.{parts[1]}"

    def statements(self, sql: str) -> list[Statement]:
        """``sql`` split into statements with every ``dataset.table`` mapped and project-qualified; cached."""
        cached = self._statements.get(sql)
        if cached is None:
            try:
                trees = [tree for tree in sqlglot.parse(sql, read="bigquery") if tree is not None]
            except sqlglot.errors.ParseError as exc:
                raise WarehouseError(f"SQL does not parse as BigQuery: {_first_line(exc)}") from None
            cached = self._statements[sql] = [self._qualify(tree) for tree in trees]
        return cached

    def _qualify(self, tree: exp.Expression) -> Statement:
        project = exp.to_identifier(self.project, quoted=True)
        for table in tree.find_all(exp.Table):
            dataset = table.args.get("db")
            # No dataset: a CTE, an UNNEST alias or a session temp table. A catalog: already explicit.
            if dataset is None or table.args.get("catalog") is not None:
                continue
            table.set("db", exp.to_identifier(self.dataset(dataset.name)))
            table.set("catalog", project.copy())
            if table.name.upper().startswith(METADATA_VIEW):
                # sqlglot reads ``dataset.INFORMATION_SCHEMA.X`` as one quoted name; BigQuery takes it
                # either way, but an emulator only recognises the view unquoted.
                table.this.set("quoted", False)
        return Statement(tree.sql(dialect="bigquery"), _parameter_names(tree))

    def check_datasets(self, names: Iterable[str]) -> None:
        """Fail in one line, before anything runs or is written, when the credentials, the project or one
        of the mapped datasets is missing; otherwise every test would fail on its own with the same cause."""
        client = self.client()
        for name in sorted(set(names)):
            try:
                client.get_dataset(f"{self.project}.{self.dataset(name)}")
            except _failures() as exc:
                raise self.error(exc) from None

    def error(self, exc: BaseException) -> WarehouseError:
        return warehouse_error(exc, self.project, self.maximum_bytes_billed)

    def client(self) -> bigquery.Client:
        """The client, made once: it finds the credentials, which is where their absence shows."""
        if self._client is None:
            try:
                self._client = self._client_factory(self.project, self.region)
            except _failures() as exc:
                raise self.error(exc) from None
        return self._client

    @contextmanager
    def connect(self) -> Iterator[BigQueryConnection]:
        yield BigQueryConnection(self.client(), self)

    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        with self.connect() as conn:
            return conn.query(sql, params)

    def execute(self, sql: str, params: Params | None = None) -> int:
        with self.connect() as conn:
            return conn.execute(sql, params)
