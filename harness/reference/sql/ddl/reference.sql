-- nba_reference.processor_run_history: one 'running' row and one final row per processor run and data
-- date (schemas/bigquery/nba_reference/processor_run_history.sql in the real pipeline).
CREATE TABLE IF NOT EXISTS nba_reference.processor_run_history (
  processor_name STRING NOT NULL,
  run_id STRING NOT NULL,
  season_year INT64,
  status STRING NOT NULL,
  duration_seconds FLOAT64,
  records_processed INT64,
  records_created INT64,
  records_updated INT64,
  records_skipped INT64,
  data_source_primary STRING,
  data_source_enhancement STRING,
  data_records_queried INT64,
  validation_mode STRING,
  validation_skipped_reason STRING,
  used_source_fallback BOOL,
  date_range_filter_start DATE,
  date_range_filter_end DATE,
  backfill_mode BOOL,
  force_reprocess BOOL,
  test_mode BOOL,
  execution_host STRING,
  triggered_by STRING,
  errors JSON,
  warnings JSON,
  summary JSON,
  data_date DATE NOT NULL,
  started_at TIMESTAMP NOT NULL,
  processed_at TIMESTAMP,
  phase STRING,
  output_table STRING,
  output_dataset STRING,
  trigger_source STRING,
  parent_processor STRING,
  dependency_check_passed BOOL,
  retry_attempt INT64,
  skipped BOOL,
  skip_reason STRING,
  failure_category STRING
)
PARTITION BY data_date
CLUSTER BY processor_name, status, season_year;

-- nba_reference.processing_locks: the reference pipeline's stand-in for the real Phase 3 lock, a
-- Firestore document {ClassName}_{data_date} in the collection processing_locks, stale after 10 minutes.
CREATE TABLE IF NOT EXISTS nba_reference.processing_locks (
  lock_id STRING NOT NULL,
  acquired_at TIMESTAMP NOT NULL,
  execution_id STRING,
  instance STRING,
  processor STRING
);
