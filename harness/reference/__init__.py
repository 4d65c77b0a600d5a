"""The reference pipeline: ten processors in BigQuery SQL behind the real backfill scripts' command line,
and the seed that generates a demo season for the embedded warehouse. The harness knows it only as the
commands that pipeline.toml declares."""
