"""The BigQuery backend against a BigQuery-API emulator on 127.0.0.1, through the official client.

Every request the client sends is recorded, so the tests read what BigQuery would receive: the query
text, its typed parameters, labels, byte cap, session and dry-run flags.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from harness.errors import WarehouseError
from harness.warehouse.bigquery.errors import NO_CREDENTIALS, warehouse_error
from harness.warehouse.bigquery.params import query_parameter, sanitize_labels
from harness.warehouse.bigquery.warehouse import BigQueryWarehouse
from tests.bigquery_emulator import PROJECT, RecordingSession
from tests.sql import execute, query

EVIL = "x'; DROP TABLE nba_raw.t; --"


@pytest.fixture
def http() -> RecordingSession:
    return RecordingSession()


def make_warehouse(url: str, http: RecordingSession, **options: Any) -> BigQueryWarehouse:
    """A warehouse on the emulator whose datasets are private to the calling test (a unique prefix)."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    def client(project: str, location: str | None) -> bigquery.Client:
        return bigquery.Client(
            project=project,
            location=location,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=url),
            _http=http,
        )

    options.setdefault("dataset_map", f"t{uuid.uuid4().hex[:10]}_")
    return BigQueryWarehouse(PROJECT, client_factory=client, **options)


@pytest.fixture
def warehouse(emulator_url: str, http: RecordingSession) -> BigQueryWarehouse:
    wh = make_warehouse(emulator_url, http)
    execute(
        wh,
        "CREATE SCHEMA IF NOT EXISTS nba_raw; "
        "CREATE TABLE nba_raw.t (game_date DATE NOT NULL, team STRING, points INT64, pace FLOAT64, "
        "home BOOL, tipoff TIMESTAMP, share NUMERIC) PARTITION BY game_date",
    )
    http.jobs.clear()
    return wh


def test_every_value_kind_is_a_typed_parameter(warehouse: BigQueryWarehouse, http: RecordingSession) -> None:
    row = {
        "d": date(2021, 10, 19),
        "team": EVIL,
        "points": 101,
        "pace": 99.5,
        "home": True,
        "tipoff": datetime(2021, 10, 19, 23, 30, tzinfo=UTC),
        "share": Decimal("0.125"),
    }
    with warehouse.connect() as conn:
        changed = conn.execute(
            "INSERT INTO nba_raw.t (game_date, team, points, pace, home, tipoff, share) "
            "VALUES (@d, @team, @points, @pace, @home, @tipoff, @share)",
            row,
        )
        out = conn.query(
            "SELECT team, points, pace, home, tipoff, share, game_date FROM nba_raw.t "
            "WHERE game_date = @d AND team = @team AND points IN UNNEST(@ids) AND home = @home",
            {"d": row["d"], "team": EVIL, "ids": [np.int64(101), 7], "home": True},
        )
    assert changed == 1
    assert out.to_dict("records") == [
        {
            "team": EVIL,
            "points": 101,
            "pace": 99.5,
            "home": True,
            "tipoff": pd.Timestamp("2021-10-19 23:30", tz="UTC"),
            "share": 0.125,
            "game_date": pd.Timestamp("2021-10-19"),
        }
    ]
    # The dtypes the DuckDB backend returns, so results compare across backends.
    assert out.dtypes.astype(str).to_dict() == {
        "team": "str",
        "points": "int64",
        "pace": "float64",
        "home": "bool",
        "tipoff": "datetime64[us, UTC]",
        "share": "float64",
        "game_date": "datetime64[us]",
    }
    insert, select, ended = http.queries()
    assert ended["query"] == "CALL BQ.ABORT_SESSION()"  # the connection ends its session
    sent = {p["name"]: p["parameterType"] for p in insert["queryParameters"]}
    assert sent == {
        "d": {"type": "DATE"},
        "team": {"type": "STRING"},
        "points": {"type": "INT64"},
        "pace": {"type": "FLOAT64"},
        "home": {"type": "BOOL"},
        "tipoff": {"type": "TIMESTAMP"},
        "share": {"type": "NUMERIC"},
    }
    array = next(p for p in select["queryParameters"] if p["name"] == "ids")
    assert array["parameterType"] == {"type": "ARRAY", "arrayType": {"type": "INT64"}}
    for job in (insert, select):
        assert "DROP" not in job["query"] and "2021" not in job["query"]


def test_rows_are_the_same_plain_values_as_duckdbs(warehouse: BigQueryWarehouse) -> None:
    with warehouse.connect() as conn:
        conn.execute(
            "INSERT INTO nba_raw.t (game_date, team, points) VALUES (@d, 'BOS', 100), (@d, 'NYK', 90)",
            {"d": date(2021, 10, 19)},
        )
        rows = conn.rows(
            "SELECT game_date, team, SUM(points) AS pts FROM nba_raw.t WHERE game_date = @d GROUP BY 1, 2 "
            "ORDER BY team",
            {"d": date(2021, 10, 19)},
        )
    assert rows.columns == ("game_date", "team", "pts")
    assert rows.values == [(date(2021, 10, 19), "BOS", 100), (date(2021, 10, 19), "NYK", 90)]
    assert [type(v) for v in rows.values[0]] == [date, str, int]
    assert [r.pts for r in rows.records()] == [100, 90]


def test_injection_attempt_stays_data(warehouse: BigQueryWarehouse) -> None:
    with warehouse.connect() as conn:
        conn.execute(
            "INSERT INTO nba_raw.t (game_date, team) VALUES (@d, @team)",
            {"d": date(2021, 10, 19), "team": EVIL},
        )
        assert conn.query("SELECT team FROM nba_raw.t")["team"].tolist() == [EVIL]
        assert conn.table_columns(["nba_raw"])["nba_raw.t"][0] == "game_date"


def test_parameters_that_cannot_be_typed_or_are_missing(warehouse: BigQueryWarehouse) -> None:
    with pytest.raises(WarehouseError, match="@d has no value"):
        query(warehouse, "SELECT * FROM nba_raw.t WHERE game_date = @d")
    with pytest.raises(WarehouseError, match="@d is None"):
        query(warehouse, "SELECT * FROM nba_raw.t WHERE game_date = @d", {"d": None})
    with pytest.raises(WarehouseError, match="@ids is an empty list"):
        query(warehouse, "SELECT * FROM nba_raw.t WHERE points IN UNNEST(@ids)", {"ids": []})
    with pytest.raises(WarehouseError, match="@x is a dict"):
        query_parameter("x", {"a": 1})
    assert query_parameter("n", np.int64(3)).type_ == "INT64"
    assert query_parameter("ok", np.bool_(True)).type_ == "BOOL"


def test_dataset_mapping_rewrites_the_ast_and_qualifies_with_the_project(
    emulator_url: str, http: RecordingSession
) -> None:
    wh = make_warehouse(emulator_url, http, dataset_map={"nba_raw": "user_raw", "nba_analytics": "user_an"})
    sql = (
        "WITH recent AS (SELECT * FROM nba_raw.games WHERE note != 'nba_raw.games') "
        "SELECT * FROM recent JOIN `nba_analytics.summary` USING (game_id) "
        "JOIN `other-proj.nba_raw.games` AS o USING (game_id) WHERE game_date = @d"
    )
    (statement,) = wh.statements(sql)
    assert statement.sql == (
        "WITH recent AS (SELECT * FROM `harness-test`.user_raw.games WHERE note <> 'nba_raw.games') "
        "SELECT * FROM recent JOIN `harness-test.user_an.summary` USING (game_id) "
        "JOIN `other-proj.nba_raw.games` AS o USING (game_id) WHERE game_date = @d"
    )
    assert statement.params == ("d",)
    assert wh.statements(sql) is wh.statements(sql)
    # A prefix maps every dataset; the emulator then holds the table under the mapped name.
    prefixed = make_warehouse(emulator_url, http, dataset_map="test_x_")
    execute(prefixed, "CREATE SCHEMA IF NOT EXISTS nba_raw; CREATE TABLE IF NOT EXISTS nba_raw.m (a INT64)")
    assert [f.name for f in prefixed.client().get_table(f"{PROJECT}.test_x_nba_raw.m").schema] == ["a"]


def test_labels_and_byte_cap_reach_every_job(emulator_url: str, http: RecordingSession) -> None:
    labels = {"harness_run_id": "Run 2021-10-19T00:00:00Z", "Processor": "PlayerGameSummary" + "x" * 80}
    wh = make_warehouse(emulator_url, http, labels=labels, maximum_bytes_billed=10**9)
    with wh.connect() as conn:
        conn.execute(
            "CREATE SCHEMA IF NOT EXISTS nba_raw; CREATE TABLE nba_raw.t (game_date DATE, points INT64)"
        )
        conn.insert_frame("nba_raw.t", pd.DataFrame({"game_date": [date(2021, 10, 19)], "points": [3]}))
        conn.query("SELECT SUM(points) AS p FROM nba_raw.t WHERE game_date = @d", {"d": date(2021, 10, 19)})
        conn.dry_run("SELECT points FROM nba_raw.t")
    expected = sanitize_labels(labels)
    assert expected == {
        "harness_run_id": "run_2021-10-19t00_00_00z",
        "processor": ("playergamesummary" + "x" * 80)[:63],
    }
    assert len(http.jobs) == 6  # schema, table, load, query, dry run, the session's end
    assert all(job["labels"] == expected for job in http.jobs)
    assert [job["maximumBytesBilled"] for job in http.queries()] == ["1000000000"] * 5
    assert [job.get("dryRun", False) for job in http.jobs] == [False] * 4 + [True, False]
    assert wh.statements_run == 4  # dry runs are not counted


def test_label_keys_start_with_a_letter() -> None:
    assert sanitize_labels({"1st": "A B"}) == {"l1st": "a_b"}


def test_transaction_commits_and_rolls_back_in_one_session(
    warehouse: BigQueryWarehouse, http: RecordingSession
) -> None:
    d = {"d": date(2021, 10, 19)}
    with warehouse.connect() as conn:
        with conn.transaction():
            conn.execute("INSERT INTO nba_raw.t (game_date, points) VALUES (@d, 1)", d)
        with pytest.raises(WarehouseError), conn.transaction():
            conn.execute("DELETE FROM nba_raw.t WHERE game_date = @d", d)
            conn.execute("INSERT INTO nba_raw.t (game_date, points) VALUES (@d, 'not a number')", d)
        with pytest.raises(RuntimeError), conn.transaction():
            conn.execute("INSERT INTO nba_raw.t (game_date, points) VALUES (@d, 2)", d)
            raise RuntimeError("the caller fails after a write")
        assert conn.query("SELECT points FROM nba_raw.t")["points"].tolist() == [1]
    texts = [job["query"] for job in http.queries()]
    assert texts.count("BEGIN TRANSACTION") == 3
    assert texts.count("COMMIT TRANSACTION") == 1
    assert texts.count("ROLLBACK TRANSACTION") == 2
    first, *rest = http.queries()
    assert first.get("createSession") is True
    sessions = {prop["value"] for job in rest for prop in job["connectionProperties"]}
    assert len(sessions) == 1


def test_insert_frame_appends_by_name_through_a_load_job(
    warehouse: BigQueryWarehouse, http: RecordingSession
) -> None:
    frame = pd.DataFrame(
        {
            "points": [100, None],
            "team": ["BOS", None],
            "game_date": pd.to_datetime(["2021-10-19", "2021-10-20"]),
            "share": [Decimal("0.5"), None],
            "pace": [0.1 + 0.2, None],  # exact: JSON carries the float's full precision
        }
    )
    with warehouse.connect() as conn:
        assert conn.insert_frame("nba_raw.t", frame) == 2
        assert conn.insert_frame("nba_raw.t", frame.iloc[:1]) == 1
        assert conn.insert_frame("nba_raw.t", frame.iloc[:0]) == 0
        out = conn.query(
            "SELECT game_date, team, points, share, pace FROM nba_raw.t ORDER BY game_date, team"
        )
        with pytest.raises(WarehouseError, match="has no column bogus"):
            conn.insert_frame("nba_raw.t", frame.assign(bogus=1))
        with pytest.raises(WarehouseError, match=r"nba_raw\.missing: BigQuery table .* not found"):
            conn.insert_frame("nba_raw.missing", frame)
    assert out["team"].tolist()[:2] == ["BOS", "BOS"]
    assert out["points"].tolist() == [100, 100, pd.NA]
    assert out["game_date"].dt.date.astype(str).tolist() == ["2021-10-19", "2021-10-19", "2021-10-20"]
    assert out["share"].tolist()[:2] == [0.5, 0.5]
    assert out["pace"].tolist()[:2] == [0.1 + 0.2] * 2
    loads = [job["load"] for job in http.jobs if "load" in job]
    assert [load["writeDisposition"] for load in loads] == ["WRITE_APPEND"] * 2
    assert loads[0]["destinationTable"]["datasetId"] == warehouse.dataset("nba_raw")


def test_table_columns_by_declared_dataset_name(warehouse: BigQueryWarehouse) -> None:
    execute(
        warehouse,
        "CREATE SCHEMA IF NOT EXISTS nba_analytics; CREATE TABLE nba_analytics.s (a INT64, b STRING)",
    )
    with warehouse.connect() as conn:
        columns = conn.table_columns(["nba_raw", "nba_analytics"])
    assert columns == {
        "nba_raw.t": ["game_date", "team", "points", "pace", "home", "tipoff", "share"],
        "nba_analytics.s": ["a", "b"],
    }


def test_dry_run_reports_bytes_and_names_what_is_missing(
    warehouse: BigQueryWarehouse, http: RecordingSession
) -> None:
    before = warehouse.statements_run
    with warehouse.connect() as conn:
        scanned = conn.dry_run("SELECT points FROM nba_raw.t WHERE game_date = @d", {"d": date(2021, 10, 19)})
        with pytest.raises(WarehouseError, match=r"table .*nba_raw\.nope not found; create the table"):
            conn.dry_run("SELECT * FROM nba_raw.nope")
    # The emulator reports 0 bytes and no referenced table for every dry run.
    assert isinstance(scanned.bytes_processed, int) and scanned.bytes_processed >= 0
    assert all(job["dryRun"] and job["query"]["useQueryCache"] is False for job in http.jobs)
    assert warehouse.statements_run == before


def test_missing_dataset_says_which_and_what_to_do(warehouse: BigQueryWarehouse) -> None:
    missing = warehouse.dataset("nba_gone")
    with pytest.raises(WarehouseError, match=rf"dataset {PROJECT}:{missing} not found; create it") as info:
        query(warehouse, "SELECT * FROM nba_gone.t")
    assert "\n" not in str(info.value)


def test_unknown_project_says_which_and_what_to_do(warehouse: BigQueryWarehouse) -> None:
    with pytest.raises(WarehouseError, match=r"dataset no-such-project:nba_raw not found; .* fix --project"):
        query(warehouse, "SELECT * FROM `no-such-project.nba_raw.t`")


def test_no_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    secret = tmp_path / "secret-key-path.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(secret))
    with pytest.raises(WarehouseError) as info:
        BigQueryWarehouse(PROJECT).connect().__enter__()
    assert str(info.value) == NO_CREDENTIALS

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # a gcloud config without ADC
    # google-auth reads NO_GCE_CHECK when it imports; a runner on Google Cloud must not find its own creds.
    monkeypatch.setattr("google.auth.compute_engine._metadata._NO_GCE_CHECK", True)
    with pytest.raises(WarehouseError) as info:
        query(BigQueryWarehouse(PROJECT), "SELECT 1")
    assert str(info.value) == NO_CREDENTIALS
    assert str(secret) not in str(info.value)


def test_no_credentials_from_a_client_factory() -> None:
    from google.auth.exceptions import DefaultCredentialsError

    def refuse(project: str, location: str | None) -> Any:
        raise DefaultCredentialsError("File /home/u/secret.json was not found.")

    with pytest.raises(WarehouseError) as info, BigQueryWarehouse(PROJECT, client_factory=refuse).connect():
        pass
    assert str(info.value) == NO_CREDENTIALS


def test_errors_the_emulator_cannot_produce() -> None:
    """BigQuery's own errors for a capped job and a project the account cannot use, as the client raises
    them: the emulator enforces no byte cap and no permissions."""
    from google.api_core.exceptions import BadRequest, Forbidden

    refused = BadRequest(
        "Query exceeded limit for bytes billed: 1000. 10485760 or higher required.",
        errors=[{"reason": "bytesBilledLimitExceeded", "message": "Query exceeded limit for bytes billed"}],
    )
    error = warehouse_error(refused, PROJECT, 1000)
    assert str(error) == (
        "query stopped by the byte cap: it needs 10485760 bytes, maximum_bytes_billed is 1000; "
        "narrow the window or raise the cap"
    )
    denied = Forbidden(
        "POST https://bigquery.googleapis.com/bigquery/v2/projects/nope/jobs: Access Denied: Project nope: "
        "User does not have bigquery.jobs.create permission in project nope."
    )
    assert str(warehouse_error(denied, "nope", None)) == (
        "BigQuery refused (accessDenied): access denied: Access Denied: Project nope: User does not have "
        "bigquery.jobs.create permission in project nope.; check that project nope exists and your account "
        "may run jobs in it (roles/bigquery.jobUser) and read and write the datasets (roles/bigquery.dataEditor)"
    )


def test_identifiers_never_come_from_values(warehouse: BigQueryWarehouse, http: RecordingSession) -> None:
    with warehouse.connect() as conn:
        with pytest.raises(WarehouseError, match=r"is not dataset\.table"):
            conn.insert_frame("nba_raw.t; DROP TABLE nba_raw.t", pd.DataFrame({"points": [1]}))
        with pytest.raises(WarehouseError, match="not a plain identifier"):
            conn.table_columns(["nba_raw`; DROP SCHEMA nba_raw; --"])
        # A value naming a table is compared as a string, never read as one.
        out = conn.query("SELECT COUNT(*) AS n FROM nba_raw.t WHERE team = @t", {"t": "nba_raw.t"})
    assert out["n"].tolist() == [0]
    assert http.queries() and all("DROP" not in job["query"] for job in http.queries())
    with pytest.raises(WarehouseError, match="not a plain identifier"):
        BigQueryWarehouse(PROJECT, dataset_map={"nba_raw": "x`; --"}).dataset("nba_raw")
    with pytest.raises(WarehouseError, match="not a BigQuery project id"):
        BigQueryWarehouse("proj`; DROP")
