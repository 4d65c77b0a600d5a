"""One-line errors for failures of the client, BigQuery or the credentials, each naming the fix."""

from __future__ import annotations

import re

from harness.errors import WarehouseError

NO_CREDENTIALS = (
    "no Google credentials found; run `gcloud auth application-default login` "
    "or set GOOGLE_APPLICATION_CREDENTIALS"
)


# The client puts the request's method and URL before BigQuery's own message.
REQUEST_PREFIX = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE) \S+: ")


def first_line(exc: BaseException) -> str:
    """BigQuery's message without the request line the client puts first, one line."""
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
    message = first_line(exc)
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


def failures() -> tuple[type[BaseException], ...]:
    """What the client raises for a refused or failed request (imported late: the client is slow)."""
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError

    return (GoogleAPIError, GoogleAuthError)
