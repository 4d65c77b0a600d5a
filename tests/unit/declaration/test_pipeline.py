"""Declaration loading: the real file loads, and each kind of broken file is a one-line ConfigError."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from harness.declaration.loading import load_pipeline
from harness.errors import ConfigError
from tests.declarations import edited

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
    # Every Phase 3 table gates Phase 4, the upcoming ones too: odds gaps lower their quality only.
    assert len(pipeline.phase_tables(3)) == 5 and pipeline.phases[4].needs_complete == (3,)
    assert pipeline.tables["ml_feature_store_v2"].bootstrap_placeholders
    assert pipeline.virtual_sources["reconstructed_team_from_players"] == "player_boxscores"
    assert pipeline.rewritten_columns == ("processed_at", "created_at", "updated_at")


def test_dependents_are_transitive() -> None:
    pipeline = load_pipeline(REPO_PIPELINE)
    blocked = pipeline.dependents("team_offense_game_summary")
    assert "player_game_summary" in blocked and "ml_feature_store_v2" in blocked
    assert "team_defense_game_summary" not in blocked and "upcoming_team_game_context" not in blocked


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
            'quality_column = "feature_quality_score"',
            'quality_column = "feature_quality_score) --"',
            r"\[tables\.ml_feature_store_v2\.quality_column\] 'feature_quality_score\) --' is not a plain identifier",
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
            'requires_rows = [{ table = "v_nbac_schedule_latest",',
            'requires_rows = [{ table = "v_nbac_schedule_lates",',
            r"\[phases\.3\.requires_rows\[0\]\.table\] unknown table 'v_nbac_schedule_lates'; did you mean "
            r"'v_nbac_schedule_latest'\?",
        ),
        (
            "needs_complete = [3]",
            "needs_complete = [5]",
            r"\[phases\.4\.needs_complete\] expected a list of earlier phase numbers",
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
        (
            "partition_lookback_days = 3",
            "partition_lookback_days = -1",
            r"\[tables\.nbac_injury_report\.partition_lookback_days\] expected whole days, 0 or more, got -1",
        ),
        (
            'partition_column = "report_date"',
            'partition_column = "report date"',
            r"\[tables\.nbac_injury_report\.partition_column\] 'report date' is not a plain identifier",
        ),
        (
            'run_history = "processor_run_history"',
            'run_history = "processor_run_history"\nusd_per_tib = "cheap"\nusd_per_tib_as_of = "2025-01-01"',
            r"\[pipeline\.usd_per_tib\] expected the on-demand price per TiB in USD, got 'cheap'",
        ),
        (
            'rewritten_columns = ["processed_at",',
            'rewritten_columns = ["processed at",',
            r"\[changes\.rewritten_columns\[0\]\] 'processed at' is not a plain identifier",
        ),
    ],
    ids=[
        "syntax",
        "unknown-table",
        "cycle",
        "sql-identifier",
        "column-identifier",
        "quality-column-identifier",
        "severity",
        "missing-key",
        "dataset",
        "season",
        "virtual-self",
        "unknown-required-table",
        "needs-a-later-phase",
        "range-reversed",
        "share-not-fraction",
        "expected-dates",
        "lookback-negative",
        "partition-column-identifier",
        "price",
        "rewritten-column",
    ],
)
def test_broken_declarations(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_pipeline(edited(tmp_path, old, new))
    assert re.search(message, str(caught.value)), str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pipeline file not found"):
        load_pipeline(tmp_path / "nope.toml")


PRODUCTION = Path(__file__).resolve().parents[3] / "pipeline.production.toml"

# pipeline-contract.md 11.6: what each real processor reads of the others.
REAL_DEPENDENCIES = {
    "team_offense_game_summary": set(),
    "team_defense_game_summary": set(),
    "upcoming_team_game_context": set(),
    "player_game_summary": {"team_offense_game_summary"},
    "upcoming_player_game_context": {
        "player_game_summary", "team_offense_game_summary", "team_defense_game_summary",
    },
    "team_defense_zone_analysis": {"team_defense_game_summary"},
    "player_shot_zone_analysis": {"player_game_summary"},
    "player_composite_factors": {
        "upcoming_player_game_context", "upcoming_team_game_context", "player_shot_zone_analysis",
        "team_defense_zone_analysis", "player_game_summary",
    },
    "player_daily_cache": {
        "player_game_summary", "team_offense_game_summary", "upcoming_player_game_context",
        "player_shot_zone_analysis",
    },
    "ml_feature_store_v2": {
        "player_daily_cache", "player_composite_factors", "player_shot_zone_analysis",
        "team_defense_zone_analysis", "player_game_summary", "team_offense_game_summary",
        "upcoming_player_game_context",
    },
}  # fmt: skip


@pytest.mark.parametrize("path", [REPO_PIPELINE, PRODUCTION], ids=["reference", "production"])
def test_both_declarations_carry_the_real_dependencies(path: Path) -> None:
    pipeline = load_pipeline(path)
    assert {name: set(p.upstream) for name, p in pipeline.processors.items()} == REAL_DEPENDENCIES
    # The gameplan's strict Phase 4 order is kept as an order, not as made-up dependencies.
    assert pipeline.phases[4].order == "strict" and pipeline.phases[3].order == "dependencies"
    assert pipeline.waits_for(pipeline.processors["player_shot_zone_analysis"]) == (
        "player_game_summary",
        "team_defense_zone_analysis",
    )
    # The upcoming tables are expected on every game date (11.5), the view must cover the window (11.2),
    # the Phase 4 scripts' own pre-flight is known (11.4), and Phase 3 takes a lock (11.7).
    assert pipeline.phases[3].requires_rows[0].table == "v_nbac_schedule_latest"
    rule = pipeline.phases[4].scripts_preflight
    assert rule is not None and (rule.phase, rule.min_share, rule.after_bootstrap) == (3, 0.95, True)
    assert pipeline.phases[3].lock_minutes == 10
    assert pipeline.tables["odds_api_game_lines"].team_columns == ("home_team_abbr", "away_team_abbr")
    assert pipeline.tables["odds_api_game_lines"].game_id_column is None


def test_the_production_scripts_get_the_project_and_a_different_one_is_refused(tmp_path: Path) -> None:
    from harness.context.run import build_context
    from harness.declaration.commands import render
    from harness.declaration.settings import resolve_settings

    pipeline = load_pipeline(PRODUCTION)
    assert pipeline.scripts_project == "nba-props-platform"
    for processor in pipeline.processors.values():
        command = render(processor, [date(2021, 11, 2)], {"pipeline_repo": str(tmp_path), "project": "p"})
        assert command.env["GCP_PROJECT_ID"] == "p", processor.name
    options = {
        "window": "2021-10-19:2021-11-15", "backend": "bigquery", "project": "my-test-project",
        "pipeline": str(PRODUCTION), "pipeline_repo": str(tmp_path),
    }  # fmt: skip
    settings = resolve_settings(cli=options, ini={}, environ={}, rootdir=tmp_path)
    with pytest.raises(ConfigError) as refused:
        build_context(settings, "run-1", today=date(2026, 1, 1))
    assert str(refused.value).startswith(
        "--project 'my-test-project': the scripts of pipeline.production.toml write to nba-props-platform "
        "(they hard-code it), so the harness would read where they do not write; pass --project "
        "nba-props-platform"
    )


def test_the_price_per_tib_has_a_default_with_its_date_and_may_be_declared(tmp_path: Path) -> None:
    from harness.declaration.model import DEFAULT_PRICE_AS_OF, DEFAULT_USD_PER_TIB

    default = load_pipeline(REPO_PIPELINE)
    assert (default.usd_per_tib, default.usd_per_tib_as_of) == (DEFAULT_USD_PER_TIB, DEFAULT_PRICE_AS_OF)
    declared = load_pipeline(
        edited(
            tmp_path,
            'run_history = "processor_run_history"',
            'run_history = "processor_run_history"\nusd_per_tib = 5\nusd_per_tib_as_of = "2025-01-01"',
        )
    )
    assert (declared.usd_per_tib, declared.usd_per_tib_as_of) == (5.0, "2025-01-01")
