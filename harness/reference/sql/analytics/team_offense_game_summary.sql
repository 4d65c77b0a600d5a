-- nba_analytics.team_offense_game_summary: one row per (game_date, team_abbr), every team of every game
-- dated @start_date..@end_date.
--
-- The team's own box score comes from nba_raw.nbac_team_boxscore (primary). A game without a team box score
-- is reconstructed by summing its player rows (gamebook, else BDL), like the real pipeline's virtual source
-- reconstructed_team_from_players; primary_source_used and data_quality_tier say which source was used.

WITH team_boxscore_lines AS (
  SELECT
    game_id,
    nba_game_id,
    game_date,
    season_year,
    team_abbr,
    is_home,
    points,
    fg_made,
    fg_attempted,
    three_pt_made,
    three_pt_attempted,
    ft_made,
    ft_attempted,
    offensive_rebounds,
    defensive_rebounds,
    total_rebounds,
    assists,
    steals,
    turnovers,
    personal_fouls,
    -- "265:00" -> 265: the team's player-minutes, 240 in regulation plus 25 per overtime period.
    CAST(REGEXP_EXTRACT(minutes, r'^([0-9]+)') AS FLOAT64) AS team_minutes,
    'nbac_team_boxscore' AS primary_source_used
  FROM nba_raw.nbac_team_boxscore
  WHERE game_date BETWEEN @start_date AND @end_date
),

gamebook_players AS (
  SELECT
    game_id, game_date, season_year, team_abbr, home_team_abbr, minutes_decimal, points,
    field_goals_made, field_goals_attempted, three_pointers_made, three_pointers_attempted,
    free_throws_made, free_throws_attempted, offensive_rebounds, defensive_rebounds, total_rebounds, assists,
    steals, turnovers, personal_fouls, 'reconstructed_from_gamebook' AS primary_source_used
  FROM nba_raw.nbac_gamebook_player_stats
  WHERE game_date BETWEEN @start_date AND @end_date
    AND player_status = 'active'
),

-- BDL only stands in for games that the gamebook lacks entirely (the player_boxscores chain order).
bdl_players AS (
  SELECT
    game_id, game_date, season_year, team_abbr, home_team_abbr,
    CAST(REGEXP_EXTRACT(minutes, r'^([0-9]+)') AS FLOAT64)
      + COALESCE(CAST(REGEXP_EXTRACT(minutes, r':([0-9]+)$') AS FLOAT64), 0) / 60 AS minutes_decimal,
    points, field_goals_made, field_goals_attempted, three_pointers_made, three_pointers_attempted,
    free_throws_made, free_throws_attempted, offensive_rebounds, defensive_rebounds, rebounds AS total_rebounds,
    assists, steals, turnovers, personal_fouls, 'reconstructed_from_bdl' AS primary_source_used
  FROM nba_raw.bdl_player_boxscores
  WHERE game_date BETWEEN @start_date AND @end_date
),

-- include: fallback_rows(cte=player_lines, primary=gamebook_players, fallback=bdl_players),

reconstructed_lines AS (
  SELECT
    game_id,
    CAST(NULL AS STRING) AS nba_game_id,
    game_date,
    season_year,
    team_abbr,
    team_abbr = home_team_abbr AS is_home,
    -- include: team_line_sums,
    SUM(minutes_decimal) AS team_minutes,
    primary_source_used
  FROM player_lines
  GROUP BY game_id, game_date, season_year, team_abbr, home_team_abbr, primary_source_used
),

-- include: fallback_rows(cte=team_lines, primary=team_boxscore_lines, fallback=reconstructed_lines),

-- Possessions: FGA - OREB + TOV + 0.44 * FTA, rounded to a whole number; the ratings use the rounded value
-- so that anyone can recompute them from the stored columns.
team_possessions AS (
  SELECT
    *,
    CAST(ROUND(fg_attempted - offensive_rebounds + turnovers + 0.44 * ft_attempted) AS INT64) AS possessions,
    -- Overtime periods from team minutes (240 regulation, 25 per period); a missing minutes string means
    -- regulation.
    CAST(GREATEST(ROUND((COALESCE(team_minutes, 240) - 240) / 25), 0) AS INT64) AS overtime_periods
  FROM team_lines
)

SELECT
  t.game_id,
  t.nba_game_id,
  t.game_date,
  t.team_abbr,
  -- Inner join: a team line without its opponent's line cannot name the opponent (NOT NULL column).
  o.team_abbr AS opponent_team_abbr,
  t.season_year,
  t.points AS points_scored,
  t.fg_attempted AS fg_attempts,
  t.fg_made AS fg_makes,
  t.three_pt_attempted AS three_pt_attempts,
  t.three_pt_made AS three_pt_makes,
  t.ft_attempted AS ft_attempts,
  t.ft_made AS ft_makes,
  t.total_rebounds AS rebounds,
  t.assists,
  t.turnovers,
  t.personal_fouls,
  t.possessions,
  -- Pace: possessions per 48 minutes of game time (team minutes / 5).
  CAST(ROUND(SAFE_DIVIDE(t.possessions * 48, (240 + 25 * t.overtime_periods) / 5), 1) AS NUMERIC) AS pace,
  CAST(ROUND(SAFE_DIVIDE(100 * t.points, t.possessions), 2) AS NUMERIC) AS offensive_rating,
  CAST(ROUND(SAFE_DIVIDE(t.points, 2 * (t.fg_attempted + 0.44 * t.ft_attempted)), 3) AS NUMERIC) AS ts_pct,
  t.is_home AS home_game,
  t.points > o.points AS win_flag,
  t.points - o.points AS margin_of_victory,
  t.overtime_periods,
  t.primary_source_used,
  CASE t.primary_source_used
    WHEN 'nbac_team_boxscore' THEN 'high'
    WHEN 'reconstructed_from_gamebook' THEN 'medium'
    ELSE 'low'
  END AS data_quality_tier,
  t.primary_source_used != 'nbac_team_boxscore' AS processed_with_issues,
  CURRENT_TIMESTAMP() AS processed_at
FROM team_possessions AS t
JOIN team_possessions AS o
  ON o.game_id = t.game_id
  AND o.team_abbr != t.team_abbr
