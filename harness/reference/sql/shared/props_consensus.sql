-- Shared by player_game_summary and upcoming_player_game_context: the consensus points line per
-- player and game date, from the Odds API, else BettingPros (the player_props chain order).
-- Odds API: each bookmaker's latest snapshot counts once (book_rank = 1).
odds_api_lines AS (
  SELECT
    game_date, player_lookup, points_line,
    ROW_NUMBER() OVER (
      PARTITION BY game_date, player_lookup, bookmaker ORDER BY snapshot_timestamp DESC
    ) AS book_rank
  FROM nba_raw.odds_api_player_points_props
  WHERE game_date BETWEEN @start_date AND @end_date
    AND player_lookup IS NOT NULL
),

-- BettingPros: the points market only (the table holds other markets), one side, latest line per book.
bettingpros_lines AS (
  SELECT
    game_date, player_lookup, points_line,
    ROW_NUMBER() OVER (
      PARTITION BY game_date, player_lookup, bookmaker ORDER BY bookmaker_last_update DESC
    ) AS book_rank
  FROM nba_raw.bettingpros_player_points_props
  WHERE game_date BETWEEN @start_date AND @end_date
    AND market_type = 'points'
    AND bet_side = 'over'
),

-- Consensus line: the mean over bookmakers, rounded to the nearest half point (half-way rounds up).
consensus_lines AS (
  SELECT game_date, player_lookup, FLOOR(AVG(points_line) * 2 + 0.5) / 2 AS points_line, 1 AS priority,
    'odds_api' AS source
  FROM odds_api_lines
  WHERE book_rank = 1
  GROUP BY game_date, player_lookup
  UNION ALL
  SELECT game_date, player_lookup, FLOOR(AVG(points_line) * 2 + 0.5) / 2, 2, 'bettingpros'
  FROM bettingpros_lines
  WHERE book_rank = 1
  GROUP BY game_date, player_lookup
),

-- Odds API first, BettingPros only for players the Odds API does not price.
points_lines AS (
  SELECT game_date, player_lookup, points_line, source
  FROM (
    SELECT
      *,
      ROW_NUMBER() OVER (PARTITION BY game_date, player_lookup ORDER BY priority) AS source_rank
    FROM consensus_lines
  )
  WHERE source_rank = 1
)
