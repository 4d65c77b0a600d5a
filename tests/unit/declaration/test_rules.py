"""The declaration's SQL rules: each table's expected entities and reconciliations render with the
declared tables and [sql] blocks, bind their own parameters apart, and a broken rule is one line that
names the key, found when the declaration loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.declaration.loading import load_pipeline
from harness.declaration.templates import bind, render
from harness.errors import ConfigError
from tests.declarations import edited

REPO_PIPELINE = Path(__file__).resolve().parents[3] / "pipeline.toml"
TDZA_PARAMS = "params = { min_games = 15, early_days = 21, early_base = 5, early_cap = 14 }"


def test_every_output_table_has_expected_entities_and_the_minimums_are_declared() -> None:
    pipeline = load_pipeline(REPO_PIPELINE)
    for phase in (3, 4):
        assert all(t.entities is not None for t in pipeline.phase_tables(phase))
    minimums = {
        t.name: t.entities.params for t in pipeline.phase_tables(4) if t.entities and t.entities.none_expected
    }
    assert minimums == {
        "team_defense_zone_analysis": {"min_games": 15, "early_days": 21, "early_base": 5, "early_cap": 14},
        "player_shot_zone_analysis": {"min_games": 10, "early_days": 21, "early_base": 3, "early_cap": 9},
        "player_daily_cache": {"min_games": 3, "max_idle_days": 30},
        "ml_feature_store_v2": {"lookback_days": 60},
    }
    checks = [(t.name, c.column) for t in pipeline.phase_tables(3) for c in t.reconcile]
    assert checks == [
        ("team_offense_game_summary", "points_scored"),
        ("team_offense_game_summary", "points_scored"),
        ("team_defense_game_summary", "points_allowed"),
        ("player_game_summary", "points"),
    ]
    assert "points_scored" in pipeline.tables["team_offense_game_summary"].required_columns


def test_a_rule_renders_tables_and_blocks_and_binds_its_own_parameters() -> None:
    pipeline = load_pipeline(REPO_PIPELINE)
    rule = pipeline.tables["team_defense_zone_analysis"].entities
    assert rule is not None
    sql = render(rule.sql, pipeline.tables, pipeline.sql)
    assert "{" not in sql and "FROM (SELECT DISTINCT game_id AS nba_game_id" in sql
    assert "nba_raw.nbac_schedule" in sql
    bound, values = bind(sql, rule.params, "e3")
    assert "@e3_min_games" in bound and "@min_games" not in bound and "@start" in bound
    assert values == {"e3_min_games": 15, "e3_early_days": 21, "e3_early_base": 5, "e3_early_cap": 14}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'FROM {team_games}\nWHERE game_date BETWEEN @start AND @end\n""" }',
            'FROM {team_gams}\nWHERE game_date BETWEEN @start AND @end\n""" }',
            "[tables.team_offense_game_summary.entities.sql] {team_gams} is neither a declared table nor an "
            "[sql] block; declare it or fix the name",
        ),
        (
            "SELECT game_date AS day, team_abbr, game AS context FROM {team_games}",
            "SELECT game_date AS day, game AS context FROM {team_games}",
            "[tables.team_offense_game_summary.entities.sql] yields day, context; it must also yield team_abbr",
        ),
        (
            TDZA_PARAMS,
            TDZA_PARAMS.replace("min_games = 15, ", ""),
            "[tables.team_defense_zone_analysis.entities.sql] reads @min_games; declare it in params",
        ),
        (
            TDZA_PARAMS,
            TDZA_PARAMS.replace("min_games = 15", "start = 15"),
            "[tables.team_defense_zone_analysis.entities.params.start] not a usable parameter name (start, end "
            "are the window's)",
        ),
        (
            'none_expected = "no team has {rule}"',
            'none_expected = "no team has enough"',
            '[tables.team_defense_zone_analysis.entities.none_expected] expected a reason with {rule}, e.g. "no team '
            'has {rule}"',
        ),
        (
            "FROM {nbac_team_boxscore}\nWHERE",
            "FROM {nbac_team_boxscore}\nWHERE (",
            "[tables.team_offense_game_summary.reconcile[0].sql] not valid BigQuery SQL",
        ),
        (
            "# One row per team and final game",
            'loop = "SELECT * FROM {loop}"\n# One row per team and final game',
            None,  # a block nobody uses is not rendered, so it cannot loop
        ),
    ],
    ids=[
        "unknown-name",
        "missing-grain",
        "unknown-param",
        "window-param",
        "reason-without-rule",
        "bad-sql",
        "unused-block",
    ],
)
def test_a_broken_rule_is_one_line_naming_the_key(
    tmp_path: Path, old: str, new: str, message: str | None
) -> None:
    path = edited(tmp_path, old, new)
    if message is None:
        load_pipeline(path)
        return
    with pytest.raises(ConfigError) as caught:
        load_pipeline(path)
    lines = [line for line in str(caught.value).splitlines() if message in line]
    assert len(lines) == 1, str(caught.value)


def test_blocks_that_name_each_other_are_refused(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        "# One row per team and final game",
        'left = "SELECT * FROM {right}"\nright = "SELECT * FROM {left}"\n# One row per team and final game',
    )
    text = path.read_text().replace(
        'sql = "SELECT day, player_lookup, context FROM {upcoming_players}" }',
        'sql = "SELECT day, player_lookup, context FROM {left}" }',
        1,
    )
    path.write_text(text)
    with pytest.raises(
        ConfigError, match=r"\[sql\] left names itself through left -> right; break the circle"
    ):
        load_pipeline(path)


def test_the_jobs_load_without_the_rules_and_the_harness_never_does(tmp_path: Path) -> None:
    path = edited(tmp_path, "FROM {nbac_team_boxscore}\nWHERE", "FROM {nbac_team_boxscore}\nWHERE (")
    assert load_pipeline(path, check_rules=False).processors  # a job reads tables and processors only
    with pytest.raises(ConfigError, match="not valid BigQuery SQL"):
        load_pipeline(path)
