-- Shared by player_game_summary (per shooter_lookup) and team_defense_game_summary (per
-- shooter_team_abbr): each game's field-goal attempts and makes of pbp_shots by zone. Zones: paint = 2PT
-- under 8 ft, mid-range = other 2PT with a known distance, three = 3PT.
{cte} AS (
  SELECT
    game_id,
    {shooter},
    COUNTIF(shot_type = '2PT' AND shot_distance < 8) AS paint_attempts,
    COUNTIF(shot_type = '2PT' AND shot_distance < 8 AND shot_made) AS paint_makes,
    COUNTIF(shot_type = '2PT' AND shot_distance >= 8) AS mid_range_attempts,
    COUNTIF(shot_type = '2PT' AND shot_distance >= 8 AND shot_made) AS mid_range_makes,
    COUNTIF(shot_type = '3PT') AS three_attempts_pbp,
    COUNTIF(shot_type = '3PT' AND shot_made) AS three_makes_pbp
  FROM pbp_shots
  GROUP BY game_id, {shooter}
)
