-- player_composite_factors: adjustment factors for each player about to play on game_date.
-- Grain: game_date + player_lookup, one row per player of upcoming_player_game_context on the date;
-- analysis_date repeats game_date (the contract keeps both).
-- Every lookback uses games strictly before game_date in the same season_year.
-- Partition filters (a constant range on every read; BigQuery refuses a read of a table with
-- require_partition_filter without one): the dates [@start_date, @end_date], and season-to-date reads from
-- @season_start (the first day of @start_date's season, Oct 1).
--
-- Score ranges (each bounded by construction, so downstream range checks cannot fail):
--   fatigue_score             INT64 in [0, 100]; 100 = fully fresh. Starts at 100: -15 on a back-to-back,
--                             -5 per game beyond 2 in the last 7 days, -1 per 10 minutes beyond 100 in the
--                             last 7 days, +5 after 3+ days of rest; clamped.
--   shot_zone_mismatch_score  [-10, 10]; opponent's allowed pct in the player's primary zone minus the
--                             league's (percentage points), weighted by how much of his diet that zone is
--                             (full weight from a 50 % share). Positive = he attacks a weak zone.
--   pace_score                [-3, 3]; half of upcoming_player_game_context's pace_differential (the
--                             player's team's last-10 pace minus the opponent's).
--   usage_spike_score         [-3, 3]; 0.3 x (usage over his last 3 active games - over his last 10);
--                             NULL below 3 games.
--   total_composite_adjustment [-21, 16]; (fatigue_score - 100) / 20 + the three others (NULL counts as 0).
-- A score whose inputs are missing is NULL (not a made-up neutral 0); data_completeness_pct says how
-- many of the four could be computed, and the upstream_*_ready flags say which input was there.
WITH
-- include: final_game_dates(cte=analysis_dates, date=game_date),

players AS (
  SELECT u.*, d.season_year
  FROM nba_analytics.upcoming_player_game_context AS u
  JOIN analysis_dates AS d USING (game_date)
  WHERE u.game_date BETWEEN @start_date AND @end_date
),

-- Active games with a usage rate (the same "active" rule as player_shot_zone_analysis).
usage_games AS (
  SELECT player_lookup, season_year, game_id, game_date AS history_date, usage_rate
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @season_start AND @end_date
    AND is_active AND (minutes_played > 0 OR fg_attempts > 0) AND usage_rate IS NOT NULL
),

-- include: prior_season_games(cte=prior_usage, games=usage_games, date=game_date),

usage_windows AS (
  -- Usage over the last 3 and last 10 of those games.
  SELECT
    game_date,
    player_lookup,
    COUNT(*) AS games,
    AVG(IF(games_ago <= 3, usage_rate, NULL)) AS usage_last_3,
    AVG(usage_rate) AS usage_last_10
  FROM prior_usage
  WHERE games_ago <= 10
  GROUP BY game_date, player_lookup
),

inputs AS (
  SELECT
    p.player_lookup,
    p.game_id,
    p.game_date,
    p.back_to_back,
    p.days_rest,
    p.games_in_last_7_days,
    p.minutes_in_last_7_days,
    z.primary_scoring_zone,
    CASE z.primary_scoring_zone
      WHEN 'paint' THEN z.paint_rate_last_10
      WHEN 'mid_range' THEN z.mid_range_rate_last_10
      WHEN 'three_pt' THEN z.three_pt_rate_last_10
    END / 100 AS primary_zone_share,
    CASE z.primary_scoring_zone
      WHEN 'paint' THEN td.paint_defense_vs_league_avg
      WHEN 'mid_range' THEN td.mid_range_defense_vs_league_avg
      WHEN 'three_pt' THEN td.three_pt_defense_vs_league_avg
    END AS opponent_zone_vs_league,
    p.pace_differential AS pace_gap,
    IF(uw.games >= 3, uw.usage_last_3 - uw.usage_last_10, NULL) AS usage_gap,
    p.games_in_last_7_days IS NOT NULL AND p.minutes_in_last_7_days IS NOT NULL AS player_context_ready,
    tc.team_abbr IS NOT NULL AS team_context_ready,
    z.player_lookup IS NOT NULL AS player_shot_ready,
    td.team_abbr IS NOT NULL AS team_defense_ready
  FROM players AS p
  LEFT JOIN nba_analytics.upcoming_team_game_context AS tc
    ON tc.game_date = p.game_date AND tc.team_abbr = p.team_abbr
    AND tc.game_date BETWEEN @start_date AND @end_date
  -- include: zone_analysis_joins
  LEFT JOIN usage_windows AS uw
    ON uw.game_date = p.game_date AND uw.player_lookup = p.player_lookup
),

scores AS (
  SELECT
    *,
    CAST(ROUND(LEAST(100, GREATEST(0,
      100
      - IF(COALESCE(back_to_back, FALSE), 15, 0)
      - 5 * GREATEST(COALESCE(games_in_last_7_days, 0) - 2, 0)
      - GREATEST(COALESCE(minutes_in_last_7_days, 0) - 100, 0) / 10
      + IF(days_rest >= 3, 5, 0)
    ))) AS INT64) AS fatigue,
    ROUND(LEAST(10, GREATEST(-10,
      opponent_zone_vs_league * LEAST(primary_zone_share * 2, 1)
    )), 1) AS shot_zone_mismatch,
    ROUND(LEAST(3, GREATEST(-3, pace_gap / 2)), 1) AS pace,
    ROUND(LEAST(3, GREATEST(-3, usage_gap * 0.3)), 1) AS usage_spike
  FROM inputs
)

SELECT
  player_lookup,
  game_id,
  game_date,
  game_date AS analysis_date,
  fatigue AS fatigue_score,
  shot_zone_mismatch AS shot_zone_mismatch_score,
  pace AS pace_score,
  usage_spike AS usage_spike_score,
  -- Deferred in the real processor too: always 0.
  0.0 AS referee_favorability_score,
  0.0 AS look_ahead_pressure_score,
  0.0 AS travel_impact_score,
  0.0 AS opponent_strength_score,
  ROUND(
    (fatigue - 100) / 20 + COALESCE(shot_zone_mismatch, 0) + COALESCE(pace, 0) + COALESCE(usage_spike, 0), 2
  ) AS total_composite_adjustment,
  'reference_v1' AS calculation_version,
  ROUND(100 * (
    1
    + IF(shot_zone_mismatch IS NULL, 0, 1)
    + IF(pace IS NULL, 0, 1)
    + IF(usage_spike IS NULL, 0, 1)
  ) / 4, 2) AS data_completeness_pct,
  player_shot_ready AS upstream_player_shot_ready,
  team_defense_ready AS upstream_team_defense_ready,
  player_context_ready AS upstream_player_context_ready,
  team_context_ready AS upstream_team_context_ready,
  player_shot_ready AND team_defense_ready AND player_context_ready AND team_context_ready
    AS all_upstreams_ready,
  NOT (shot_zone_mismatch IS NOT NULL AND pace IS NOT NULL AND usage_spike IS NOT NULL) AS has_warnings,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM scores
