"""Reference backfill jobs: the ten processors behind the real backfill scripts' command line.

    python -m harness.reference.jobs player_game_summary --start-date 2021-10-19 --end-date 2021-11-15

They do what the real scripts do (pipeline-contract.md, sections 5 and 11), so that the harness is proven
against the real behaviour, not against its own assumptions:

- analytics jobs (Phase 3) walk calendar days; a day the schedule view ``nba_raw.v_nbac_schedule_latest``
  has no game for is skipped before any run tracking (the early exit: no rows, no run history), and a day
  whose lock ``{processor}_{date}`` another run holds leaves only its ``running`` row;
  ``player_game_summary`` fails a day whose team offense covers less than 80 % of its teams; a job that
  writes no run history (``upcoming_player_game_context``) runs every day without either check;
- precompute jobs (Phase 4) walk final game dates and skip each season's bootstrap days without writing
  anything; a range run first checks that every analytics table covers 95 % of the non-bootstrap game
  dates, and exits 1 before processing anything when one does not (``--dates`` runs skip this); each
  writes only the entities that meet the real processor's minimum (contract 11.3: 15 team games since
  Oct 1, 10 of the last 10 active games with an early-season formula, 3 games the last within 30 days,
  a game in the 60 days before), so a date where none does is a ``success`` with 0 records;
- each date's rows replace that date's rows of the output table in one transaction, together with its
  final run-history row; a ``running`` row is committed first, so a crash leaves the old rows and a
  ``running`` row with no final one.

Exit codes, as the real scripts': 0 when the job ran, even if some dates failed (the harness judges the
warehouse, not the exit code); 1 for a failed pre-flight or a warehouse error before any date; 2 for bad
arguments. The declaration comes from ``HARNESS_PIPELINE`` (default: the repository's pipeline.toml), the
warehouse from the variables that pipeline.toml's ``[processor_defaults] env`` passes: ``HARNESS_BACKEND``
(``duckdb``, the default, or ``bigquery``); for DuckDB the file ``HARNESS_WAREHOUSE``; for BigQuery
``HARNESS_PROJECT``, ``HARNESS_LOCATION``, ``HARNESS_DATASET_PREFIX``, ``HARNESS_MAXIMUM_BYTES_BILLED``
and ``HARNESS_BIGQUERY_ENDPOINT`` (an emulator). On BigQuery every job is labelled with
``HARNESS_RUN_ID`` (the harness run) and the processor's name.
"""

from harness.reference.jobs.cli import main

__all__ = ["main"]
