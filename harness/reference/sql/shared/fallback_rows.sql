-- A source chain, shared by player_game_summary, team_offense_game_summary and team_defense_game_summary:
-- every row of {primary}, and the rows of {fallback} only for the games {primary} lacks entirely (a
-- fallback stands in for whole games, never for single rows of a game).
{cte} AS (
  SELECT * FROM {primary}
  UNION ALL
  SELECT * FROM {fallback} WHERE game_id NOT IN (SELECT game_id FROM {primary})
)
