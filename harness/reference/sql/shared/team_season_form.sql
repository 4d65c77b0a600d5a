-- Shared by player_daily_cache and ml_feature_store_v2: each team's form on each {date} of {dates}
-- (d: {date}, season_year), from its team_offense_game_summary games of that season before the date:
-- games played, the share won, and pace and offensive rating over its last 10 games (newest first, ties
-- broken by game_id so reruns agree).
{cte} AS (
  SELECT
    {date},
    team_abbr,
    COUNT(*) AS games_played,
    AVG(IF(games_ago <= 10, pace, NULL)) AS pace_last_10,
    AVG(IF(games_ago <= 10, offensive_rating, NULL)) AS off_rating_last_10,
    AVG(IF(win_flag, 1.0, 0.0)) AS win_pct
  FROM (
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
  GROUP BY {date}, team_abbr
)
