-- Shared by player_game_summary and upcoming_player_game_context: the consensus points line per
-- player and game date, from the Odds API, else BettingPros (the player_props chain order).
-- Each bookmaker's latest line counts once: its latest Odds API snapshot, or its latest BettingPros update of
-- the points market (the table holds other markets), one side.
book_lines AS (
  SELECT game_date, player_lookup, points_line, priority, source
  FROM (
    SELECT
      *,
      ROW_NUMBER() OVER (
        PARTITION BY source, game_date, player_lookup, bookmaker ORDER BY updated_at DESC
      ) AS book_rank
    FROM (
      SELECT game_date, player_lookup, bookmaker, points_line, snapshot_timestamp AS updated_at, 1 AS priority,
        'odds_api' AS source
      FROM nba_raw.odds_api_player_points_props
      WHERE game_date BETWEEN @start_date AND @end_date
        AND player_lookup IS NOT NULL
      UNION ALL
      SELECT game_date, player_lookup, bookmaker, points_line, bookmaker_last_update, 2, 'bettingpros'
      FROM nba_raw.bettingpros_player_points_props
      WHERE game_date BETWEEN @start_date AND @end_date
        AND market_type = 'points'
        AND bet_side = 'over'
    )
  )
  WHERE book_rank = 1
),

-- Consensus line per feed: the mean over bookmakers, rounded to the nearest half point (half-way rounds up).
consensus_lines AS (
  SELECT game_date, player_lookup, FLOOR(AVG(points_line) * 2 + 0.5) / 2 AS points_line, priority, source
  FROM book_lines
  GROUP BY game_date, player_lookup, priority, source
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
