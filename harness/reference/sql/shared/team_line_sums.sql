-- Shared by team_offense_game_summary and team_defense_game_summary, inside the SELECT list of a team line
-- reconstructed from its players' rows: the box score summed, named and ordered as nbac_team_boxscore's
-- columns are. SUM of INT64 is INT64 on BigQuery but HUGEINT on DuckDB: the casts make both engines agree.
    CAST(SUM(points) AS INT64) AS points,
    CAST(SUM(field_goals_made) AS INT64) AS fg_made,
    CAST(SUM(field_goals_attempted) AS INT64) AS fg_attempted,
    CAST(SUM(three_pointers_made) AS INT64) AS three_pt_made,
    CAST(SUM(three_pointers_attempted) AS INT64) AS three_pt_attempted,
    CAST(SUM(free_throws_made) AS INT64) AS ft_made,
    CAST(SUM(free_throws_attempted) AS INT64) AS ft_attempted,
    CAST(SUM(offensive_rebounds) AS INT64) AS offensive_rebounds,
    CAST(SUM(defensive_rebounds) AS INT64) AS defensive_rebounds,
    CAST(SUM(total_rebounds) AS INT64) AS total_rebounds,
    CAST(SUM(assists) AS INT64) AS assists,
    CAST(SUM(steals) AS INT64) AS steals,
    CAST(SUM(turnovers) AS INT64) AS turnovers,
    CAST(SUM(personal_fouls) AS INT64) AS personal_fouls
