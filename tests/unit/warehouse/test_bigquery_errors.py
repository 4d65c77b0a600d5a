"""BigQuery's refusals the emulator cannot produce (it checks no credentials, quota or billing), built as the
client raises them, each translated by its reason into one line with its own fix."""

from __future__ import annotations

import pytest

from harness.context.run import new_run_id
from harness.warehouse.bigquery.errors import EXPIRED_CREDENTIALS, NO_CREDENTIALS, warehouse_error
from harness.warehouse.bigquery.params import sanitize_labels

PROJECT = "harness-test"


def test_missing_and_expired_credentials_are_told_apart() -> None:
    from google.api_core.exceptions import Unauthorized
    from google.auth.exceptions import DefaultCredentialsError, RefreshError

    missing = DefaultCredentialsError("Your default credentials were not found.")
    assert str(warehouse_error(missing, PROJECT, None)) == NO_CREDENTIALS
    revoked = RefreshError(
        "('invalid_grant: Token has been expired or revoked.', {'error': 'invalid_grant'})"
    )
    assert str(warehouse_error(revoked, PROJECT, None)) == EXPIRED_CREDENTIALS
    # gcloud's user credentials after the session policy ran out: a 401 from the API, not a RefreshError.
    reauth = Unauthorized("Reauthentication is needed. Please run `gcloud auth application-default login`")
    assert str(warehouse_error(reauth, PROJECT, None)) == EXPIRED_CREDENTIALS
    assert NO_CREDENTIALS != EXPIRED_CREDENTIALS


@pytest.mark.parametrize(
    ("reason", "message", "fix"),
    [
        ("quotaExceeded", "Quota exceeded: Your project exceeded quota for free query bytes scanned.", "quota"),
        ("rateLimitExceeded", "Exceeded rate limits: too many table update operations.", "run fewer"),
        ("billingNotEnabled", "Billing has not been enabled for this project. DML queries are not allowed "
         "in the free tier.", "enable billing"),
        ("accessDenied", "Access Denied: Table p:d.t: User does not have permission to query table p:d.t.",
         "roles/bigquery.jobUser"),
    ],
)  # fmt: skip
def test_each_403_reason_has_its_own_fix(reason: str, message: str, fix: str) -> None:
    from google.api_core.exceptions import Forbidden

    refused = Forbidden(
        f"POST https://bigquery.googleapis.com/bigquery/v2/projects/{PROJECT}/jobs: {message}",
        errors=[{"reason": reason, "message": message, "domain": "global"}],
    )
    line = str(warehouse_error(refused, PROJECT, None))
    assert line.startswith(f"BigQuery refused ({reason}): ") and message in line
    assert fix in line.rsplit("; ", 1)[1]
    assert "\n" not in line and "https://" not in line


def test_the_four_403_fixes_differ() -> None:
    from google.api_core.exceptions import Forbidden

    fixes = {
        str(warehouse_error(Forbidden("x", errors=[{"reason": r}]), PROJECT, None)).rsplit("; ", 1)[1]
        for r in ("quotaExceeded", "rateLimitExceeded", "billingNotEnabled", "accessDenied")
    }
    assert len(fixes) == 4


def test_run_ids_are_valid_job_labels_unchanged() -> None:
    """BigQuery lowercases label values: a run id must survive that, or JOBS cannot find its run."""
    for _ in range(20):
        run_id = new_run_id()
        assert sanitize_labels({"harness_run_id": run_id}) == {"harness_run_id": run_id}
