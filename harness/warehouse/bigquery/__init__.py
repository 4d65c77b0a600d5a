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
  TRANSACTION in the session (jobs of their own: ``script`` is the one-job form writers use). Each ``;``-separated statement is its own job, so ``execute`` returns
  the rows the last statement changed, and ``statements_run`` counts what the DuckDB backend counts.
- Load jobs cannot join a session transaction, so ``insert_frame`` inside ``transaction()`` commits on
  its own (atomic per call, not with the surrounding statements).
- ``insert_frame`` loads newline-delimited JSON typed by the target table's schema rather than using
  ``load_table_from_dataframe``: that needs pyarrow, which the harness does not otherwise install (and
  whose presence changes pandas 3's string dtype for every other caller). The upload is resumable
  (no ``size``), which real BigQuery and the bqemulator both accept; the emulator rejects the
  multipart upload the client picks for small payloads of known size.
- A connection ends its session (``CALL BQ.ABORT_SESSION()``) however it closes; ``script`` sends a
  transaction as one multi-statement job, so that no process can die between its BEGIN and its COMMIT.
- Errors are one line that names the fix; messages never carry credentials or environment values.

Measured against the bqemulator (1.4.0): jobs accept labels and ``maximum_bytes_billed`` but the
emulator neither echoes nor enforces them, and its dry runs report 0 bytes.
"""
