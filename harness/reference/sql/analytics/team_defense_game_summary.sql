-- nba_analytics.team_defense_game_summary: one row per (game_date, defending_team_abbr), both teams of every
-- game dated @start_date..@end_date.
--
-- A team's defence is its opponent's offence: the opponent's line of nba_raw.nbac_team_boxscore (primary;
-- reconstructed from the gamebook's player rows when a game has no team box score), plus the defending
-- team's own steals, defensive rebounds and fouls, plus the opponent's shots by zone from play-by-play
-- (BigDataBall, else NBA.com play-by-play for games BigDataBall lacks).

WITH team_boxscore_lines AS (
  SELECT
    game_id, game_date, season_year, team_abbr, is_home, points, fg_made, fg_attempted, three_pt_made,
    three_pt_attempted, ft_made, ft_attempted, offensive_rebounds, defensive_rebounds, total_rebounds, assists,
    steals, turnovers, personal_fouls,
    'nbac_team_boxscore' AS primary_source_used
  FROM nba_raw.nbac_team_boxscore
  WHERE game_date BETWEEN @start_date AND @end_date
),

-- Reconstruction from the active players' rows, standing in for games without a team box score.
reconstructed_lines AS (
  SELECT
    game_id, game_date, season_year, team_abbr, team_abbr = home_team_abbr AS is_home,
    -- include: team_line_sums,
    'reconstructed_from_gamebook' AS primary_source_used
  FROM nba_raw.nbac_gamebook_player_stats
  WHERE game_date BETWEEN @start_date AND @end_date
    AND player_status = 'active'
  GROUP BY game_id, game_date, season_year, team_abbr, home_team_abbr
),

-- include: fallback_rows(cte=team_lines, primary=team_boxscore_lines, fallback=reconstructed_lines),

-- include: pbp_shots,

-- include: pbp_zones(cte=shots_by_team, shooter=shooter_team_abbr),

team_possessions AS (
  SELECT
    *,
    CAST(ROUND(fg_attempted - offensive_rebounds + turnovers + 0.44 * ft_attempted) AS INT64) AS possessions
  FROM team_lines
)

SELECT
  d.game_id,
  d.game_date,
  d.team_abbr AS defending_team_abbr,
  o.team_abbr AS opponent_team_abbr,
  d.season_year,
  o.points AS points_allowed,
  o.fg_attempted AS opp_fg_attempts,
  o.fg_made AS opp_fg_makes,
  o.three_pt_attempted AS opp_three_pt_attempts,
  o.three_pt_made AS opp_three_pt_makes,
  o.ft_attempted AS opp_ft_attempts,
  o.ft_made AS opp_ft_makes,
  o.total_rebounds AS opp_rebounds,
  o.assists AS opp_assists,
  o.turnovers AS turnovers_forced,
  d.personal_fouls AS fouls_committed,
  d.steals,
  d.defensive_rebounds,
  -- NULL (not 0) when the game has no play-by-play at all: unknown is not zero.
  z.paint_attempts AS opp_paint_attempts,
  z.paint_makes AS opp_paint_makes,
  z.mid_range_attempts AS opp_mid_range_attempts,
  z.mid_range_makes AS opp_mid_range_makes,
  -- Points allowed per 100 opponent possessions (same possession formula as team offense).
  CAST(ROUND(SAFE_DIVIDE(100 * o.points, o.possessions), 2) AS NUMERIC) AS defensive_rating,
  CAST(ROUND(SAFE_DIVIDE(o.points, 2 * (o.fg_attempted + 0.44 * o.ft_attempted)), 3) AS NUMERIC) AS opponent_ts_pct,
  d.is_home AS home_game,
  d.points > o.points AS win_flag,
  d.points - o.points AS margin_of_victory,
  o.primary_source_used,
  IF(o.primary_source_used = 'nbac_team_boxscore', 'high', 'medium') AS data_quality_tier,
  o.primary_source_used != 'nbac_team_boxscore' OR z.game_id IS NULL AS processed_with_issues,
  CURRENT_TIMESTAMP() AS processed_at
FROM team_possessions AS d
JOIN team_possessions AS o
  ON o.game_id = d.game_id
  AND o.team_abbr != d.team_abbr
LEFT JOIN shots_by_team AS z
  ON z.game_id = d.game_id
  AND z.shooter_team_abbr = o.team_abbr
