-- Shared by upcoming_player_game_context and upcoming_team_game_context: spread and total per game,
-- averaged over bookmakers from their latest snapshots.
-- Game lines: each bookmaker's latest snapshot per market and outcome, averaged over bookmakers.
latest_game_lines AS (
  SELECT
    game_date, home_team_abbr, away_team_abbr, home_team, away_team, market_key, outcome_name, outcome_point,
    ROW_NUMBER() OVER (
      PARTITION BY game_date, home_team_abbr, away_team_abbr, bookmaker_key, market_key, outcome_name
      ORDER BY snapshot_timestamp DESC
    ) AS book_rank
  FROM nba_raw.odds_api_game_lines
  WHERE game_date BETWEEN @start_date AND @end_date
),

game_lines AS (
  SELECT
    game_date,
    home_team_abbr,
    away_team_abbr,
    AVG(IF(market_key = 'spreads' AND outcome_name = home_team, outcome_point, NULL)) AS home_spread,
    AVG(IF(market_key = 'spreads' AND outcome_name = away_team, outcome_point, NULL)) AS away_spread,
    AVG(IF(market_key = 'totals' AND outcome_name = 'Over', outcome_point, NULL)) AS total
  FROM latest_game_lines
  WHERE book_rank = 1
  GROUP BY game_date, home_team_abbr, away_team_abbr
)
