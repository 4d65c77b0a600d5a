-- Phase 4 output tables of the reference pipeline (pipeline-contract.md section 3): the contract's names,
-- types, date columns and grains, for the columns the reference processors produce. The real DDLs'
-- partition_expiration_days (90 / 30) is left out on purpose: recreated historical partitions would
-- expire at once (contract section 10, item 12).

CREATE TABLE IF NOT EXISTS nba_precompute.team_defense_zone_analysis (
  team_abbr STRING NOT NULL,
  analysis_date DATE NOT NULL,
  paint_pct_allowed_last_15 NUMERIC(5, 3),
  mid_range_pct_allowed_last_15 NUMERIC(5, 3),
  three_pt_pct_allowed_last_15 NUMERIC(5, 3),
  paint_attempts_allowed_per_game NUMERIC(5, 1),
  mid_range_attempts_allowed_per_game NUMERIC(5, 1),
  three_pt_attempts_allowed_per_game NUMERIC(5, 1),
  paint_defense_vs_league_avg NUMERIC(5, 2),
  mid_range_defense_vs_league_avg NUMERIC(5, 2),
  three_pt_defense_vs_league_avg NUMERIC(5, 2),
  defensive_rating_last_15 NUMERIC(6, 2),
  opponent_points_per_game NUMERIC(5, 1),
  games_in_sample INT64,
  strongest_zone STRING,
  weakest_zone STRING,
  data_quality_tier STRING,
  early_season_flag BOOL,
  processed_at TIMESTAMP NOT NULL,
  created_at TIMESTAMP
)
PARTITION BY analysis_date
CLUSTER BY team_abbr, analysis_date;

CREATE TABLE IF NOT EXISTS nba_precompute.player_shot_zone_analysis (
  player_lookup STRING NOT NULL,
  analysis_date DATE NOT NULL,
  paint_rate_last_10 NUMERIC(5, 2),
  mid_range_rate_last_10 NUMERIC(5, 2),
  three_pt_rate_last_10 NUMERIC(5, 2),
  total_shots_last_10 INT64,
  games_in_sample_10 INT64,
  sample_quality_10 STRING,
  paint_pct_last_10 NUMERIC(5, 3),
  mid_range_pct_last_10 NUMERIC(5, 3),
  three_pt_pct_last_10 NUMERIC(5, 3),
  paint_attempts_per_game NUMERIC(4, 1),
  mid_range_attempts_per_game NUMERIC(4, 1),
  three_pt_attempts_per_game NUMERIC(4, 1),
  primary_scoring_zone STRING,
  data_quality_tier STRING,
  early_season_flag BOOL,
  created_at TIMESTAMP,
  processed_at TIMESTAMP
)
PARTITION BY analysis_date
CLUSTER BY player_lookup, analysis_date;

CREATE TABLE IF NOT EXISTS nba_precompute.player_composite_factors (
  player_lookup STRING NOT NULL,
  game_date DATE NOT NULL,
  game_id STRING NOT NULL,
  analysis_date DATE,
  fatigue_score INT64,
  shot_zone_mismatch_score NUMERIC(4, 1),
  pace_score NUMERIC(3, 1),
  usage_spike_score NUMERIC(3, 1),
  referee_favorability_score NUMERIC(3, 1),
  look_ahead_pressure_score NUMERIC(3, 1),
  travel_impact_score NUMERIC(3, 1),
  opponent_strength_score NUMERIC(3, 1),
  total_composite_adjustment NUMERIC(5, 2),
  calculation_version STRING,
  data_completeness_pct NUMERIC(5, 2),
  has_warnings BOOL,
  upstream_player_shot_ready BOOL,
  upstream_team_defense_ready BOOL,
  upstream_player_context_ready BOOL,
  upstream_team_context_ready BOOL,
  all_upstreams_ready BOOL,
  created_at TIMESTAMP,
  processed_at TIMESTAMP
)
PARTITION BY game_date
CLUSTER BY player_lookup, game_date;

CREATE TABLE IF NOT EXISTS nba_precompute.player_daily_cache (
  player_lookup STRING NOT NULL,
  cache_date DATE NOT NULL,
  points_avg_last_5 NUMERIC(5, 1),
  points_avg_last_10 NUMERIC(5, 1),
  points_avg_season NUMERIC(5, 1),
  points_std_last_10 NUMERIC(5, 2),
  minutes_avg_last_10 NUMERIC(5, 1),
  usage_rate_last_10 NUMERIC(5, 2),
  ts_pct_last_10 NUMERIC(5, 3),
  games_played_season INT64,
  team_pace_last_10 NUMERIC(5, 1),
  team_off_rating_last_10 NUMERIC(6, 2),
  player_usage_rate_season NUMERIC(5, 2),
  games_in_last_7_days INT64,
  games_in_last_14_days INT64,
  minutes_in_last_7_days INT64,
  minutes_in_last_14_days INT64,
  avg_minutes_per_game_last_7 NUMERIC(5, 1),
  primary_scoring_zone STRING,
  paint_rate_last_10 NUMERIC(5, 2),
  three_pt_rate_last_10 NUMERIC(5, 2),
  shot_zone_data_available BOOL,
  early_season_flag BOOL,
  insufficient_data_reason STRING,
  cache_version STRING,
  created_at TIMESTAMP,
  processed_at TIMESTAMP
)
PARTITION BY cache_date
CLUSTER BY player_lookup;

CREATE TABLE IF NOT EXISTS nba_predictions.ml_feature_store_v2 (
  player_lookup STRING NOT NULL,
  game_date DATE NOT NULL,
  game_id STRING NOT NULL,
  features ARRAY<FLOAT64>,
  feature_names ARRAY<STRING>,
  feature_count INT64 NOT NULL,
  feature_version STRING NOT NULL,
  feature_quality_score NUMERIC(5, 2),
  quality_tier STRING,
  default_feature_count INT64,
  default_feature_indices ARRAY<INT64>,
  is_home BOOL,
  days_rest INT64,
  opponent_team_abbr STRING,
  data_source STRING NOT NULL,
  early_season_flag BOOL,
  has_composite_factors BOOL,
  has_opponent_defense BOOL,
  historical_completeness STRUCT<
    games_found INT64,
    games_expected INT64,
    is_complete BOOL,
    is_bootstrap BOOL,
    contributing_game_dates ARRAY<DATE>
  >,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP
)
PARTITION BY game_date
CLUSTER BY player_lookup, feature_version, game_date
