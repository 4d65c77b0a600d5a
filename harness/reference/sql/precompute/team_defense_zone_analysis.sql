-- team_defense_zone_analysis: how well each team defended each shot zone over its last 15 games.
-- Grain: analysis_date + team_abbr, for every team with 15 games since Oct 1 before the date (the real
-- processor's minimum and hard-coded season boundary; up to day 21 after Oct 1 it needs
-- min(5 + days // 3, 14)). A team below it gets no row, and a date where no team has enough gets none.
-- Lookback: games strictly before analysis_date, since Oct 1 of the same season_year (no leakage, no
-- carry-over from last season).
-- Partition filters (a constant range on every read; BigQuery refuses a read of a table with
-- require_partition_filter without one): the dates [@start_date, @end_date], and season-to-date reads from
-- @season_start (the first day of @start_date's season, Oct 1).
-- Ranges: *_pct_allowed_last_15 in [0, 1]; *_defense_vs_league_avg in percentage points (team pct minus
-- league pct, times 100; positive = the team allows more than the league, i.e. a weak zone).
WITH analysis_dates AS (
  -- The days being prepared for: final game dates of the schedule inside the requested range.
  SELECT
    game_date AS analysis_date,
    MAX(season_year) AS season_year,
    DATE(MAX(season_year), 10, 1) AS season_boundary,
    IF(
      DATE_DIFF(game_date, DATE(MAX(season_year), 10, 1), DAY) <= 21,
      LEAST(5 + DIV(DATE_DIFF(game_date, DATE(MAX(season_year), 10, 1), DAY), 3), 14),
      15
    ) AS min_games
  FROM nba_reference.nba_schedule
  WHERE game_status = 3 AND game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
),

prior_games AS (
  -- Every game a team played this season before the analysis date, newest first.
  SELECT
    d.analysis_date,
    g.defending_team_abbr AS team_abbr,
    g.opp_paint_attempts,
    g.opp_paint_makes,
    g.opp_mid_range_attempts,
    g.opp_mid_range_makes,
    g.opp_three_pt_attempts,
    g.opp_three_pt_makes,
    g.points_allowed,
    g.defensive_rating,
    ROW_NUMBER() OVER (
      PARTITION BY d.analysis_date, g.defending_team_abbr ORDER BY g.game_date DESC, g.game_id DESC
    ) AS games_ago
  FROM analysis_dates AS d
  JOIN nba_analytics.team_defense_game_summary AS g
    ON g.season_year = d.season_year AND g.game_date < d.analysis_date AND g.game_date >= d.season_boundary
  WHERE g.game_date BETWEEN @season_start AND @end_date
),

last_15 AS (
  SELECT * FROM prior_games WHERE games_ago <= 15
),

team_window AS (
  -- Pct allowed pools makes over attempts (a 2-for-2 night must not weigh like 20-for-40); it stays
  -- unrounded for the comparison with the league. The per-game averages are rounded as published.
  SELECT
    analysis_date,
    team_abbr,
    COUNT(*) AS games_in_sample,
    SAFE_DIVIDE(SUM(opp_paint_makes), SUM(opp_paint_attempts)) AS paint_pct,
    SAFE_DIVIDE(SUM(opp_mid_range_makes), SUM(opp_mid_range_attempts)) AS mid_range_pct,
    SAFE_DIVIDE(SUM(opp_three_pt_makes), SUM(opp_three_pt_attempts)) AS three_pt_pct,
    ROUND(AVG(opp_paint_attempts), 1) AS paint_attempts_pg,
    ROUND(AVG(opp_mid_range_attempts), 1) AS mid_range_attempts_pg,
    ROUND(AVG(opp_three_pt_attempts), 1) AS three_pt_attempts_pg,
    ROUND(AVG(defensive_rating), 2) AS defensive_rating,
    ROUND(AVG(points_allowed), 1) AS points_allowed_pg
  FROM last_15
  GROUP BY analysis_date, team_abbr
),

league_window AS (
  -- League average of the same windows: every team's last-15 sample pooled, so a team is compared
  -- with what the league allowed over the same stretch of the season.
  SELECT
    analysis_date,
    SAFE_DIVIDE(SUM(opp_paint_makes), SUM(opp_paint_attempts)) AS paint_pct,
    SAFE_DIVIDE(SUM(opp_mid_range_makes), SUM(opp_mid_range_attempts)) AS mid_range_pct,
    SAFE_DIVIDE(SUM(opp_three_pt_makes), SUM(opp_three_pt_attempts)) AS three_pt_pct
  FROM last_15
  GROUP BY analysis_date
),

versus_league AS (
  -- Rounded as published, so strongest/weakest agree with the columns a reader sees.
  SELECT
    t.*,
    ROUND((t.paint_pct - l.paint_pct) * 100, 2) AS paint_vs_league,
    ROUND((t.mid_range_pct - l.mid_range_pct) * 100, 2) AS mid_range_vs_league,
    ROUND((t.three_pt_pct - l.three_pt_pct) * 100, 2) AS three_pt_vs_league
  FROM team_window AS t
  JOIN league_window AS l USING (analysis_date)
),

zone_ranks AS (
  -- Strongest zone = furthest below the league, weakest = furthest above; ties go to the zone listed
  -- first (paint, mid_range, three_pt) so the result is deterministic. Zones without data never win.
  SELECT
    v.analysis_date,
    v.team_abbr,
    ARRAY_AGG(z.zone ORDER BY z.vs_league ASC, z.zone_order ASC)[SAFE_OFFSET(0)] AS strongest_zone,
    ARRAY_AGG(z.zone ORDER BY z.vs_league DESC, z.zone_order ASC)[SAFE_OFFSET(0)] AS weakest_zone
  FROM versus_league AS v
  CROSS JOIN UNNEST([
    STRUCT('paint' AS zone, 1 AS zone_order, v.paint_vs_league AS vs_league),
    STRUCT('mid_range' AS zone, 2 AS zone_order, v.mid_range_vs_league AS vs_league),
    STRUCT('three_pt' AS zone, 3 AS zone_order, v.three_pt_vs_league AS vs_league)
  ]) AS z
  WHERE z.vs_league IS NOT NULL
  GROUP BY v.analysis_date, v.team_abbr
)

SELECT
  v.analysis_date,
  v.team_abbr,
  ROUND(v.paint_pct, 3) AS paint_pct_allowed_last_15,
  ROUND(v.mid_range_pct, 3) AS mid_range_pct_allowed_last_15,
  ROUND(v.three_pt_pct, 3) AS three_pt_pct_allowed_last_15,
  v.paint_attempts_pg AS paint_attempts_allowed_per_game,
  v.mid_range_attempts_pg AS mid_range_attempts_allowed_per_game,
  v.three_pt_attempts_pg AS three_pt_attempts_allowed_per_game,
  v.paint_vs_league AS paint_defense_vs_league_avg,
  v.mid_range_vs_league AS mid_range_defense_vs_league_avg,
  v.three_pt_vs_league AS three_pt_defense_vs_league_avg,
  v.defensive_rating AS defensive_rating_last_15,
  v.points_allowed_pg AS opponent_points_per_game,
  v.games_in_sample,
  r.strongest_zone,
  r.weakest_zone,
  CASE
    WHEN v.games_in_sample >= 15 THEN 'high'
    WHEN v.games_in_sample >= 10 THEN 'medium'
    ELSE 'low'
  END AS data_quality_tier,
  v.games_in_sample < 15 AS early_season_flag,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM versus_league AS v
JOIN analysis_dates AS d USING (analysis_date)
LEFT JOIN zone_ranks AS r USING (analysis_date, team_abbr)
WHERE v.games_in_sample >= d.min_games
