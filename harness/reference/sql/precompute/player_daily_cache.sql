-- player_daily_cache: each upcoming player's season-to-date form, cached for the prediction day.
-- Grain: cache_date + player_lookup, for players of upcoming_player_game_context on cache_date with at
-- least 3 prior active games this season (the real processor's absolute_min_games), the last within 30
-- days (MAX_DAYS_WITHOUT_ACTIVE_GAME); fewer than 10 (its preferred minimum) is written with
-- early_season_flag and insufficient_data_reason.
-- Active game: is_active, not is_dnp, and minutes or points, as in the real processor. Lookbacks: games strictly before
-- cache_date, same season_year. Calendar windows: the 7 / 14 days before cache_date.
-- Partition filters (a constant range on every read; BigQuery refuses a read of a table with
-- require_partition_filter without one): the dates [@start_date, @end_date], and season-to-date reads from
-- @season_start (the first day of @start_date's season, Oct 1).
-- Ranges: points/minutes averages >= 0; usage_rate in percent; ts_pct_last_10 in [0, ~1.5].
WITH
-- include: final_game_dates(cte=cache_dates, date=cache_date),

players AS (
  SELECT u.player_lookup, u.team_abbr, d.cache_date, d.season_year
  FROM nba_analytics.upcoming_player_game_context AS u
  JOIN cache_dates AS d ON d.cache_date = u.game_date
  WHERE u.game_date BETWEEN @start_date AND @end_date
),

-- The real processor's active game: is_active, not is_dnp, and minutes or points.
active_games AS (
  SELECT player_lookup, season_year, game_id, game_date AS history_date, points, minutes_played, usage_rate,
    ts_pct
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @season_start AND @end_date
    AND is_active AND NOT COALESCE(is_dnp, FALSE) AND (minutes_played > 0 OR points > 0)
),

-- All of the player's active games this season before cache_date, newest first.
-- include: prior_season_games(cte=season_games, games=active_games, date=cache_date),

player_form AS (
  SELECT
    cache_date,
    player_lookup,
    COUNT(*) AS games_played_season,
    AVG(IF(games_ago <= 5, points, NULL)) AS points_avg_last_5,
    AVG(IF(games_ago <= 10, points, NULL)) AS points_avg_last_10,
    AVG(points) AS points_avg_season,
    STDDEV_SAMP(IF(games_ago <= 10, points, NULL)) AS points_std_last_10,
    AVG(IF(games_ago <= 10, minutes_played, NULL)) AS minutes_avg_last_10,
    AVG(IF(games_ago <= 10, usage_rate, NULL)) AS usage_rate_last_10,
    AVG(IF(games_ago <= 10, ts_pct, NULL)) AS ts_pct_last_10,
    AVG(usage_rate) AS player_usage_rate_season,
    COUNTIF(history_date >= DATE_SUB(cache_date, INTERVAL 7 DAY)) AS games_in_last_7_days,
    COUNTIF(history_date >= DATE_SUB(cache_date, INTERVAL 14 DAY)) AS games_in_last_14_days,
    SUM(IF(history_date >= DATE_SUB(cache_date, INTERVAL 7 DAY), minutes_played, 0)) AS minutes_last_7,
    SUM(IF(history_date >= DATE_SUB(cache_date, INTERVAL 14 DAY), minutes_played, 0)) AS minutes_last_14,
    MAX(history_date) AS last_game_date
  FROM season_games
  GROUP BY cache_date, player_lookup
),

-- The player's team: pace and offensive rating over its last 10 games before cache_date.
-- include: team_season_form(cte=team_form, dates=cache_dates, date=cache_date)

SELECT
  p.player_lookup,
  p.cache_date,
  ROUND(f.points_avg_last_5, 1) AS points_avg_last_5,
  ROUND(f.points_avg_last_10, 1) AS points_avg_last_10,
  ROUND(f.points_avg_season, 1) AS points_avg_season,
  ROUND(f.points_std_last_10, 2) AS points_std_last_10,
  ROUND(f.minutes_avg_last_10, 1) AS minutes_avg_last_10,
  ROUND(f.usage_rate_last_10, 2) AS usage_rate_last_10,
  ROUND(f.ts_pct_last_10, 3) AS ts_pct_last_10,
  f.games_played_season,
  ROUND(t.pace_last_10, 1) AS team_pace_last_10,
  ROUND(t.off_rating_last_10, 2) AS team_off_rating_last_10,
  ROUND(f.player_usage_rate_season, 2) AS player_usage_rate_season,
  f.games_in_last_7_days,
  f.games_in_last_14_days,
  CAST(ROUND(f.minutes_last_7) AS INT64) AS minutes_in_last_7_days,
  CAST(ROUND(f.minutes_last_14) AS INT64) AS minutes_in_last_14_days,
  ROUND(SAFE_DIVIDE(f.minutes_last_7, f.games_in_last_7_days), 1) AS avg_minutes_per_game_last_7,
  z.primary_scoring_zone,
  z.paint_rate_last_10,
  z.three_pt_rate_last_10,
  z.player_lookup IS NOT NULL AS shot_zone_data_available,
  f.games_played_season < 10 AS early_season_flag,
  IF(
    f.games_played_season < 10,
    CONCAT('only ', CAST(f.games_played_season AS STRING), ' games before cache_date (10 preferred)'),
    NULL
  ) AS insufficient_data_reason,
  'reference_v1' AS cache_version,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM players AS p
JOIN player_form AS f USING (cache_date, player_lookup)
LEFT JOIN team_form AS t
  ON t.cache_date = p.cache_date AND t.team_abbr = p.team_abbr
LEFT JOIN nba_precompute.player_shot_zone_analysis AS z
  ON z.analysis_date = p.cache_date AND z.player_lookup = p.player_lookup
  AND z.analysis_date BETWEEN @start_date AND @end_date
-- absolute_min_games: fewer than 3 prior games gives no row at all; nor does a last game over 30 days ago.
WHERE f.games_played_season >= 3 AND f.last_game_date >= DATE_SUB(p.cache_date, INTERVAL 30 DAY)
