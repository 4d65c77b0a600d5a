-- nba_analytics.player_game_summary: one row per (game_date, player_lookup) for every player that a game's
-- gamebook lists (active, DNP and inactive), games dated @start_date..@end_date.
--
-- Sources: the gamebook (primary) and, for a game the gamebook lacks entirely, BDL's player box scores
-- (primary_source_used says which); shot zones from play-by-play (BigDataBall, else NBA.com); usage rate from
-- nba_analytics.team_offense_game_summary (so team offense must run first); points lines from the Odds API
-- (primary), else BettingPros.

WITH gamebook_players AS (
  SELECT
    game_id, game_date, season_year, home_team_abbr, away_team_abbr, team_abbr, player_lookup,
    player_name AS player_full_name, player_status, dnp_reason, minutes_decimal, points, assists,
    offensive_rebounds, defensive_rebounds, steals, blocks, turnovers, personal_fouls, plus_minus,
    field_goals_attempted, field_goals_made, three_pointers_attempted, three_pointers_made,
    free_throws_attempted, free_throws_made,
    'nbac_gamebook' AS primary_source_used
  FROM nba_raw.nbac_gamebook_player_stats
  WHERE game_date BETWEEN @start_date AND @end_date
    AND player_lookup IS NOT NULL
),

-- BDL lists only players who played, so a fallback game has no DNP/inactive rows and no plus-minus.
bdl_players AS (
  SELECT
    game_id, game_date, season_year, home_team_abbr, away_team_abbr, team_abbr, player_lookup,
    player_full_name, 'active' AS player_status, CAST(NULL AS STRING) AS dnp_reason,
    -- "MM:SS" -> decimal minutes, as the gamebook's minutes_decimal.
    CAST(REGEXP_EXTRACT(minutes, r'^([0-9]+)') AS FLOAT64)
      + COALESCE(CAST(REGEXP_EXTRACT(minutes, r':([0-9]+)$') AS FLOAT64), 0) / 60 AS minutes_decimal,
    points, assists, offensive_rebounds, defensive_rebounds, steals, blocks, turnovers, personal_fouls,
    CAST(NULL AS INT64) AS plus_minus,
    field_goals_attempted, field_goals_made, three_pointers_attempted, three_pointers_made,
    free_throws_attempted, free_throws_made,
    'bdl_player_boxscores' AS primary_source_used
  FROM nba_raw.bdl_player_boxscores
  WHERE game_date BETWEEN @start_date AND @end_date
),

-- include: fallback_rows(cte=players, primary=gamebook_players, fallback=bdl_players),

-- Starters are not in the raw rows: take the five active players of each team with the most minutes, ties
-- broken by player_lookup so reruns agree.
players_ranked AS (
  SELECT
    *,
    COALESCE(
      player_status = 'active' AND minutes_decimal > 0
        AND ROW_NUMBER() OVER (
          PARTITION BY game_id, team_abbr
          ORDER BY IF(player_status = 'active', minutes_decimal, NULL) DESC NULLS LAST, player_lookup
        ) <= 5,
      FALSE
    ) AS is_starter,
    IF(team_abbr = home_team_abbr, away_team_abbr, home_team_abbr) AS opponent_team_abbr
  FROM players
),

-- Team points from the player rows: the win flag when team offense has no row for the game.
player_team_points AS (
  SELECT game_id, team_abbr, SUM(points) AS points
  FROM players
  GROUP BY game_id, team_abbr
),

team_offense AS (
  SELECT game_id, team_abbr, fg_attempts, ft_attempts, turnovers, overtime_periods, win_flag
  FROM nba_analytics.team_offense_game_summary
  WHERE game_date BETWEEN @start_date AND @end_date
),

-- include: pbp_shots,

pbp_games AS (
  SELECT DISTINCT game_id FROM pbp_shots
),

-- include: pbp_zones(cte=player_zones, shooter=shooter_lookup),

-- include: props_consensus

SELECT
  p.player_lookup,
  p.player_full_name,
  p.game_id,
  p.game_date,
  p.team_abbr,
  p.opponent_team_abbr,
  p.season_year,
  p.points,
  p.assists,
  p.offensive_rebounds,
  p.defensive_rebounds,
  p.steals,
  p.blocks,
  p.turnovers,
  p.field_goals_attempted AS fg_attempts,
  p.field_goals_made AS fg_makes,
  p.three_pointers_attempted AS three_pt_attempts,
  p.three_pointers_made AS three_pt_makes,
  p.free_throws_attempted AS ft_attempts,
  p.free_throws_made AS ft_makes,
  p.plus_minus,
  p.personal_fouls,
  -- Rounded as a decimal (20.95 -> 21.0), not as the binary float (20.9499...), so engines agree.
  ROUND(CAST(p.minutes_decimal AS NUMERIC), 1) AS minutes_played,
  -- Zone counts are 0 for an active player without shots, NULL when the game has no play-by-play or the
  -- player did not play.
  IF(p.player_status = 'active' AND g.game_id IS NOT NULL, COALESCE(z.paint_attempts, 0), NULL) AS paint_attempts,
  IF(p.player_status = 'active' AND g.game_id IS NOT NULL, COALESCE(z.paint_makes, 0), NULL) AS paint_makes,
  IF(p.player_status = 'active' AND g.game_id IS NOT NULL, COALESCE(z.mid_range_attempts, 0), NULL)
    AS mid_range_attempts,
  IF(p.player_status = 'active' AND g.game_id IS NOT NULL, COALESCE(z.mid_range_makes, 0), NULL)
    AS mid_range_makes,
  IF(p.player_status = 'active' AND g.game_id IS NOT NULL, COALESCE(z.three_attempts_pbp, 0), NULL)
    AS three_attempts_pbp,
  IF(p.player_status = 'active' AND g.game_id IS NOT NULL, COALESCE(z.three_makes_pbp, 0), NULL)
    AS three_makes_pbp,
  g.game_id IS NOT NULL AS has_complete_shot_zones,
  -- usage_rate = 100 * (FGA + 0.44 FTA + TOV) * (team minutes / 5) / (minutes * (team FGA + 0.44 team FTA +
  -- team TOV)); team minutes are 240 plus 25 per overtime period. NULL without minutes or team offense.
  CAST(ROUND(
    SAFE_DIVIDE(
      100 * (p.field_goals_attempted + 0.44 * p.free_throws_attempted + p.turnovers)
        * ((240 + 25 * t.overtime_periods) / 5),
      p.minutes_decimal * (t.fg_attempts + 0.44 * t.ft_attempts + t.turnovers)
    ), 2) AS NUMERIC) AS usage_rate,
  CAST(ROUND(
    SAFE_DIVIDE(p.points, 2 * (p.field_goals_attempted + 0.44 * p.free_throws_attempted)), 3
  ) AS NUMERIC) AS ts_pct,
  CAST(ROUND(
    SAFE_DIVIDE(p.field_goals_made + 0.5 * p.three_pointers_made, p.field_goals_attempted), 3
  ) AS NUMERIC) AS efg_pct,
  p.is_starter AS starter_flag,
  COALESCE(t.win_flag, own.points > opp.points, FALSE) AS win_flag,
  CAST(l.points_line AS NUMERIC) AS points_line,
  l.source AS points_line_source,
  -- A push (points equal to the line) and a player who did not play have no result.
  CASE
    WHEN p.player_status != 'active' OR p.points IS NULL OR l.points_line IS NULL THEN NULL
    WHEN p.points > l.points_line THEN 'OVER'
    WHEN p.points < l.points_line THEN 'UNDER'
  END AS over_under_result,
  IF(p.player_status = 'active', CAST(p.points - l.points_line AS NUMERIC), NULL) AS margin,
  p.player_status = 'active' AS is_active,
  p.player_status,
  -- The real processor marks both DNP and inactive gamebook players as not having played.
  p.player_status IN ('dnp', 'inactive') AS is_dnp,
  p.dnp_reason,
  p.primary_source_used,
  IF(p.primary_source_used = 'nbac_gamebook', 'high', 'medium') AS data_quality_tier,
  p.primary_source_used != 'nbac_gamebook' OR g.game_id IS NULL OR t.game_id IS NULL AS processed_with_issues,
  CONCAT(p.game_id, '|', p.player_lookup) AS dedup_key,
  CURRENT_TIMESTAMP() AS processed_at
FROM players_ranked AS p
LEFT JOIN team_offense AS t ON t.game_id = p.game_id AND t.team_abbr = p.team_abbr
LEFT JOIN player_team_points AS own ON own.game_id = p.game_id AND own.team_abbr = p.team_abbr
LEFT JOIN player_team_points AS opp ON opp.game_id = p.game_id AND opp.team_abbr = p.opponent_team_abbr
LEFT JOIN pbp_games AS g ON g.game_id = p.game_id
LEFT JOIN player_zones AS z ON z.game_id = p.game_id AND z.shooter_lookup = p.player_lookup
LEFT JOIN points_lines AS l ON l.game_date = p.game_date AND l.player_lookup = p.player_lookup
