"""A connection: one BigQuery session's worth of work, every job labelled and capped."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from harness.errors import WarehouseError
from harness.warehouse.base import DryRun, Params, Rows
from harness.warehouse.bigquery.errors import failures
from harness.warehouse.bigquery.frames import ndjson, result_frame
from harness.warehouse.bigquery.params import query_parameter, sanitize_labels
from harness.warehouse.bigquery.statements import Statement, columns_sql

if TYPE_CHECKING:
    import pandas as pd
    from google.cloud import bigquery

    from harness.warehouse.bigquery.warehouse import BigQueryWarehouse


class BigQueryConnection:
    """One session's worth of work: every job labelled, capped and, after the first, in the session."""

    partition_metadata = True

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
            job = self._client.query(statement.sql, job_config=config, location=self._warehouse.location)
            rows = job.result()
        except failures() as exc:
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
        """Run the statements; the last one's rows as a DataFrame typed like DuckDB's."""
        _, rows = self._run(sql, params)
        try:
            return result_frame(rows)
        except failures() as exc:
            raise self._warehouse.error(exc) from exc

    def rows(self, sql: str, params: Params | None = None) -> Rows:
        """Run the statements; the last one's rows as the client's Python values."""
        _, rows = self._run(sql, params)
        try:
            return Rows(tuple(field.name for field in rows.schema), [tuple(row.values()) for row in rows])
        except failures() as exc:
            raise self._warehouse.error(exc) from exc

    def execute(self, sql: str, params: Params | None = None) -> int:
        """Run the statements; the rows the last one changed."""
        job, _ = self._run(sql, params)
        return job.num_dml_affected_rows or 0

    def dry_run(self, sql: str, params: Params | None = None) -> DryRun:
        """Bytes the statements would process and the tables they reference, without running them.

        Outside the session (a dry run creates none) and not counted in ``statements_run``.
        """
        total, tables = 0, set[str]()
        for statement in self._warehouse.statements(sql):
            config = self._config(params or {}, statement, dry_run=True, use_query_cache=False)
            try:
                job = self._client.query(statement.sql, job_config=config, location=self._warehouse.location)
            except failures() as exc:
                raise self._warehouse.error(exc) from exc
            total += job.total_bytes_processed or 0
            tables.update(f"{t.project}.{t.dataset_id}.{t.table_id}" for t in job.referenced_tables or ())
        return DryRun(total, tuple(sorted(tables)))

    def _control(self, sql: str) -> None:
        self._job(Statement(sql, ()), {})

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN/COMMIT TRANSACTION in the session; ROLLBACK when the block raises."""
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

    def script(self, sql: str, params: Params | None = None) -> None:
        """The statements as one multi-statement job inside BEGIN/COMMIT TRANSACTION: BigQuery rolls the
        whole job back when a statement fails, and a process killed while it runs leaves no transaction
        open in the session (separate BEGIN, DELETE, INSERT, COMMIT jobs would, holding the table)."""
        statements = self._warehouse.statements(sql)
        if not statements:
            raise WarehouseError("the SQL holds no statement")
        if not self._warehouse.scripts_take_parameters:
            # An emulator that binds no parameter inside a multi-statement job: the same statements, one
            # job each, in the session's transaction.
            with self.transaction():
                self._run(sql, params)
            return
        names = tuple(sorted({name for statement in statements for name in statement.params}))
        body = ";\n".join(statement.sql for statement in statements)
        self._warehouse.statements_run += len(statements)
        self._job(Statement(f"BEGIN TRANSACTION;\n{body};\nCOMMIT TRANSACTION", names), params or {})

    def close(self) -> None:
        """End the session (``CALL BQ.ABORT_SESSION()``): what it holds, its temp tables and any
        transaction a failed statement left open, would otherwise live until the session times out (up to
        24 hours), and an open transaction makes BigQuery cancel later conflicting ones on its tables."""
        if self._session_id is None:
            return
        # A session that cannot be ended expires on its own; the emulator has no BQ.ABORT_SESSION.
        with suppress(WarehouseError):
            self._control("CALL BQ.ABORT_SESSION()")
        self._session_id = None

    def insert_frame(self, table_ref: str, frame: pd.DataFrame) -> int:
        """Append ``frame`` to the table with a load job typed by its schema; rows written."""
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
            body = io.BytesIO(ndjson(frame, fields))
            self._client.load_table_from_file(
                body, target, job_config=config, location=self._warehouse.location
            ).result()
        except failures() as exc:
            raise WarehouseError(f"insert into {table_ref}: {self._warehouse.error(exc)}") from exc
        return len(frame)

    def table_columns(self, datasets: list[str]) -> dict[str, list[str]]:
        """Every table's columns per dataset, from ``INFORMATION_SCHEMA.COLUMNS``."""
        columns: dict[str, list[str]] = {}
        for dataset in datasets:
            self._warehouse.dataset(dataset)  # refuses a name that is not a plain identifier
            (statement,) = self._warehouse.statements(columns_sql(dataset))
            _, rows = self._job(statement, {})
            for table, column in rows:
                columns.setdefault(f"{dataset}.{table}", []).append(column)
        return columns
