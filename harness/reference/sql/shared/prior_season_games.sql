-- Shared by player_daily_cache, player_composite_factors and ml_feature_store_v2: each player of players
-- (p: {date}, player_lookup, season_year) with every game of {games} (player_lookup, season_year, game_id,
-- history_date, then the stats the processor reads) from his season before {date}, numbered newest first:
-- games_ago 1 is the latest, ties broken by game_id so reruns agree. {games} states the processor's own
-- rule for a game that counts, and filters player_game_summary's partitions.
{cte} AS (
  SELECT
    p.{date},
    g.*,
    ROW_NUMBER() OVER (
      PARTITION BY p.{date}, g.player_lookup ORDER BY g.history_date DESC, g.game_id DESC
    ) AS games_ago
  FROM players AS p
  JOIN {games} AS g
    ON g.player_lookup = p.player_lookup
    AND g.season_year = p.season_year
    AND g.history_date < p.{date}
)
