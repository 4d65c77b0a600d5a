"""Fixtures for the BigQuery backend end to end: one BigQuery-API emulator per test session, demo data
seeded into it behind a dataset prefix, and a recorder of every job request the official client sends.

Seeding a whole demo season into the emulator takes about 40 s (play-by-play is most of it), so each
prefix is seeded only up to the last date its tests read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from harness.declaration.model import Pipeline
from harness.warehouse.bigquery.warehouse import BigQueryWarehouse
from tests.bigquery_emulator import PROJECT, RecordingSession


@dataclass(frozen=True)
class Target:
    """Seeded datasets in the emulator: ``<prefix>nba_raw`` and friends."""

    url: str
    prefix: str

    def warehouse(self, **options: Any) -> BigQueryWarehouse:
        return BigQueryWarehouse(PROJECT, dataset_map=self.prefix, endpoint=self.url, **options)

    def args(self, project: str = PROJECT) -> list[str]:
        """The suite's command-line options for this target."""
        return [
            "--backend", "bigquery", "--project", project,
            "--bigquery-endpoint", self.url, "--dataset-prefix", self.prefix,
        ]  # fmt: skip


@pytest.fixture(scope="session")
def seed_bigquery(emulator_url: str, pipeline: Pipeline) -> Callable[[str, date], Target]:
    """Returns ``seed(prefix, through)``: the reference tables and the 2021-22 demo season up to
    ``through``, in datasets named with ``prefix``."""
    from harness.reference.seed import ensure_seeded

    def seed(prefix: str, through: date) -> Target:
        target = Target(emulator_url, prefix)
        ensure_seeded(target.warehouse(), pipeline, [pipeline.seasons[0]], through=through)
        return target

    return seed


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingSession:
    """Every BigQuery client made from here on (the harness's and the reference jobs' in this process)
    sends through one recording session, still to the endpoint it was given."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    http = RecordingSession()

    def client(project: str, location: str | None, endpoint: str | None = None) -> bigquery.Client:
        assert endpoint is not None, "tests only ever talk to the emulator"
        return bigquery.Client(
            project=project,
            location=location,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=endpoint),
            _http=http,
        )

    monkeypatch.setattr("harness.warehouse.bigquery.warehouse._default_client", client)
    return http
