-- nba_analytics.upcoming_player_game_context: one row per (game_date, player_lookup) for every player the
-- gamebook lists for a game dated @start_date..@end_date that the schedule view has (the real processor's
-- backfill-mode player list: the gamebook joined to the view for the game; a date the view does not cover
-- gives no player a row, as the real processor then fails every player).
--
-- Everything about the player's form comes from nba_analytics.player_game_summary rows strictly before the
-- game date and inside the same season, so a game never informs its own context. Team form comes from
-- team offense / defense the same way. Props, game lines and the injury report are the pre-game feeds of
-- the game date itself: a gap in them lowers quality_score and lists a quality issue, it removes no row.

WITH schedule_games AS (
  SELECT DISTINCT
    game_date, FORMAT_DATE('%Y%m%d', game_date) || '_' || away_team_tricode || '_' || home_team_tricode AS game_id
  FROM nba_raw.v_nbac_schedule_latest
  WHERE game_date BETWEEN @start_date AND @end_date
),

targets AS (
  SELECT
    g.game_date, g.player_lookup, g.game_id, g.season_year, g.team_abbr,
    IF(g.team_abbr = g.home_team_abbr, g.away_team_abbr, g.home_team_abbr) AS opponent_team_abbr,
    g.team_abbr = g.home_team_abbr AS home_game,
    g.home_team_abbr, g.away_team_abbr
  FROM nba_raw.nbac_gamebook_player_stats AS g
  JOIN schedule_games AS s
    ON s.game_id = g.game_id
    AND s.game_date = g.game_date
  WHERE g.game_date BETWEEN @start_date AND @end_date
    AND g.player_lookup IS NOT NULL
),

-- Games the player actually played; a season never spans more than a year, so 366 days of history suffice.
played_games AS (
  SELECT player_lookup, game_date, season_year, points, minutes_played
  FROM nba_analytics.player_game_summary
  WHERE game_date BETWEEN DATE_SUB(@start_date, INTERVAL 366 DAY) AND @end_date
    AND is_active
    AND minutes_played > 0
),

prior_games AS (
  SELECT
    t.game_date,
    t.player_lookup,
    h.game_date AS prior_date,
    h.points,
    h.minutes_played,
    ROW_NUMBER() OVER (PARTITION BY t.game_date, t.player_lookup ORDER BY h.game_date DESC) AS recency
  FROM targets AS t
  JOIN played_games AS h
    ON h.player_lookup = t.player_lookup
    AND h.season_year = t.season_year
    AND h.game_date < t.game_date
),

player_form AS (
  SELECT
    game_date,
    player_lookup,
    COUNT(*) AS prior_games_count,
    ROUND(AVG(IF(recency <= 5, points, NULL)), 1) AS points_avg_last_5,
    ROUND(AVG(IF(recency <= 10, points, NULL)), 1) AS points_avg_last_10,
    MAX(prior_date) AS last_game_date,
    -- The 7 days before the game: game_date - 7 .. game_date - 1, as the real processor counts them.
    COUNTIF(prior_date >= DATE_SUB(game_date, INTERVAL 7 DAY)) AS games_in_last_7_days,
    COUNTIF(prior_date >= DATE_SUB(game_date, INTERVAL 14 DAY)) AS games_in_last_14_days,
    -- Whole minutes, truncated like the real processor's int().
    CAST(FLOOR(COALESCE(SUM(IF(prior_date >= DATE_SUB(game_date, INTERVAL 7 DAY), minutes_played, NULL)), 0))
      AS INT64) AS minutes_in_last_7_days,
    CAST(FLOOR(COALESCE(SUM(IF(prior_date >= DATE_SUB(game_date, INTERVAL 14 DAY), minutes_played, NULL)), 0))
      AS INT64) AS minutes_in_last_14_days
  FROM prior_games
  GROUP BY game_date, player_lookup
),

-- Team form entering the game: last 10 team games of the same season before the date.
teams_on_date AS (
  SELECT DISTINCT game_date, season_year, team_abbr FROM targets
),

-- include: team_last_10(cte=pace_form, table=team_offense_game_summary, team=team_abbr, stat=pace),

-- include: team_last_10(cte=defense_form, table=team_defense_game_summary, team=defending_team_abbr, stat=defensive_rating),

team_form AS (
  SELECT d.game_date, d.team_abbr, p.pace_last_10, r.defensive_rating_last_10 AS def_rating_last_10
  FROM teams_on_date AS d
  LEFT JOIN pace_form AS p ON p.game_date = d.game_date AND p.team_abbr = d.team_abbr
  LEFT JOIN defense_form AS r ON r.game_date = d.game_date AND r.team_abbr = d.team_abbr
),

-- include: props_consensus,

-- include: game_lines,

-- include: injury_status

SELECT
  t.player_lookup,
  t.game_id,
  t.game_date,
  t.team_abbr,
  t.opponent_team_abbr,
  l.points_line IS NOT NULL AS has_prop_line,
  CAST(l.points_line AS NUMERIC) AS current_points_line,
  l.source AS current_points_line_source,
  CAST(ROUND(IF(t.home_game, gl.home_spread, gl.away_spread), 1) AS NUMERIC) AS game_spread,
  IF(gl.home_spread IS NULL, NULL, 'odds_api') AS game_spread_source,
  CAST(ROUND(gl.total, 1) AS NUMERIC) AS game_total,
  IF(gl.total IS NULL, NULL, 'odds_api') AS game_total_source,
  CAST(ROUND(opp.pace_last_10, 1) AS NUMERIC) AS opponent_pace_last_10,
  CAST(ROUND(own.pace_last_10 - opp.pace_last_10, 1) AS NUMERIC) AS pace_differential,
  CAST(ROUND(opp.def_rating_last_10, 2) AS NUMERIC) AS opponent_def_rating_last_10,
  t.home_game,
  -- days_rest is the calendar-day gap to the last game played (1 = played yesterday). The real processor
  -- tests days_rest == 0 for back-to-back, which can never be true; a gap of one day is what it means.
  DATE_DIFF(t.game_date, f.last_game_date, DAY) AS days_rest,
  COALESCE(DATE_DIFF(t.game_date, f.last_game_date, DAY) = 1, FALSE) AS back_to_back,
  COALESCE(f.games_in_last_7_days, 0) AS games_in_last_7_days,
  COALESCE(f.games_in_last_14_days, 0) AS games_in_last_14_days,
  COALESCE(f.minutes_in_last_7_days, 0) AS minutes_in_last_7_days,
  COALESCE(f.minutes_in_last_14_days, 0) AS minutes_in_last_14_days,
  CAST(f.points_avg_last_5 AS NUMERIC) AS points_avg_last_5,
  CAST(f.points_avg_last_10 AS NUMERIC) AS points_avg_last_10,
  i.injury_status AS player_status,
  i.reason AS injury_report,
  -- Quality follows the size of the player's history in the season.
  CASE
    WHEN COALESCE(f.prior_games_count, 0) >= 10 THEN 'high'
    WHEN COALESCE(f.prior_games_count, 0) >= 3 THEN 'medium'
    ELSE 'low'
  END AS data_quality_tier,
  -- 0-100: a missing prop line costs 30, missing game lines 20, each game short of a 10-game history 3.
  CAST(GREATEST(0,
    100
    - IF(l.points_line IS NULL, 30, 0)
    - IF(gl.total IS NULL AND gl.home_spread IS NULL, 20, 0)
    - 3 * GREATEST(0, 10 - COALESCE(f.prior_games_count, 0))
  ) AS FLOAT64) AS quality_score,
  ARRAY_CONCAT(
    IF(l.points_line IS NULL, ['no_prop_line'], []),
    IF(gl.total IS NULL AND gl.home_spread IS NULL, ['no_game_lines'], []),
    IF(COALESCE(f.prior_games_count, 0) < 10, ['short_history'], [])
  ) AS quality_issues,
  CURRENT_TIMESTAMP() AS processed_at
FROM targets AS t
LEFT JOIN player_form AS f ON f.game_date = t.game_date AND f.player_lookup = t.player_lookup
LEFT JOIN team_form AS own ON own.game_date = t.game_date AND own.team_abbr = t.team_abbr
LEFT JOIN team_form AS opp ON opp.game_date = t.game_date AND opp.team_abbr = t.opponent_team_abbr
LEFT JOIN points_lines AS l ON l.game_date = t.game_date AND l.player_lookup = t.player_lookup
LEFT JOIN game_lines AS gl
  ON gl.game_date = t.game_date
  AND gl.home_team_abbr = t.home_team_abbr AND gl.away_team_abbr = t.away_team_abbr
LEFT JOIN injury_status AS i ON i.game_date = t.game_date AND i.player_lookup = t.player_lookup
