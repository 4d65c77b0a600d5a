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

EXPIRED_CREDENTIALS = (
    "Google credentials expired or were revoked (reauthentication is needed); run "
    "`gcloud auth application-default login` again, or renew the service-account key"
)

# A 403's reason (``errors[].reason``), what it means and its fix. Checked in this order.
FORBIDDEN_REASONS = {
    "billingNotEnabled": (
        "billing is not enabled for project {project} (the BigQuery sandbox refuses DML and load jobs)",
        "enable billing on the project, or run --mode plan or --mode verify, which write nothing",
    ),
    "quotaExceeded": (
        "a BigQuery quota of project {project} is exhausted",
        "wait for the quota to reset or raise it (IAM & Admin > Quotas), or narrow the window",
    ),
    "rateLimitExceeded": (
        "too many requests to BigQuery in a short time",
        "run fewer processors at once (-n) and retry",
    ),
    "accessDenied": (
        "access denied",
        "check that project {project} exists and your account may run jobs in it (roles/bigquery.jobUser) "
        "and read and write the datasets (roles/bigquery.dataEditor)",
    ),
}


def warehouse_error(exc: BaseException, project: str, cap: int | None) -> WarehouseError:
    """The one-line error for a failure of the client, BigQuery or the credentials."""
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    if isinstance(exc, auth.DefaultCredentialsError):
        return WarehouseError(NO_CREDENTIALS)
    if isinstance(exc, auth.RefreshError):
        # Found but refused by Google: an expired or revoked login, not a missing one.
        return WarehouseError(EXPIRED_CREDENTIALS)
    message = first_line(exc)
    reasons = {error.get("reason") for error in getattr(exc, "errors", None) or () if isinstance(error, dict)}
    if "Reauthentication is needed" in message:
        return WarehouseError(EXPIRED_CREDENTIALS)
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
        return _forbidden(message, reasons, project)
    return WarehouseError(f"BigQuery {type(exc).__name__}: {message}")


def _forbidden(message: str, reasons: set[object], project: str) -> WarehouseError:
    """A 403 by its reason: the sandbox, a quota, a rate limit and a permission each have their own fix."""
    reason = next((r for r in FORBIDDEN_REASONS if r in reasons), "accessDenied")
    what, fix = (text.format(project=project) for text in FORBIDDEN_REASONS[reason])
    return WarehouseError(f"BigQuery refused ({reason}): {what}: {message}; {fix}")


def failures() -> tuple[type[BaseException], ...]:
    """What the client raises for a refused or failed request (imported late: the client is slow)."""
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError

    return (GoogleAPIError, GoogleAuthError)
