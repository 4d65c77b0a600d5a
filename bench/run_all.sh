#!/usr/bin/env bash
# Every benchmark, in the order bench/RESULTS.md reports them; output to bench/results-raw.txt.
set -euo pipefail
cd "$(dirname "$0")"
export BENCH_PYTHON="${BENCH_PYTHON:-$(cd .. && pwd)/.venv/bin/python}"
PY="$BENCH_PYTHON"
{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores"
  "$PY" seeding.py --runs "${RUNS:-5}"
  "$PY" verify.py --window 2021-10-19:2021-11-15 --runs "${RUNS:-5}"
  "$PY" overhead.py --window 2021-10-19:2021-11-15 --runs "${RUNS:-5}"
  "$PY" end_to_end.py --window 2021-10-19:2021-11-15 --runs "${RUNS:-5}" --csv scale.csv
  "$PY" end_to_end.py --window 2021-10-19:2022-04-10 --runs "${RUNS:-5}" --workers default --workers "-n 4" --csv scale.csv
  "$PY" overhead.py --window 2021-10-19:2022-04-10 --runs "${SEASON_RUNS:-3}"
  "$PY" queries.py 2021-10-19:2021-11-15 2021-10-19:2022-04-10
  "$PY" parallel_phase.py --phase 3 --runs "${RUNS:-5}"
  "$PY" parallel_phase.py --phase 4 --runs "${RUNS:-5}"
  "$PY" end_to_end.py --window 2021-10-19:2025-04-13 --runs "${RUNS:-5}" --extra=--max-window-days=1300 \
    --workers default --workers "-n 4" --csv scale.csv
  "$PY" changes.py --window 2021-10-19:2021-11-15 --runs 3
  "$PY" changes.py --window 2021-10-19:2022-04-10 --runs 3
} 2>&1 | tee results-raw.txt
# end_to_end.py appended its cold rows to bench/scale.csv (clear its rows first for a fresh set); then the
# chart (needs the bench extra: matplotlib).
"$PY" chart.py
