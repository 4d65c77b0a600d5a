-- Shared by upcoming_player_game_context and upcoming_team_game_context. The injury report is re-issued
-- during the day: per player and game date the latest report wins, with the player's team.
injury_status AS (
  SELECT game_date, team_abbr, player_lookup, injury_status, reason
  FROM (
    SELECT
      game_date,
      team AS team_abbr,
      player_lookup,
      injury_status,
      reason,
      ROW_NUMBER() OVER (
        PARTITION BY game_date, player_lookup ORDER BY report_date DESC, report_hour DESC
      ) AS report_rank
    FROM nba_raw.nbac_injury_report
    -- Partitioned by report_date: a report lists games up to 3 days later (pipeline.toml's
    -- partition_lookback_days), so the window's reports start 3 days before it.
    WHERE game_date BETWEEN @start_date AND @end_date
      AND report_date BETWEEN DATE_SUB(@start_date, INTERVAL 3 DAY) AND @end_date
      AND player_lookup IS NOT NULL
  )
  WHERE report_rank = 1
)
