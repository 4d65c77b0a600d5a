"""Time the ten reference jobs back to back on the embedded warehouse.

    .venv/bin/python bench/reference_jobs.py --window 2021-10-19:2021-11-15 --runs 5
    .venv/bin/python bench/reference_jobs.py --window 2021-10-19:2022-04-10 --runs 3

Each run starts from a fresh copy of a seeded warehouse (seeding is not timed) and runs every processor's
command in dependency order, as the harness does with -n 0. Prints median, min and max wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.declaration.loading import load_pipeline
from harness.reference.seed import ensure_seeded
from harness.warehouse.duckdb import DuckDBWarehouse

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="2021-10-19:2021-11-15")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    start, end = args.window.split(":")
    pipeline = load_pipeline(REPO / "pipeline.toml")
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.duckdb"
        ensure_seeded(DuckDBWarehouse(template), pipeline, [pipeline.seasons[0]])
        times = []
        for _ in range(args.runs):
            path = Path(tmp) / "run.duckdb"
            shutil.copyfile(template, path)
            env = {**os.environ, "HARNESS_WAREHOUSE": str(path)}
            began = time.perf_counter()
            for name in pipeline.processors:
                cmd = [
                    sys.executable,
                    "-m",
                    "harness.reference.jobs",
                    name,
                    "--start-date",
                    start,
                    "--end-date",
                    end,
                ]
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - began)
    print(
        f"window {args.window}: {args.runs} runs, median {statistics.median(times):.1f} s, "
        f"min {min(times):.1f} s, max {max(times):.1f} s"
    )


if __name__ == "__main__":
    main()
