"""No transaction left open (issue 14, item 3), on the emulator with the official client: a transaction is
one multi-statement job, a connection ends its session however it closes, and the reference jobs swap a
date in one script with the run-history row after the data.

What the emulator cannot show: it binds no parameter inside a multi-statement job (so with its endpoint set
the statements go one job each, in the session's transaction), it has no ``BQ.ABORT_SESSION`` (the call is
recorded, and its 404 ignored), and it has no child jobs.
"""

from __future__ import annotations

import os
import signal
from datetime import date

import pytest

from harness.errors import WarehouseError
from harness.reference.jobs.cli import ending_on_sigterm
from harness.warehouse.bigquery.warehouse import BigQueryWarehouse
from tests.bigquery_emulator import RecordingSession
from tests.sql import execute, query
from tests.unit.warehouse.test_warehouse_bigquery import make_warehouse

DAY = date(2021, 10, 19)


@pytest.fixture
def http() -> RecordingSession:
    return RecordingSession()


def _table(wh: BigQueryWarehouse, http: RecordingSession) -> None:
    execute(
        wh,
        "CREATE SCHEMA IF NOT EXISTS nba_raw; "
        "CREATE TABLE nba_raw.t (game_date DATE NOT NULL, points INT64) PARTITION BY game_date; "
        "INSERT INTO nba_raw.t (game_date, points) VALUES (DATE '2021-10-19', 1), (DATE '2021-10-19', 2)",
    )
    http.jobs.clear()


def test_a_script_is_one_job_and_fails_as_a_whole(emulator_url: str, http: RecordingSession) -> None:
    wh = make_warehouse(emulator_url, http)
    _table(wh, http)
    swap = (
        "DELETE FROM nba_raw.t WHERE game_date = DATE '2021-10-19'; "
        "INSERT INTO nba_raw.t (game_date, points) SELECT DATE '2021-10-19', 7"
    )
    broken = swap.replace("SELECT DATE '2021-10-19', 7", "SELECT DATE '2021-10-19', 'not a number'")
    with wh.connect() as conn:
        conn.script(swap)
        with pytest.raises(WarehouseError):
            conn.script(broken)
        points = conn.query("SELECT points FROM nba_raw.t WHERE game_date = DATE '2021-10-19'")["points"]
    assert points.tolist() == [7], "the failed script's DELETE must not stay"
    scripts = [job["query"] for job in http.queries() if "DELETE" in job["query"]]
    assert len(scripts) == 2
    for text in scripts:
        assert text.startswith("BEGIN TRANSACTION;\n") and text.endswith(";\nCOMMIT TRANSACTION")
        assert text.count("DELETE") == 1 and text.count("INSERT") == 1


def test_on_an_emulator_endpoint_a_script_runs_its_statements_in_one_transaction(
    emulator_url: str, http: RecordingSession
) -> None:
    wh = make_warehouse(emulator_url, http, endpoint=emulator_url)
    assert not wh.scripts_take_parameters
    _table(wh, http)
    swap = "DELETE FROM nba_raw.t WHERE game_date = @day; INSERT INTO nba_raw.t (game_date, points) VALUES "
    with wh.connect() as conn:
        conn.script(swap + "(@day, 5)", {"day": DAY})
        with pytest.raises(WarehouseError):
            conn.script(swap + "(@day, 'x')", {"day": DAY})
    assert query(wh, "SELECT points FROM nba_raw.t")["points"].tolist() == [5]
    texts = [job["query"] for job in http.queries()]
    assert texts.count("BEGIN TRANSACTION") == 2 and texts.count("ROLLBACK TRANSACTION") == 1


def test_every_connection_ends_its_session(emulator_url: str, http: RecordingSession) -> None:
    wh = make_warehouse(emulator_url, http)
    _table(wh, http)
    with wh.connect() as conn:
        conn.query("SELECT 1 AS one")
    with pytest.raises(RuntimeError), wh.connect() as conn:
        conn.query("SELECT 2 AS two")
        raise RuntimeError("the job fails half-way")
    with wh.connect():
        pass  # no job, no session: nothing to end
    queries = http.queries()
    assert [job["query"] for job in queries] == [
        "SELECT 1 AS one", "CALL BQ.ABORT_SESSION()", "SELECT 2 AS two", "CALL BQ.ABORT_SESSION()",
    ]  # fmt: skip
    for opened, ended in (queries[0:2], queries[2:4]):
        assert opened.get("createSession") is True
        assert ended["connectionProperties"][0]["key"] == "session_id"


def test_sigterm_ends_a_job_through_its_finally_blocks() -> None:
    ended = []
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as info, ending_on_sigterm():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            ended.append("session")
    assert info.value.code == 128 + signal.SIGTERM
    assert ended == ["session"]
    assert signal.getsignal(signal.SIGTERM) is before
