-- player_shot_zone_analysis: where each player shoots from, and how well, over his last 10 games.
-- Grain: analysis_date + player_lookup, for every player (not only those who play that day) with 10
-- active games of his last 10 since the season's first game in nba_reference.nba_schedule, the real
-- processor's minimum; up to day 21 from that game it needs min(3 + days // 3, 9). A player below it
-- gets no row.
-- Active game: is_active and (minutes_played > 0 or fg_attempts > 0), as in the real processor.
-- Lookback: games strictly before analysis_date, since that first game. Partition filters: the dates
-- [@start_date, @end_date]; the games from @season_start (Oct 1 of @start_date's season, before its first
-- game); the schedule from @start_date - 366 days. Samples under 10 games (early
-- season) are written with sample_quality_10 / data_quality_tier / early_season_flag saying so.
-- Ranges: *_rate_last_10 are shares of zoned shot attempts in percent [0, 100] (NUMERIC(5,2) in the
-- contract); *_pct_last_10 are make rates in [0, 1]. Zones: paint and mid_range from play-by-play,
-- three_pt from the box score; games whose play-by-play zones are unknown (NULL) do not count towards
-- the zone shares, so a missing feed cannot masquerade as "no paint shots".
WITH game_days AS (
  SELECT game_date AS analysis_date, MAX(season_year) AS season_year
  FROM nba_reference.nba_schedule
  WHERE game_status = 3 AND game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
),

analysis_dates AS (
  -- Day zero: the season's first game in the schedule between Oct 1 and Nov 30 (any status).
  SELECT d.analysis_date, d.season_year, MIN(s.game_date) AS season_start
  FROM game_days AS d
  JOIN nba_reference.nba_schedule AS s
    ON s.game_date BETWEEN DATE(d.season_year, 10, 1) AND DATE(d.season_year, 11, 30)
  WHERE s.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 366 DAY) AND @end_date
  GROUP BY d.analysis_date, d.season_year
),

thresholds AS (
  SELECT
    *,
    IF(
      DATE_DIFF(analysis_date, season_start, DAY) <= 21,
      LEAST(3 + DIV(DATE_DIFF(analysis_date, season_start, DAY), 3), 9),
      10
    ) AS min_games
  FROM analysis_dates
),

active_games AS (
  SELECT
    player_lookup,
    game_id,
    game_date,
    season_year,
    paint_attempts,
    paint_makes,
    mid_range_attempts,
    mid_range_makes,
    three_pt_attempts,
    three_pt_makes,
    paint_attempts IS NOT NULL AND mid_range_attempts IS NOT NULL AS has_zones
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN @season_start AND @end_date AND is_active AND (minutes_played > 0 OR fg_attempts > 0)
),

last_10 AS (
  SELECT * FROM (
    SELECT
      d.analysis_date,
      g.*,
      ROW_NUMBER() OVER (
        PARTITION BY d.analysis_date, g.player_lookup ORDER BY g.game_date DESC, g.game_id DESC
      ) AS games_ago
    FROM analysis_dates AS d
    JOIN active_games AS g
      ON g.game_date >= d.season_start AND g.game_date < d.analysis_date
  )
  WHERE games_ago <= 10
),

player_window AS (
  SELECT
    analysis_date,
    player_lookup,
    COUNT(*) AS games_in_sample_10,
    COUNTIF(has_zones) AS zoned_games,
    SUM(IF(has_zones, paint_attempts, 0)) AS paint_att,
    SUM(IF(has_zones, paint_makes, 0)) AS paint_made,
    SUM(IF(has_zones, mid_range_attempts, 0)) AS mid_att,
    SUM(IF(has_zones, mid_range_makes, 0)) AS mid_made,
    SUM(IF(has_zones, three_pt_attempts, 0)) AS three_att,
    SUM(IF(has_zones, three_pt_makes, 0)) AS three_made
  FROM last_10
  GROUP BY analysis_date, player_lookup
),

shares AS (
  SELECT
    *,
    paint_att + mid_att + three_att AS total_shots,
    SAFE_DIVIDE(paint_att, paint_att + mid_att + three_att) AS paint_share,
    SAFE_DIVIDE(mid_att, paint_att + mid_att + three_att) AS mid_share,
    SAFE_DIVIDE(three_att, paint_att + mid_att + three_att) AS three_share
  FROM player_window
)

SELECT
  analysis_date,
  player_lookup,
  ROUND(paint_share * 100, 2) AS paint_rate_last_10,
  ROUND(mid_share * 100, 2) AS mid_range_rate_last_10,
  ROUND(three_share * 100, 2) AS three_pt_rate_last_10,
  CAST(total_shots AS INT64) AS total_shots_last_10,
  games_in_sample_10,
  CASE
    WHEN games_in_sample_10 >= 10 THEN 'excellent'
    WHEN games_in_sample_10 >= 7 THEN 'good'
    WHEN games_in_sample_10 >= 5 THEN 'limited'
    ELSE 'insufficient'
  END AS sample_quality_10,
  ROUND(SAFE_DIVIDE(paint_made, paint_att), 3) AS paint_pct_last_10,
  ROUND(SAFE_DIVIDE(mid_made, mid_att), 3) AS mid_range_pct_last_10,
  ROUND(SAFE_DIVIDE(three_made, three_att), 3) AS three_pt_pct_last_10,
  ROUND(SAFE_DIVIDE(paint_att, zoned_games), 1) AS paint_attempts_per_game,
  ROUND(SAFE_DIVIDE(mid_att, zoned_games), 1) AS mid_range_attempts_per_game,
  ROUND(SAFE_DIVIDE(three_att, zoned_games), 1) AS three_pt_attempts_per_game,
  -- The zone with the largest share; ties go to paint, then mid_range (deterministic). NULL without shots.
  CASE
    WHEN total_shots = 0 THEN NULL
    WHEN paint_att >= mid_att AND paint_att >= three_att THEN 'paint'
    WHEN mid_att >= three_att THEN 'mid_range'
    ELSE 'three_pt'
  END AS primary_scoring_zone,
  CASE
    WHEN games_in_sample_10 >= 10 THEN 'high'
    WHEN games_in_sample_10 >= 7 THEN 'medium'
    ELSE 'low'
  END AS data_quality_tier,
  games_in_sample_10 < 10 AS early_season_flag,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM shares
JOIN thresholds USING (analysis_date)
WHERE games_in_sample_10 >= min_games
