-- ml_feature_store_v2 (dataset nba_predictions): the model's feature vector per player and game.
-- Grain: game_date + player_lookup, one row per player of player_game_summary on game_date (backfill
-- mode of the real processor) with a player_game_summary row in the 60 days before (its lookback: a
-- player without one is dropped). Reads the four Phase 4 tables of the same date, and Phase 3 only for
-- what they do not carry (opponent/team pace, win pct, free-throw share, game context).
-- Lookbacks: games strictly before game_date, same season_year.
-- Partition filters (every read prunes to a constant range; BigQuery refuses a read of a table with
-- require_partition_filter without one): the dates [@start_date, @end_date]; season-to-date reads from
-- @season_start (the first day of @start_date's season); the 60-day lookback from @start_date - 60 days;
-- the schedule's rest days from @start_date - 30 days (a team's previous game is at most that far back
-- after the bootstrap period, which Phase 4 skips).
--
-- Features 0-24 follow the contract's layout (section 3.6). A feature whose input is honestly missing
-- is not replaced by a made-up default: BigQuery refuses NULL elements in an ARRAY of a query result
-- ("Array cannot have a null element"), so the array holds NaN there, the index is listed in
-- default_feature_indices, and feature_quality_score drops by 4 points per missing feature.
-- Flags 15-17 are 1.0/0.0, NaN when unknown.
-- Ranges: 0-3 points >= 0; 5 in [0, 100]; 6 in [-10, 10]; 7-9 in [-3, 3]; 10 in [0, 3]; 15-17 in {0, 1};
-- 18-21 and 24 in [0, 1]; feature_quality_score in [0, 100].
WITH
-- include: final_game_dates(cte=game_dates, date=game_date),

players AS (
  SELECT g.player_lookup, g.game_id, g.game_date, g.team_abbr, g.opponent_team_abbr, d.season_year
  FROM nba_analytics.player_game_summary AS g
  JOIN game_dates AS d USING (game_date)
  WHERE g.game_date BETWEEN @start_date AND @end_date
    AND EXISTS (
      SELECT 1 FROM nba_analytics.player_game_summary AS h
      WHERE h.player_lookup = g.player_lookup
        AND h.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 60 DAY) AND @end_date
        AND h.game_date < g.game_date AND h.game_date >= DATE_SUB(g.game_date, INTERVAL 60 DAY)
    )
),

schedule_games AS (
  -- One row per team and final game: home/away and playoff flags straight from the schedule, and the
  -- days since the team's previous game (the rest feature; the real feature store reads no team context).
  SELECT *, DATE_DIFF(game_date, LAG(game_date) OVER (PARTITION BY team_abbr ORDER BY game_date), DAY) AS rest_days
  FROM (
    SELECT game_date, home_team_tricode AS team_abbr, TRUE AS is_home, is_playoffs
    FROM nba_reference.nba_schedule
    WHERE game_status = 3 AND game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date
    UNION ALL
    SELECT game_date, away_team_tricode AS team_abbr, FALSE AS is_home, is_playoffs
    FROM nba_reference.nba_schedule
    WHERE game_status = 3 AND game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date
  )
),

-- include: team_season_form(cte=team_form, dates=game_dates, date=game_date),

-- The player's active games (player_daily_cache's rule), for the free-throw share and the dates that fed
-- the rolling features.
active_games AS (
  SELECT player_lookup, season_year, game_id, game_date AS history_date, ft_makes, points
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @season_start AND @end_date AND is_active AND NOT COALESCE(is_dnp, FALSE)
),

-- include: prior_season_games(cte=prior_games, games=active_games, date=game_date),

player_last_10 AS (
  -- The player's last 10 active games: free-throw share of his points and their dates.
  SELECT
    game_date,
    player_lookup,
    SAFE_DIVIDE(SUM(ft_makes), SUM(points)) AS pct_free_throw,
    ARRAY_AGG(history_date ORDER BY history_date DESC) AS contributing_game_dates
  FROM prior_games
  WHERE games_ago <= 10
  GROUP BY game_date, player_lookup
),

inputs AS (
  SELECT
    p.*,
    s.is_home,
    s.is_playoffs,
    u.days_rest,
    u.back_to_back,
    u.player_status,
    u.games_in_last_7_days AS context_games_in_last_7_days,
    c.points_avg_last_5,
    c.points_avg_last_10,
    c.points_avg_season,
    c.points_std_last_10,
    c.games_in_last_7_days,
    c.minutes_avg_last_10,
    c.avg_minutes_per_game_last_7,
    c.early_season_flag AS cache_early_season,
    f.fatigue_score,
    f.shot_zone_mismatch_score,
    f.pace_score,
    f.usage_spike_score,
    z.paint_rate_last_10,
    z.mid_range_rate_last_10,
    z.three_pt_rate_last_10,
    td.defensive_rating_last_15 AS opponent_def_rating,
    s.rest_days - os.rest_days AS rest_gap,
    own.pace_last_10 AS team_pace,
    own.off_rating_last_10 AS team_off_rating,
    own.win_pct AS team_win_pct,
    own.games_played AS team_games_played,
    opp.pace_last_10 AS opponent_pace,
    h.pct_free_throw,
    h.contributing_game_dates,
    u.player_lookup IS NOT NULL AS has_player_context,
    c.player_lookup IS NOT NULL AS has_daily_cache,
    f.player_lookup IS NOT NULL AS has_composite_factors,
    td.team_abbr IS NOT NULL AS has_opponent_defense
  FROM players AS p
  LEFT JOIN schedule_games AS s
    ON s.game_date = p.game_date AND s.team_abbr = p.team_abbr
  LEFT JOIN nba_analytics.upcoming_player_game_context AS u
    ON u.game_date = p.game_date AND u.player_lookup = p.player_lookup
    AND u.game_date BETWEEN @start_date AND @end_date
  LEFT JOIN schedule_games AS os
    ON os.game_date = p.game_date AND os.team_abbr = p.opponent_team_abbr
  LEFT JOIN nba_precompute.player_daily_cache AS c
    ON c.cache_date = p.game_date AND c.player_lookup = p.player_lookup
    AND c.cache_date BETWEEN @start_date AND @end_date
  LEFT JOIN nba_precompute.player_composite_factors AS f
    ON f.game_date = p.game_date AND f.player_lookup = p.player_lookup
    AND f.game_date BETWEEN @start_date AND @end_date
  -- include: zone_analysis_joins
  LEFT JOIN team_form AS own
    ON own.game_date = p.game_date AND own.team_abbr = p.team_abbr
  LEFT JOIN team_form AS opp
    ON opp.game_date = p.game_date AND opp.team_abbr = p.opponent_team_abbr
  LEFT JOIN player_last_10 AS h
    ON h.game_date = p.game_date AND h.player_lookup = p.player_lookup
),

feature_values AS (
  -- The layout, in one place: index, contract name, value (NULL when the input is missing).
  SELECT i.game_date, i.player_lookup, f.idx, f.name, f.value
  FROM inputs AS i
  CROSS JOIN UNNEST([
    STRUCT(0 AS idx, 'points_avg_last_5' AS name, CAST(i.points_avg_last_5 AS FLOAT64) AS value),
    STRUCT(1, 'points_avg_last_10', CAST(i.points_avg_last_10 AS FLOAT64)),
    STRUCT(2, 'points_avg_season', CAST(i.points_avg_season AS FLOAT64)),
    STRUCT(3, 'points_std_last_10', CAST(i.points_std_last_10 AS FLOAT64)),
    STRUCT(4, 'games_in_last_7_days',
      CAST(COALESCE(i.games_in_last_7_days, i.context_games_in_last_7_days) AS FLOAT64)),
    STRUCT(5, 'fatigue_score', CAST(i.fatigue_score AS FLOAT64)),
    STRUCT(6, 'shot_zone_mismatch_score', CAST(i.shot_zone_mismatch_score AS FLOAT64)),
    STRUCT(7, 'pace_score', CAST(i.pace_score AS FLOAT64)),
    STRUCT(8, 'usage_spike_score', CAST(i.usage_spike_score AS FLOAT64)),
    -- Days since the team's last game minus the opponent's, clamped to [-3, 3].
    STRUCT(9, 'rest_advantage', CAST(LEAST(3, GREATEST(-3, i.rest_gap)) AS FLOAT64)),
    -- Injury report status: none/available 0, probable 1, questionable 2, doubtful or out 3.
    STRUCT(10, 'injury_risk', CAST(CASE
      WHEN NOT i.has_player_context THEN NULL
      WHEN LOWER(i.player_status) = 'probable' THEN 1
      WHEN LOWER(i.player_status) = 'questionable' THEN 2
      WHEN LOWER(i.player_status) IN ('doubtful', 'out') THEN 3
      ELSE 0
    END AS FLOAT64)),
    STRUCT(11, 'recent_trend', CAST(i.points_avg_last_5 - i.points_avg_last_10 AS FLOAT64)),
    STRUCT(12, 'minutes_change', CAST(i.avg_minutes_per_game_last_7 - i.minutes_avg_last_10 AS FLOAT64)),
    STRUCT(13, 'opponent_def_rating', CAST(i.opponent_def_rating AS FLOAT64)),
    STRUCT(14, 'opponent_pace', CAST(i.opponent_pace AS FLOAT64)),
    STRUCT(15, 'home_away', CASE i.is_home WHEN TRUE THEN 1.0 WHEN FALSE THEN 0.0 END),
    STRUCT(16, 'back_to_back', CASE i.back_to_back WHEN TRUE THEN 1.0 WHEN FALSE THEN 0.0 END),
    STRUCT(17, 'playoff_game', CASE i.is_playoffs WHEN TRUE THEN 1.0 WHEN FALSE THEN 0.0 END),
    STRUCT(18, 'pct_paint', CAST(i.paint_rate_last_10 AS FLOAT64) / 100),
    STRUCT(19, 'pct_mid_range', CAST(i.mid_range_rate_last_10 AS FLOAT64) / 100),
    STRUCT(20, 'pct_three', CAST(i.three_pt_rate_last_10 AS FLOAT64) / 100),
    STRUCT(21, 'pct_free_throw', CAST(i.pct_free_throw AS FLOAT64)),
    STRUCT(22, 'team_pace', CAST(i.team_pace AS FLOAT64)),
    STRUCT(23, 'team_off_rating', CAST(i.team_off_rating AS FLOAT64)),
    STRUCT(24, 'team_win_pct', CAST(i.team_win_pct AS FLOAT64))
  ]) AS f
),

feature_arrays AS (
  SELECT
    game_date,
    player_lookup,
    ARRAY_AGG(IFNULL(value, CAST('NaN' AS FLOAT64)) ORDER BY idx) AS features,
    ARRAY_AGG(name ORDER BY idx) AS feature_names,
    COUNT(*) AS feature_count,
    COUNTIF(value IS NULL) AS default_feature_count,
    IFNULL(ARRAY_AGG(IF(value IS NULL, idx, NULL) IGNORE NULLS ORDER BY idx), []) AS default_feature_indices
  FROM feature_values
  GROUP BY game_date, player_lookup
),

quality AS (
  SELECT
    *,
    ROUND(100 * (feature_count - default_feature_count) / feature_count, 2) AS feature_quality_score
  FROM feature_arrays
)

SELECT
  i.player_lookup,
  i.game_date,
  i.game_id,
  q.features,
  q.feature_names,
  q.feature_count,
  'v2_25features_reference' AS feature_version,
  q.feature_quality_score,
  CASE
    WHEN q.feature_quality_score > 95 THEN 'gold'
    WHEN q.feature_quality_score >= 85 THEN 'silver'
    WHEN q.feature_quality_score >= 70 THEN 'bronze'
    WHEN q.feature_quality_score >= 50 THEN 'poor'
    ELSE 'critical'
  END AS quality_tier,
  q.default_feature_count,
  q.default_feature_indices,
  i.is_home,
  i.days_rest,
  i.opponent_team_abbr,
  IF(i.has_daily_cache AND i.has_composite_factors, 'phase4', 'phase4_partial') AS data_source,
  COALESCE(i.cache_early_season, TRUE) AS early_season_flag,
  i.has_composite_factors,
  i.has_opponent_defense,
  -- Window completeness of the rolling features: games found in the player's last-10 window versus
  -- games his team played (capped at 10); a player who sat out shows found < expected.
  STRUCT(
    CAST(ARRAY_LENGTH(IFNULL(i.contributing_game_dates, [])) AS INT64) AS games_found,
    CAST(LEAST(10, COALESCE(i.team_games_played, 0)) AS INT64) AS games_expected,
    ARRAY_LENGTH(IFNULL(i.contributing_game_dates, [])) >= LEAST(10, COALESCE(i.team_games_played, 0))
      AS is_complete,
    COALESCE(i.team_games_played, 0) < 10 AS is_bootstrap,
    IFNULL(i.contributing_game_dates, []) AS contributing_game_dates
  ) AS historical_completeness,
  CURRENT_TIMESTAMP() AS created_at,
  CURRENT_TIMESTAMP() AS updated_at
FROM inputs AS i
JOIN quality AS q USING (game_date, player_lookup)
