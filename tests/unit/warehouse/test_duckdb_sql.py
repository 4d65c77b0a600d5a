"""Translations kept per machine: a warm cache answers without sqlglot, and a bad entry or a bad text never
gives a wrong answer."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.warehouse import duckdb_sql
from harness.warehouse.duckdb_sql import CACHE_ENV, DuckStatement, TranspileError
from harness.warehouse.transpile import translate

SQL = "SELECT DATE_ADD(game_date, INTERVAL 1 DAY) AS d FROM `p.nba_raw.t` WHERE game_date = @day"
PROBE = """
import json, sys
from harness.warehouse.duckdb_sql import to_duckdb
statements = to_duckdb(sys.argv[1])
print(json.dumps({"sqlglot": "sqlglot" in sys.modules, "statements": [[s.sql, s.params] for s in statements]}))
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of the test's own, and no translation left in this process's memory."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    duckdb_sql._cached.cache_clear()
    yield tmp_path
    duckdb_sql._cached.cache_clear()


def probe(cache: Path, sql: str) -> dict[str, object]:
    """What a new process gets for ``sql``, and whether it had to import sqlglot."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, sql], env={"PATH": "/usr/bin:/bin", CACHE_ENV: str(cache)},
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    return json.loads(done.stdout)


def test_a_second_process_translates_nothing(cache: Path) -> None:
    first, second = probe(cache, SQL), probe(cache, SQL)
    assert first["sqlglot"] is True
    assert second == {"sqlglot": False, "statements": first["statements"]}
    assert second["statements"] == [[s.sql, list(s.params)] for s in translate(SQL)]
    assert len(list(cache.glob("*.json"))) == 1


def test_an_entry_cut_short_is_translated_again(cache: Path) -> None:
    duckdb_sql.to_duckdb(SQL)
    (entry,) = cache.glob("*.json")
    entry.write_text('[["SELECT', encoding="utf-8")
    duckdb_sql._cached.cache_clear()
    assert duckdb_sql.to_duckdb(SQL) == list(translate(SQL))
    assert json.loads(entry.read_text(encoding="utf-8"))[0][0] == translate(SQL)[0].sql


def test_a_bad_text_raises_every_time_and_is_never_kept(cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(TranspileError, match="cannot parse"):
            duckdb_sql.to_duckdb("SELEC * FROM WHERE")
    assert not list(cache.glob("*.json"))


def test_the_folder_keeps_its_newest_entries(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duckdb_sql, "MAX_ENTRIES", 4)
    for n in range(5):
        duckdb_sql.to_duckdb(f"SELECT {n} AS n")
    assert len(list(cache.glob("*.json"))) == 2
    duckdb_sql._cached.cache_clear()
    assert duckdb_sql.to_duckdb("SELECT 4 AS n") == [DuckStatement("SELECT 4 AS n", ())]


def test_an_unwritable_folder_costs_time_not_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    duckdb_sql._cached.cache_clear()
    assert duckdb_sql.to_duckdb(SQL) == list(translate(SQL))
