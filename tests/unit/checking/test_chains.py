"""Step 0 against the seeded demo season, with gaps made by deleting rows."""

from __future__ import annotations

from datetime import date

import pytest

from harness.checking.chains import DayStatus, check_chains
from harness.checking.schedule import game_dates
from harness.declaration.model import Pipeline
from harness.declaration.window import parse_window
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query

DAY = date(2021, 10, 20)


def chains(warehouse: DuckDBWarehouse, pipeline: Pipeline, text: str = "2021-10-19:2021-11-15"):
    window = parse_window(text, pipeline.seasons, pipeline.bootstrap_days, date(2026, 1, 1))
    with warehouse.connect() as conn:
        return check_chains(conn, pipeline, window)


def status(results, chain: str, day: date):
    return next(d for d in results[chain].days if d.day == day)


def test_demo_window_is_complete(seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline) -> None:
    results = chains(seeded_warehouse, pipeline)
    days = results["game_schedule"].days
    assert len(days) == 28 and sum(d.games for d in days) == 209
    for name in ("game_schedule", "player_boxscores", "team_boxscores"):
        assert results[name].missing == [], name
    assert status(results, "player_boxscores", DAY).status is DayStatus.PRIMARY


def test_primary_gone_fallback_used(seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline) -> None:
    bdl_day = (
        query(
            seeded_warehouse,
            "SELECT MIN(game_date) AS d FROM nba_raw.bdl_player_boxscores WHERE game_date >= '2021-10-19'",
        )["d"]
        .iloc[0]
        .date()
    )
    execute(
        seeded_warehouse,
        "DELETE FROM nba_raw.nbac_gamebook_player_stats WHERE game_date = @d",
        {"d": bdl_day},
    )
    execute(seeded_warehouse, "DELETE FROM nba_raw.nbac_team_boxscore WHERE game_date = @d", {"d": DAY})
    results = chains(seeded_warehouse, pipeline)
    player = status(results, "player_boxscores", bdl_day)
    assert (player.status, player.fallbacks) == (DayStatus.FALLBACK, ("bdl_player_boxscores",))
    team = status(results, "team_boxscores", DAY)
    assert (team.status, team.fallbacks) == (DayStatus.FALLBACK, ("reconstructed_team_from_players",))


def _delete_all_player_sources(warehouse: DuckDBWarehouse, condition: str, params: dict) -> None:
    for table in ("nbac_gamebook_player_stats", "bdl_player_boxscores", "espn_boxscores"):
        execute(warehouse, f"DELETE FROM nba_raw.{table} WHERE {condition}", params)


def test_one_game_missing_everywhere(seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline) -> None:
    game = query(
        seeded_warehouse,
        "SELECT MIN(game_id) AS g FROM nba_raw.nbac_gamebook_player_stats WHERE game_date = @d",
        {"d": DAY},
    )["g"].iloc[0]
    _delete_all_player_sources(seeded_warehouse, "game_id = @g", {"g": game})
    results = chains(seeded_warehouse, pipeline)
    day = status(results, "player_boxscores", DAY)
    assert (day.status, day.missing_games, day.games) == (DayStatus.MISSING, (game,), 11)
    # The virtual team source derives from the player chain, but the team box score still covers it.
    assert status(results, "team_boxscores", DAY).status is DayStatus.PRIMARY
    assert (
        f"2021-10-20: no source has 1 of 11 games: {game}" in results["player_boxscores"].describe_missing()
    )


def test_whole_chain_missing_on_a_date(seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline) -> None:
    _delete_all_player_sources(seeded_warehouse, "game_date = @d", {"d": DAY})
    results = chains(seeded_warehouse, pipeline)
    day = status(results, "player_boxscores", DAY)
    assert day.status is DayStatus.MISSING and len(day.missing_games) == 11
    assert [d.day for d in results["player_boxscores"].missing] == [DAY]


def test_schedule_rows_gone_games_still_expected(
    seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline
) -> None:
    for table in ("nbac_schedule", "espn_scoreboard"):
        execute(seeded_warehouse, f"DELETE FROM nba_raw.{table} WHERE game_date = @d", {"d": DAY})
    results = chains(seeded_warehouse, pipeline)
    day = status(results, "game_schedule", DAY)
    assert day.status is DayStatus.MISSING and day.games == 11


@pytest.mark.parametrize("text", ["2021-10-19:2021-10-19", "2021-11-10:2021-11-15"])
def test_one_query_whatever_the_window(
    seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline, text: str
) -> None:
    before = seeded_warehouse.statements_run
    chains(seeded_warehouse, pipeline, text)
    assert seeded_warehouse.statements_run - before == 1


def test_expected_game_dates_come_from_the_schedule(
    seeded_warehouse: DuckDBWarehouse, pipeline: Pipeline
) -> None:
    window = parse_window(
        "2021-10-19:2021-11-15", pipeline.seasons, pipeline.bootstrap_days, date(2026, 1, 1)
    )
    execute(
        seeded_warehouse, "UPDATE nba_raw.nbac_schedule SET game_status = 1 WHERE game_date = @d", {"d": DAY}
    )
    with seeded_warehouse.connect() as conn:
        days = game_dates(conn, pipeline, window)
    # Every calendar day of the sample window has games; a day whose games are not final is not expected.
    assert len(days) == 27 and DAY not in days and days[0] == date(2021, 10, 19)
    boot, normal = window.split_bootstrap(days)
    assert (len(boot), normal[0]) == (13, date(2021, 11, 2))
