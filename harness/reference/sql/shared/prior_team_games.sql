-- Shared by player_daily_cache and ml_feature_store_v2: each team on each {date} of {dates} (d: {date},
-- season_year) with its team_offense_game_summary games of that season before the date, newest first:
-- games_ago 1 is the latest, ties broken by game_id so reruns agree.
{cte} AS (
  SELECT
    d.{date},
    o.team_abbr,
    o.pace,
    o.offensive_rating,
    o.win_flag,
    ROW_NUMBER() OVER (
      PARTITION BY d.{date}, o.team_abbr ORDER BY o.game_date DESC, o.game_id DESC
    ) AS games_ago
  FROM {dates} AS d
  JOIN nba_analytics.team_offense_game_summary AS o
    ON o.season_year = d.season_year AND o.game_date < d.{date}
  WHERE o.game_date BETWEEN @season_start AND @end_date
)
