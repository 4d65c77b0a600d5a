-- nba_analytics.upcoming_team_game_context: one row per (game_date, team_abbr), both teams of every
-- scheduled game dated @start_date..@end_date.
--
-- Reads raw tables only (schedule, game lines, injury report, gamebook for the previous game's starters).
-- Rest, game number and streaks come from the team's schedule of the same season, using only games before
-- the date: the scores of earlier games give the streaks and the last result, never this game's score.

WITH schedule_rows AS (
  SELECT
    game_id, game_date, season_year, home_team_tricode, away_team_tricode, home_team_score, away_team_score,
    -- nbac_schedule holds one row per scrape source: keep the most advanced status, then the latest.
    ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY game_status DESC, processed_at DESC) AS source_rank
  FROM nba_raw.nbac_schedule
  -- A season never spans more than a year: 366 days before the window hold the whole season so far.
  WHERE game_date BETWEEN DATE_SUB(@start_date, INTERVAL 366 DAY) AND @end_date
    AND (COALESCE(is_regular_season, FALSE) OR COALESCE(is_playoffs, FALSE))
),

-- One row per team and game, with the system game id the rest of the pipeline uses.
team_games AS (
  SELECT
    FORMAT_DATE('%Y%m%d', game_date) || '_' || away_team_tricode || '_' || home_team_tricode AS game_id,
    game_date, season_year, home_team_tricode, away_team_tricode,
    home_team_tricode AS team_abbr, away_team_tricode AS opponent_team_abbr, TRUE AS home_game,
    home_team_score - away_team_score AS margin
  FROM schedule_rows
  WHERE source_rank = 1
  UNION ALL
  SELECT
    FORMAT_DATE('%Y%m%d', game_date) || '_' || away_team_tricode || '_' || home_team_tricode,
    game_date, season_year, home_team_tricode, away_team_tricode,
    away_team_tricode, home_team_tricode, FALSE,
    away_team_score - home_team_score
  FROM schedule_rows
  WHERE source_rank = 1
),

numbered_games AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY team_abbr, season_year ORDER BY game_date, game_id) AS game_number_in_season
  FROM team_games
),

-- Streaks entering a game: wins (losses) since the last game that was not a win (not a loss). A game
-- without a final score breaks both streaks.
team_timeline AS (
  SELECT
    *,
    LAG(game_date) OVER season_order AS previous_game_date,
    LAG(margin) OVER season_order AS last_game_margin,
    MAX(IF(margin > 0, NULL, game_number_in_season)) OVER earlier_games AS last_non_win_number,
    MAX(IF(margin < 0, NULL, game_number_in_season)) OVER earlier_games AS last_non_loss_number
  FROM numbered_games
  WINDOW
    season_order AS (PARTITION BY team_abbr, season_year ORDER BY game_number_in_season),
    earlier_games AS (
      PARTITION BY team_abbr, season_year ORDER BY game_number_in_season
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    )
),

targets AS (
  SELECT * FROM team_timeline WHERE game_date BETWEEN @start_date AND @end_date
),

-- Games of the team in the 7 and 14 days before the date (date - 7 .. date - 1). COUNT(IF(...)) rather
-- than COUNTIF: a team without recent games has only NULL join rows, where DuckDB's COUNT_IF (what
-- sqlglot emits for COUNTIF) gives NULL and BigQuery's COUNTIF gives 0.
recent_load AS (
  SELECT
    t.game_date,
    t.team_abbr,
    COUNT(IF(g.game_date >= DATE_SUB(t.game_date, INTERVAL 7 DAY), g.game_id, NULL)) AS games_in_last_7_days,
    COUNT(g.game_id) AS games_in_last_14_days
  FROM targets AS t
  LEFT JOIN team_games AS g
    ON g.team_abbr = t.team_abbr
    AND g.season_year = t.season_year
    AND g.game_date < t.game_date
    AND g.game_date >= DATE_SUB(t.game_date, INTERVAL 14 DAY)
  GROUP BY t.game_date, t.team_abbr
),

-- include: game_lines,

-- include: injury_status,

-- Starters are not published before a game: take the five players with the most minutes in the team's
-- previous game (ties broken by player_lookup), all from data dated before the game.
previous_starters AS (
  SELECT game_date, team_abbr, player_lookup
  FROM (
    SELECT
      t.game_date,
      t.team_abbr,
      p.player_lookup,
      ROW_NUMBER() OVER (
        PARTITION BY t.game_date, t.team_abbr ORDER BY p.minutes_decimal DESC, p.player_lookup
      ) AS minutes_rank
    FROM targets AS t
    JOIN nba_raw.nbac_gamebook_player_stats AS p
      ON p.game_date = t.previous_game_date
      AND p.team_abbr = t.team_abbr
    WHERE p.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 366 DAY) AND @end_date
      AND p.player_status = 'active'
      AND p.minutes_decimal > 0
  )
  WHERE minutes_rank <= 5
),

-- Dates with an injury report at all (a team with nobody on it is not a missing report).
injury_dates AS (
  SELECT DISTINCT game_date FROM injury_status
),

injury_counts AS (
  SELECT
    i.game_date,
    i.team_abbr,
    COUNTIF(i.injury_status = 'out' AND s.player_lookup IS NOT NULL) AS starters_out_count,
    COUNTIF(i.injury_status = 'questionable') AS questionable_players_count
  FROM injury_status AS i
  LEFT JOIN previous_starters AS s
    ON s.game_date = i.game_date
    AND s.team_abbr = i.team_abbr
    AND s.player_lookup = i.player_lookup
  GROUP BY i.game_date, i.team_abbr
)

SELECT
  t.team_abbr,
  t.game_id,
  t.game_date,
  t.season_year,
  t.opponent_team_abbr,
  t.home_game,
  COALESCE(DATE_DIFF(t.game_date, t.previous_game_date, DAY) = 1, FALSE) AS is_back_to_back,
  DATE_DIFF(t.game_date, t.previous_game_date, DAY) AS days_since_last_game,
  t.game_number_in_season,
  l.games_in_last_7_days,
  l.games_in_last_14_days,
  CAST(ROUND(IF(t.home_game, gl.home_spread, gl.away_spread), 2) AS NUMERIC) AS game_spread,
  IF(gl.home_spread IS NULL, NULL, 'odds_api') AS game_spread_source,
  CAST(ROUND(gl.total, 1) AS NUMERIC) AS game_total,
  IF(gl.total IS NULL, NULL, 'odds_api') AS game_total_source,
  COALESCE(c.starters_out_count, 0) AS starters_out_count,
  COALESCE(c.questionable_players_count, 0) AS questionable_players_count,
  t.game_number_in_season - 1 - COALESCE(t.last_non_win_number, 0) AS team_win_streak_entering,
  t.game_number_in_season - 1 - COALESCE(t.last_non_loss_number, 0) AS team_loss_streak_entering,
  t.last_game_margin,
  CASE WHEN t.last_game_margin > 0 THEN 'W' WHEN t.last_game_margin < 0 THEN 'L' END AS last_game_result,
  t.game_number_in_season <= 10 AS early_season_flag,
  -- 0-100: missing game lines cost 40, no injury report for the date 20, each game short of 10 played 2.
  CAST(GREATEST(0,
    100
    - IF(gl.total IS NULL AND gl.home_spread IS NULL, 40, 0)
    - IF(r.game_date IS NULL, 20, 0)
    - 2 * GREATEST(0, 11 - t.game_number_in_season)
  ) AS FLOAT64) AS quality_score,
  ARRAY_CONCAT(
    IF(gl.total IS NULL AND gl.home_spread IS NULL, ['no_game_lines'], []),
    IF(r.game_date IS NULL, ['no_injury_report'], []),
    IF(t.game_number_in_season <= 10, ['early_season'], [])
  ) AS quality_issues,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM targets AS t
JOIN recent_load AS l ON l.game_date = t.game_date AND l.team_abbr = t.team_abbr
LEFT JOIN game_lines AS gl
  ON gl.game_date = t.game_date
  AND gl.home_team_abbr = t.home_team_tricode AND gl.away_team_abbr = t.away_team_tricode
LEFT JOIN injury_dates AS r ON r.game_date = t.game_date
LEFT JOIN injury_counts AS c ON c.game_date = t.game_date AND c.team_abbr = t.team_abbr
