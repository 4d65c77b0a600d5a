"""Expected rows, not only expected dates: a partial write, a drifted value and an extra entity each fail
with the table, the date and the key; a processor's minimum (team_defense_zone_analysis needs 15 games)
leaves dates without any expected entity, explained, and a window that never exercises a processor says
how far to widen it (or blocks it, with --require-exercised)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from signoff_checks import load_signoff

from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import execute, query

REPO = Path(__file__).resolve().parents[2]
WINDOW = "2021-10-31:2021-11-03"  # two bootstrap days, then two normal days
DAY = "2021-11-02"


def _summary(home: Path) -> dict:
    return json.loads(next((home / "reports").glob("*.summary.json")).read_text())


def _verify(path: Path, run_gameplan, *args: str, pipeline: Path | None = None):
    return run_gameplan(path, "--window", WINDOW, "--mode", "verify", "-n", "0", *args, pipeline=pipeline)


def _first_game(warehouse: DuckDBWarehouse) -> tuple[str, list[str]]:
    """The first game of DAY (by id) and its two teams, home first."""
    rows = query(
        warehouse,
        "SELECT game_id, team_abbr FROM nba_analytics.team_offense_game_summary WHERE game_date = @d "
        "ORDER BY game_id, home_game DESC LIMIT 2",
        {"d": DAY},
    )
    return str(rows["game_id"].iloc[0]), [str(t) for t in rows["team_abbr"]]


def test_a_game_missing_from_a_team_table_and_a_player_table_is_named(
    backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    path = backfilled_warehouse()
    warehouse = DuckDBWarehouse(path)
    game, teams = _first_game(warehouse)
    players = query(
        warehouse,
        "SELECT player_lookup FROM nba_analytics.player_game_summary WHERE game_id = @g ORDER BY player_lookup",
        {"g": game},
    )["player_lookup"].tolist()
    execute(warehouse, f"DELETE FROM nba_analytics.team_offense_game_summary WHERE game_id = '{game}'")
    execute(warehouse, f"DELETE FROM nba_analytics.player_game_summary WHERE game_id = '{game}'")
    run = _verify(path, run_gameplan)
    assert run.ret == 1
    assert (
        f"team_offense_game_summary: {DAY}: 2 of 10 expected teams missing (game {game}: {', '.join(sorted(teams))})"
        in run.stdout
    )
    shown = ", ".join(players[:5])
    assert f"player_game_summary: {DAY}: {len(players)} of " in run.stdout
    assert f"expected players missing (game {game}: {shown} (+{len(players) - 5} more))" in run.stdout


def test_a_third_of_a_phase4_date_missing_is_named(
    backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    path = backfilled_warehouse()
    warehouse = DuckDBWarehouse(path)
    before = query(
        warehouse,
        "SELECT player_lookup FROM nba_precompute.player_composite_factors WHERE game_date = @d ORDER BY player_lookup",
        {"d": DAY},
    )["player_lookup"].tolist()
    dropped = before[: len(before) // 3]
    execute(
        warehouse,
        "DELETE FROM nba_precompute.player_composite_factors WHERE game_date = @d AND player_lookup IN UNNEST(@p)",
        {"d": DAY, "p": dropped},
    )
    run = _verify(path, run_gameplan)
    assert run.ret == 1
    line = next(x for x in run.stdout.splitlines() if x.startswith(f"player_composite_factors: {DAY}:"))
    assert f"{len(dropped)} of {len(before)} expected players missing (game " in line
    assert f"(+{len(dropped) - 5} more)" in line
    assert all(p in dropped for p in line.split("(game ")[1].split(": ", 1)[1].split(" (+")[0].split(", ")), (
        line
    )


def test_a_value_drifted_by_three_points_in_each_reconciled_column_is_named(
    backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    path = backfilled_warehouse()
    warehouse = DuckDBWarehouse(path)
    player = query(
        warehouse,
        "SELECT player_lookup, team_abbr, points FROM nba_analytics.player_game_summary WHERE game_date = @d "
        "AND is_active AND points > 0 ORDER BY player_lookup LIMIT 1",
        {"d": DAY},
    )
    name, team, points = (
        str(player["player_lookup"][0]),
        str(player["team_abbr"][0]),
        int(player["points"][0]),
    )
    _, (home, away) = _first_game(warehouse)
    scored = int(
        query(
            warehouse,
            "SELECT points_scored FROM nba_analytics.team_offense_game_summary WHERE game_date = @d AND team_abbr = @t",
            {"d": DAY, "t": home},
        )["points_scored"][0]
    )
    execute(
        warehouse,
        "UPDATE nba_analytics.player_game_summary SET points = points + 3 WHERE game_date = @d AND player_lookup = @p",
        {"d": DAY, "p": name},
    )
    execute(
        warehouse,
        "UPDATE nba_analytics.team_offense_game_summary SET points_scored = points_scored + 3 "
        "WHERE game_date = @d AND team_abbr = @t",
        {"d": DAY, "t": home},
    )
    execute(
        warehouse,
        "UPDATE nba_analytics.team_defense_game_summary SET points_allowed = points_allowed + 3 "
        "WHERE game_date = @d AND defending_team_abbr = @t",
        {"d": DAY, "t": home},
    )
    run = _verify(path, run_gameplan)
    assert run.ret == 1
    assert f"player_game_summary.points: {DAY}, against the gamebook: 1 of " in run.stdout
    assert f"differ ({name} {points + 3}, the source {points})" in run.stdout
    assert (
        f"team_offense_game_summary.points_scored: {DAY}, against the team box score: 1 of 10 differ "
        in run.stdout
    )
    assert f"({home} {scored + 3}, the source {scored})" in run.stdout
    # The team's points no longer equal its players' (both the drifted team and the drifted player's).
    assert f"{DAY}, against the sum of its players' points in player_game_summary: " in run.stdout
    assert f"{home} {scored + 3}, the source {scored}" in run.stdout and f"{team} " in run.stdout
    # points_allowed of the home team no longer equals the away team's points, nor does the away team's
    # equal the drifted home points_scored.
    allowed = next(
        x for x in run.stdout.splitlines() if x.startswith("team_defense_game_summary.points_allowed: ")
    )
    assert (
        f"{DAY}, against the opponent's points_scored in team_offense_game_summary: 2 of 10 differ" in allowed
    )
    assert f"{away} " in allowed and f"{home} " in allowed


def test_an_unexpected_extra_entity_is_named(backfilled_warehouse: Callable[[], Path], run_gameplan) -> None:
    path = backfilled_warehouse()
    warehouse = DuckDBWarehouse(path)
    execute(
        warehouse,
        "INSERT INTO nba_analytics.team_offense_game_summary "
        "SELECT * REPLACE ('XYZ' AS team_abbr) FROM nba_analytics.team_offense_game_summary "
        "WHERE game_date = @d ORDER BY game_id, team_abbr LIMIT 1",
        {"d": DAY},
    )
    run = _verify(path, run_gameplan)
    assert run.ret == 1
    assert f"team_offense_game_summary: {DAY}: teams not expected: 1 (XYZ)" in run.stdout


def test_team_defense_zone_analysis_needs_fifteen_games_and_the_window_says_so(
    backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    path = backfilled_warehouse()
    rows = query(
        DuckDBWarehouse(path),
        "SELECT COUNT(*) AS n FROM nba_precompute.team_defense_zone_analysis WHERE analysis_date BETWEEN @s AND @e",
        {"s": "2021-11-02", "e": "2021-11-03"},
    )
    assert rows["n"][0] == 0, "no team has 15 games before mid-November: the reference writes no row"
    run = _verify(path, run_gameplan)
    assert run.ret == 0, run.stdout[-3000:]
    reason = "none expected: no team has 15 games since 2021-10-01"
    summary = _summary(run.home)
    cells = summary["coverage"]["team_defense_zone_analysis"]
    assert (
        cells["2021-11-02"] == cells["2021-11-03"] == {"state": "none_expected", "rows": 0, "reason": reason}
    )
    warning = (
        "team_defense_zone_analysis: the window does not exercise it: none of its 2 judged game dates expects a "
        "row (no team has 15 games since 2021-10-01); the first date with one is 2021-11-17: widen the window "
        "(--window 2021-10-31:2021-11-17)"
    )
    assert f"NotExercisedWarning: {warning}" in run.stdout
    assert [u["message"] for u in summary["unexercised"]] == [warning]
    assert summary["unexercised"][0]["first_date_with_entities"] == "2021-11-17"
    html = load_signoff(run.home)[1]
    cell = (
        'data-table="team_defense_zone_analysis" data-date="2021-11-02" data-rows="0" data-state="none_expected" '
        f'title="team_defense_zone_analysis 2021-11-02: 0 rows, {reason}">NE</td>'
    )
    assert cell in html
    assert 'id="harness-unexercised"' in html


def test_a_lowered_minimum_in_the_declaration_expects_the_rows_and_fails(
    tmp_path: Path, backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    text = (REPO / "pipeline.toml").read_text()
    params = "params = { min_games = 15, early_days = 21, early_base = 5, early_cap = 14 }"
    assert params in text
    lowered = tmp_path / "pipeline.toml"
    lowered.write_text(text.replace(params, params.replace("min_games = 15", "min_games = 3")))
    run = _verify(backfilled_warehouse(), run_gameplan, pipeline=lowered)
    assert run.ret == 1
    assert (
        "team_defense_zone_analysis: no rows on 2021-11-02, 2021-11-03 (2 of 2 expected game dates)"
        in run.stdout
    )


def test_require_exercised_blocks_a_processor_the_window_cannot_test(
    backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    run = run_gameplan(
        backfilled_warehouse(), "--window", WINDOW, "--only", "team_defense_zone_analysis", "-n", "0",
        "--require-exercised",
    )  # fmt: skip
    assert run.ret == 1
    reason = (
        "blocked by --require-exercised: team_defense_zone_analysis: the window does not exercise it: none of "
        "its 2 judged game dates expects a row"
    )
    assert reason in run.stdout
    assert "team_defense_zone_analysis" not in run.records, "blocked before it ran"


NEW_PIPELINE = """
# A pipeline of its own: one processor that mirrors team offense, and its expected rows in SQL.
[pipeline]
name = "mirror-only"
bootstrap_days = 14
run_history = "processor_run_history"

[schedule]
table = "nbac_schedule"
status_column = "game_status"
final_status = 3
home_team_column = "home_team_tricode"
away_team_column = "away_team_tricode"

[datasets]
raw = "nba_raw"
analytics = "nba_analytics"
reference = "nba_reference"

[seasons]
2021 = {{ opener = 2021-10-19, last_day = 2022-04-10 }}

[chains.game_schedule]
severity = "critical"
sources = ["nbac_schedule"]

[tables.nbac_schedule]
dataset = "raw"
date_column = "game_date"
grain = ["game_id", "data_source"]
team_columns = ["home_team_tricode", "away_team_tricode"]

[tables.processor_run_history]
dataset = "reference"
date_column = "data_date"
grain = ["processor_name", "data_date", "run_id", "status"]

[tables.team_offense_game_summary]
dataset = "analytics"
date_column = "game_date"
grain = ["team_abbr"]

[tables.team_offense_mirror]
dataset = "analytics"
date_column = "game_date"
grain = ["team_abbr"]
# The home team of every final game in the schedule, then the away team.
entities = {{ noun = "teams", context = "game", sql = \"\"\"
SELECT DISTINCT game_date AS day, team AS team_abbr, game_id AS context FROM {{nbac_schedule}}
CROSS JOIN UNNEST([home_team_tricode, away_team_tricode]) AS team
WHERE game_status = 3 AND game_date BETWEEN @start AND @end
\"\"\" }}

[phases.1]
name = "Mirror"
backfill_step = "Step 2: mirror"
coverage_step = "Step 3: mirror coverage"

[processor_defaults]
cwd = "{repo}"
env = {{ HARNESS_WAREHOUSE = "{{warehouse}}" }}
timeout_seconds = 600

[processors.team_offense_mirror]
phase = 1
output = "team_offense_mirror"
upstream = []
command = ["{{python}}", "{job}", "team_offense_game_summary", "team_offense_mirror", "--start-date", "{{start}}", "--end-date", "{{end}}"]
"""


def test_a_new_pipeline_declares_its_own_expected_rows_without_python(
    tmp_path: Path, backfilled_warehouse: Callable[[], Path], run_gameplan
) -> None:
    path = backfilled_warehouse()
    warehouse = DuckDBWarehouse(path)
    execute(
        warehouse,
        "CREATE TABLE nba_analytics.team_offense_mirror AS "
        "SELECT * FROM nba_analytics.team_offense_game_summary WHERE FALSE",
    )
    declaration = tmp_path / "mirror.toml"
    declaration.write_text(NEW_PIPELINE.format(repo=REPO, job=REPO / "tests" / "e2e" / "mirror_job.py"))
    run = run_gameplan(path, "--window", WINDOW, "-n", "0", pipeline=declaration)
    assert run.ret == 0, run.stdout[-3000:]
    game, _ = _first_game(warehouse)
    execute(warehouse, f"DELETE FROM nba_analytics.team_offense_mirror WHERE game_id = '{game}'")
    again = run_gameplan(path, "--window", WINDOW, "--mode", "verify", "-n", "0", pipeline=declaration)
    assert again.ret == 1
    assert f"team_offense_mirror: {DAY}: 2 of 10 expected teams missing (game " in again.stdout
