-- Shared by the Phase 4 processors: the days they prepare, the window's dates with a final game in
-- nba_reference.nba_schedule, each with its season.
{cte} AS (
  SELECT game_date AS {date}, MAX(season_year) AS season_year
  FROM nba_reference.nba_schedule
  WHERE game_status = 3 AND game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
)
