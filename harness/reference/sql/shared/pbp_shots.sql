-- Shared by player_game_summary and team_defense_game_summary: every field-goal attempt of the games
-- of the window, from BigDataBall, else NBA.com play-by-play (the shot_zones chain order): NBA.com only
-- for games that BigDataBall does not have at all. Field goals are told apart by shot_type: the two feeds
-- name their event types differently (BigDataBall 'shot', NBA.com 'fieldgoal').
pbp_shots AS (
  SELECT game_id, player_1_lookup AS shooter_lookup, player_1_team_abbr AS shooter_team_abbr, shot_type,
    shot_made, shot_distance
  FROM nba_raw.bigdataball_play_by_play
  WHERE game_date BETWEEN @start_date AND @end_date
    AND shot_type IN ('2PT', '3PT')
  UNION ALL
  SELECT game_id, player_1_lookup, player_1_team_abbr, shot_type, shot_made, shot_distance
  FROM nba_raw.nbac_play_by_play
  WHERE game_date BETWEEN @start_date AND @end_date
    AND shot_type IN ('2PT', '3PT')
    AND game_id NOT IN (
      SELECT game_id FROM nba_raw.bigdataball_play_by_play WHERE game_date BETWEEN @start_date AND @end_date
    )
)
