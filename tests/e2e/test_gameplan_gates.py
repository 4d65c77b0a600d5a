"""The gameplan suite run as a user runs it: `pytest --window ...` in a subprocess, on a damaged copy of
the seeded warehouse. Step 0 must name the chain, date and games, and block every backfill."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.warehouse.duckdb import DuckDBWarehouse

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-19:2021-10-22"


def run_suite(pytester: pytest.Pytester, warehouse: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        str(REPO / "tests" / "backfill"),
        f"--rootdir={REPO}",
        "-c",
        str(REPO / "pytest.ini"),
        "--warehouse",
        str(warehouse),
        "--report-dir",
        str(pytester.path / "reports"),
        "-p",
        "no:cacheprovider",
        *args,
    )


def test_missing_critical_chain_blocks_every_backfill(
    pytester: pytest.Pytester, seeded_warehouse: DuckDBWarehouse
) -> None:
    for table in ("nbac_gamebook_player_stats", "bdl_player_boxscores", "espn_boxscores"):
        seeded_warehouse.execute(f"DELETE FROM nba_raw.{table} WHERE game_date = '2021-10-21'")
    result = run_suite(pytester, seeded_warehouse.path, "--window", WINDOW)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*player_boxscores (critical): 1 of 4 game dates incomplete*",
            "*2021-10-21: no source has 3 of 3 games: 20211021_*",
        ]
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1
    assert outcomes["skipped"] == 10  # every processor of Phase 3 and Phase 4
    result.stdout.fnmatch_lines(
        ["*blocked by Step 0: critical chain player_boxscores missing on 2021-10-21*"]
    )
    report = next((pytester.path / "reports").glob("backfill-*.html")).read_text()
    assert "Step 0: source chains" in report and "missing 3 of 3 games" in report
    assert "4 game dates: 4 bootstrap (Phase 4 exempt), no normal day" in report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--window", "2021-10-19:yesterday"],
            "ERROR: --window '2021-10-19:yesterday': dates must be YYYY-MM-DD*",
        ),
        (
            ["--window", "2021-11-15:2021-10-19"],
            "ERROR: --window '2021-11-15:2021-10-19': END is before START*",
        ),
        (["--window", "2019-10-19:2019-10-20"], "ERROR: *outside the declared seasons*"),
        (
            ["--window", "2021-10-19", "--backend", "duckdbb"],
            "ERROR: --backend 'duckdbb' is not a known backend*did you mean 'duckdb'?",
        ),
    ],
)
def test_usage_errors_are_one_line(
    pytester: pytest.Pytester, tmp_path: Path, args: list[str], message: str
) -> None:
    warehouse = tmp_path / "untouched.duckdb"
    result = run_suite(pytester, warehouse, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert not warehouse.exists()


def test_broken_pipeline_file_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    broken = tmp_path / "pipeline.toml"
    broken.write_text(
        (REPO / "pipeline.toml")
        .read_text()
        .replace('upstream = ["team_offense_game_summary"]', 'upstream = ["nope"]')
    )
    result = run_suite(pytester, tmp_path / "w.duckdb", "--window", WINDOW, "--pipeline", str(broken))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *processors.player_game_summary.upstream*unknown processor 'nope'*"])
