"""Declaration loading: the real file loads, and each kind of broken file is a one-line ConfigError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.declaration.loading import load_pipeline
from harness.errors import ConfigError

REPO_PIPELINE = Path(__file__).resolve().parents[3] / "pipeline.toml"


def test_repository_declaration_loads() -> None:
    pipeline = load_pipeline(REPO_PIPELINE)
    assert len(pipeline.chains) == 7
    assert [p.name for p in pipeline.phase(4)] == [
        "team_defense_zone_analysis",
        "player_shot_zone_analysis",
        "player_composite_factors",
        "player_daily_cache",
        "ml_feature_store_v2",
    ]
    # Phase 4 date columns differ, and the feature store lives in nba_predictions (contract 3.1).
    dates = {p.output: pipeline.output_table(p).date_column for p in pipeline.phase(4)}
    assert dates == {
        "team_defense_zone_analysis": "analysis_date",
        "player_shot_zone_analysis": "analysis_date",
        "player_composite_factors": "game_date",
        "player_daily_cache": "cache_date",
        "ml_feature_store_v2": "game_date",
    }
    assert pipeline.tables["ml_feature_store_v2"].dataset == "nba_predictions"
    assert pipeline.bootstrap_days == 14
    order = list(pipeline.processors)
    assert order.index("team_offense_game_summary") < order.index("player_game_summary")
    assert order.index("player_game_summary") < order.index("upcoming_player_game_context")
    assert not pipeline.processors["upcoming_player_game_context"].writes_run_history
    # The gameplan's core tables gate Phase 4; the upcoming ones follow the odds feeds.
    assert [t.name for t in pipeline.core_tables(3)] == [
        "team_offense_game_summary",
        "team_defense_game_summary",
        "player_game_summary",
    ]
    assert pipeline.tables["upcoming_player_game_context"].follows_chain == "player_props"
    assert pipeline.tables["ml_feature_store_v2"].bootstrap_placeholders
    assert pipeline.virtual_sources["reconstructed_team_from_players"] == "player_boxscores"


def test_dependents_are_transitive() -> None:
    pipeline = load_pipeline(REPO_PIPELINE)
    blocked = pipeline.dependents("team_offense_game_summary")
    assert "player_game_summary" in blocked and "ml_feature_store_v2" in blocked
    assert "team_defense_game_summary" not in blocked and "upcoming_team_game_context" not in blocked


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = REPO_PIPELINE.read_text()
    assert old in text, old
    path = tmp_path / "pipeline.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[datasets]", "[datasets", r"not valid TOML"),
        (
            'output = "player_game_summary"',
            'output = "player_game_sumary"',
            r"\[processors\.player_game_summary\.output\] unknown table 'player_game_sumary'; did you mean 'player_game_summary'\?",
        ),
        (
            'upstream = ["team_offense_game_summary"]',
            'upstream = ["upcoming_player_game_context"]',
            r"dependency cycle among player_game_summary, upcoming_player_game_context",
        ),
        (
            'sources = ["odds_api_game_lines"]',
            'sources = ["odds_api_game_lines; DROP TABLE y"]',
            r"\[chains\.game_lines\.sources\[0\]\] 'odds_api_game_lines; DROP TABLE y' is not a plain identifier",
        ),
        (
            'date_column = "cache_date"',
            'date_column = "cache_date --"',
            r"\[tables\.player_daily_cache\.date_column\] 'cache_date --' is not a plain identifier",
        ),
        (
            'severity = "info"',
            'severity = "minor"',
            r"\[chains\.game_lines\.severity\] 'minor' is not one of critical, warning, info",
        ),
        ("bootstrap_days = 14", "", r"\[pipeline\.bootstrap_days\] missing key"),
        (
            'dataset = "predictions"',
            'dataset = "prediction"',
            r"unknown dataset 'prediction'; did you mean 'predictions'\?",
        ),
        (
            "2021 = { opener = 2021-10-19, last_day = 2022-04-10 }",
            "2021 = { opener = 2021-10-19 }",
            r"\[seasons\.2021\.last_day\] missing key",
        ),
        (
            '[virtual_sources]\nreconstructed_team_from_players = { derives_from = "player_boxscores" }',
            '[virtual_sources]\nreconstructed_team_from_players = { derives_from = "team_boxscores" }',
            r"derives from its own chain",
        ),
        (
            'follows_chain = "player_props"',
            'follows_chain = "player_prop"',
            r"\[tables\.upcoming_player_game_context\.follows_chain\] unknown chain 'player_prop'; did you mean 'player_props'\?",
        ),
        (
            "ranges = { fatigue_score = [0, 100],",
            "ranges = { fatigue_score = [100, 0],",
            r"\[tables\.player_composite_factors\.ranges\.fatigue_score\] expected \[LOW, HIGH\] numbers, got \[100, 0\]",
        ),
        (
            'present = { usage_rate = { min_share = 0.8, among = "is_active" } }',
            'present = { usage_rate = { min_share = 80, among = "is_active" } }',
            r"\[tables\.player_game_summary\.present\.usage_rate\] expected `\{ min_share = 0\.8",
        ),
        (
            'expected_dates = "after_bootstrap"',
            'expected_dates = "weekdays"',
            r"\[tables\.team_defense_zone_analysis\.expected_dates\] 'weekdays' is not one of game_dates, after_bootstrap",
        ),
    ],
    ids=[
        "syntax",
        "unknown-table",
        "cycle",
        "sql-identifier",
        "column-identifier",
        "severity",
        "missing-key",
        "dataset",
        "season",
        "virtual-self",
        "follows-unknown-chain",
        "range-reversed",
        "share-not-fraction",
        "expected-dates",
    ],
)
def test_broken_declarations(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_pipeline(_broken(tmp_path, old, new))
    assert re.search(message, str(caught.value)), str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pipeline file not found"):
        load_pipeline(tmp_path / "nope.toml")
