-- nba_raw.v_nbac_schedule_latest: the latest row of each (game_id, game_date), the highest game_status
-- first, then the latest processed_at (schemas/bigquery/raw/nbac_schedule_tables.sql in the real
-- pipeline). The real view keeps only game_date within CURRENT_DATE - 365 .. + 30 days, so on a real
-- warehouse it has no row for a 2021 date and the Phase 3 scripts skip every such date ("No games
-- scheduled"). The demo warehouse's view covers every seeded season instead, so the embedded default can
-- backfill 2021; tests narrow it to the real window to show what the harness says then.
CREATE VIEW IF NOT EXISTS nba_raw.v_nbac_schedule_latest AS
SELECT * EXCEPT (latest_rank)
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY game_id, game_date ORDER BY game_status DESC, processed_at DESC) AS latest_rank
  FROM nba_raw.nbac_schedule
)
WHERE latest_rank = 1;
