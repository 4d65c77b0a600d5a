"""The seeded template: a new warehouse file is a copy of it, the same rows as seeding in place; an
existing warehouse is never replaced; the template's name changes with what its content depends on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.declaration.loading import load_pipeline
from harness.declaration.model import Pipeline
from harness.reference import seed, seed_template
from harness.warehouse.duckdb import DuckDBWarehouse

COUNTS = """
SELECT 'schedule' AS t, COUNT(*) AS n FROM nba_raw.nbac_schedule
UNION ALL SELECT 'gamebook', COUNT(*) FROM nba_raw.nbac_gamebook_player_stats
UNION ALL SELECT 'bigdataball', COUNT(*) FROM nba_raw.bigdataball_play_by_play
UNION ALL SELECT 'bigdataball points', SUM(points_scored) FROM nba_raw.bigdataball_play_by_play
UNION ALL SELECT 'nbac pbp', COUNT(*) FROM nba_raw.nbac_play_by_play
ORDER BY t
"""


def table_counts(path: Path) -> list[tuple[str, int]]:
    with DuckDBWarehouse(path).connect() as conn:
        frame = conn.query(COUNTS)
    return [(str(t), int(n)) for t, n in zip(frame["t"], frame["n"], strict=True)]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seed-cache")


@pytest.fixture
def seed_env(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv(seed_template.CACHE_ENV, str(cache))


def seed_into(path: Path) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_WAREHOUSE", str(path))
        return seed.main(["2021"])


def test_a_new_file_is_the_template_and_holds_what_seeding_in_place_gives(
    seed_env: None, cache: Path, tmp_path: Path, seeded_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b.duckdb"
    assert seed_into(first) == 0
    templates = list(cache.glob("*.duckdb"))
    assert len(templates) == 1 and not list(cache.glob(".building-*"))
    built_at = templates[0].stat().st_mtime_ns
    assert seed_into(second) == 0
    assert templates[0].stat().st_mtime_ns == built_at  # copied, not generated again
    assert "season 2021-22: seeded" in capsys.readouterr().out
    in_place = table_counts(seeded_template)  # tests/conftest.py: ensure_seeded on an empty file
    assert table_counts(first) == in_place and table_counts(second) == in_place
    assert not list(tmp_path.glob(".*.seeding")) and not list((tmp_path / "a").glob(".*.seeding"))


def test_an_existing_warehouse_is_never_replaced_by_the_template(
    seed_env: None, tmp_path: Path, seeded_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "warehouse.duckdb"
    shutil.copyfile(seeded_template, damaged)
    with DuckDBWarehouse(damaged).connect() as conn:
        conn.execute("DELETE FROM nba_raw.nbac_gamebook_player_stats WHERE game_date = DATE '2021-10-19'")
    before = table_counts(damaged)
    assert seed_into(damaged) == 0
    assert "season 2021-22: already present" in capsys.readouterr().out
    assert table_counts(damaged) == before


def test_the_template_name_follows_the_declaration_and_the_seasons(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    key = seed_template.template_key(pipeline, [pipeline.seasons[0]])
    assert seed_template.template_key(pipeline, [pipeline.seasons[0]]) == key
    assert seed_template.template_key(pipeline, list(pipeline.seasons[:2])) != key
    edited = tmp_path / "pipeline.toml"
    edited.write_text(pipeline.path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert seed_template.template_key(load_pipeline(edited), [pipeline.seasons[0]]) != key


def test_an_unwritable_template_folder_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(seed_template.CACHE_ENV, str(blocker / "cache"))
    warehouse = tmp_path / "warehouse.duckdb"
    assert seed_into(warehouse) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("error: cannot write the seeded warehouse or its template") and "Traceback" not in err
    )
    assert len(err.strip().splitlines()) == 1 and not warehouse.exists()
