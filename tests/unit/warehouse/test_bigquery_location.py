"""The session location (issue 14, item 2), on the emulator: the datasets' own location becomes every
job's when ``--location`` is not given, mixed locations are refused in one line, and a dataset the seed
creates gets the location option.

What the emulator cannot show: it runs every job wherever it is asked, so a session created in the wrong
location does not fail there; the tests read the location each job request carries instead."""

from __future__ import annotations

import pytest

from harness.declaration.model import Pipeline
from harness.errors import WarehouseError
from harness.reference.seed import create_tables
from harness.warehouse.bigquery.warehouse import BigQueryWarehouse, one_location
from tests.bigquery_emulator import PROJECT, RecordingSession
from tests.unit.warehouse.test_warehouse_bigquery import make_warehouse


@pytest.fixture
def http() -> RecordingSession:
    return RecordingSession()


def _datasets(wh: BigQueryWarehouse, locations: dict[str, str]) -> None:
    from google.cloud import bigquery

    for name, location in locations.items():
        dataset = bigquery.Dataset(f"{PROJECT}.{wh.dataset(name)}")
        dataset.location = location
        wh.client().create_dataset(dataset)


def test_the_datasets_location_goes_to_every_job(emulator_url: str, http: RecordingSession) -> None:
    wh = make_warehouse(emulator_url, http)
    _datasets(wh, {"nba_raw": "asia-northeast1", "nba_analytics": "asia-northeast1"})
    wh.check_datasets(["nba_raw", "nba_analytics"])
    assert wh.location == "asia-northeast1"
    with wh.connect() as conn:
        conn.query("SELECT 1 AS one")  # names no dataset: alone it would open the session in US
        conn.execute("CREATE TABLE nba_raw.t (a INT64)")
        conn.dry_run("SELECT a FROM nba_raw.t")
    assert http.locations and set(http.locations) == {"asia-northeast1"}


def test_mixed_locations_are_refused_in_one_line(emulator_url: str, http: RecordingSession) -> None:
    wh = make_warehouse(emulator_url, http)
    _datasets(wh, {"nba_raw": "US", "nba_analytics": "EU"})
    with pytest.raises(WarehouseError) as info:
        wh.check_datasets(["nba_raw", "nba_analytics"])
    line = str(info.value)
    assert "different BigQuery locations" in line and "\n" not in line
    assert f"eu: {wh.dataset('nba_analytics')}" in line and f"us: {wh.dataset('nba_raw')}" in line


def test_a_location_that_differs_from_the_datasets_is_refused(
    emulator_url: str, http: RecordingSession
) -> None:
    wh = make_warehouse(emulator_url, http, location="us-west2")
    _datasets(wh, {"nba_raw": "US"})
    with pytest.raises(
        WarehouseError, match=r"--location us-west2 but the datasets are in us; pass --location us"
    ):
        wh.check_datasets(["nba_raw"])


def test_one_location_rules() -> None:
    assert one_location({"a": "US", "b": "us"}, None) == "US"
    assert one_location({"a": "EU"}, "eu") == "eu"
    assert one_location({}, None) is None
    with pytest.raises(WarehouseError, match="is not a BigQuery location"):
        BigQueryWarehouse(PROJECT, location="US'; DROP")


def test_the_seed_creates_datasets_in_the_location(
    emulator_url: str, http: RecordingSession, pipeline: Pipeline
) -> None:
    wh = make_warehouse(emulator_url, http, location="EU")
    with wh.connect() as conn:
        create_tables(conn, pipeline, wh.location)
    schemas = [job["query"] for job in http.queries() if job["query"].startswith("CREATE SCHEMA")]
    assert len(schemas) == len(pipeline.datasets)
    # sqlglot alone would write ``LOCATION 'EU'``, which BigQuery refuses. (The emulator ignores the option
    # and makes every dataset in US, so the text is what can be checked here.)
    assert all(text.endswith("OPTIONS (location='EU')") for text in schemas), schemas
