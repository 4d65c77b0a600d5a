-- Shared by upcoming_player_game_context's team form (pace from team offense, defensive rating from team
-- defense): each team of teams_on_date (d: game_date, season_year, team_abbr) with {stat}_last_10, the
-- average {stat} over its last 10 games of the same season before the date in nba_analytics.{table},
-- whose column {team} names the team.
{cte} AS (
  SELECT game_date, team_abbr, AVG({stat}) AS {stat}_last_10
  FROM (
    SELECT
      d.game_date,
      d.team_abbr,
      h.{stat},
      ROW_NUMBER() OVER (PARTITION BY d.game_date, d.team_abbr ORDER BY h.game_date DESC) AS recency
    FROM teams_on_date AS d
    JOIN nba_analytics.{table} AS h
      ON h.{team} = d.team_abbr
      AND h.season_year = d.season_year
      AND h.game_date < d.game_date
    WHERE h.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 366 DAY) AND @end_date
  )
  WHERE recency <= 10
  GROUP BY game_date, team_abbr
)
