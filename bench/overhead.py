"""Harness overhead: a full `pytest --window` run (-n 0) against the same work done by hand in a plain
script: the ten processor commands back to back, then the same validation queries (Step 0, coverage of
every output table, grains and ranges per phase, run history) without pytest or Great Expectations.

    .venv/bin/python bench/overhead.py --window 2021-10-19:2022-04-10 --runs 3

Both start from a copy of the same seeded warehouse (seeding is not timed in either).
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
from datetime import date
from pathlib import Path

from end_to_end import gameplan
from measure import PYTHON, REPO, run, seeded_template

sys.path.insert(0, str(REPO))
from harness.checking.chains import check_chains
from harness.checking.coverage import table_coverage
from harness.checking.history import latest_runs
from harness.checking.quality import quality_frame
from harness.declaration.loading import load_pipeline
from harness.declaration.window import parse_window
from harness.warehouse.duckdb import DuckDBWarehouse


def by_hand(warehouse: Path, window_text: str) -> float:
    pipeline = load_pipeline(REPO / "pipeline.toml")
    window = parse_window(window_text, pipeline.seasons, pipeline.bootstrap_days, date.today())
    began = time.perf_counter()
    env = {**os.environ, "HARNESS_WAREHOUSE": str(warehouse)}
    for name in pipeline.processors:
        command = [
            PYTHON,
            "-m",
            "harness.reference.jobs",
            name,
            "--start-date",
            str(window.start),
            "--end-date",
            str(window.end),
        ]
        subprocess.run(
            command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    db = DuckDBWarehouse(warehouse)
    with db.connect() as conn:
        check_chains(conn, pipeline, window)
        for phase in (3, 4):
            table_coverage(conn, pipeline.phase_tables(phase), window)
            quality_frame(conn, pipeline.phase_tables(phase), window)
        latest_runs(conn, pipeline, list(pipeline.processors.values()), window)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="2021-10-19:2022-04-10")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    template = seeded_template(scratch)
    plain, harness = [], []
    for _ in range(args.runs):
        copy = scratch / "plain.duckdb"
        shutil.copyfile(template, copy)
        plain.append(by_hand(copy, args.window))
        home = Path(tempfile.mkdtemp(dir=scratch))
        shutil.copyfile(template, home / "warehouse.duckdb")
        sample = run(gameplan(args.window, home / "warehouse.duckdb", home, "-n", "0"))
        harness.append(sample.seconds)
        print(
            f"plain {plain[-1]:.1f} s, harness {sample.seconds:.1f} s (exit {sample.exit_code})", flush=True
        )
    ratio = statistics.median(harness) / statistics.median(plain)
    print(
        f"plain script: median {statistics.median(plain):.1f} s (min {min(plain):.1f}, max {max(plain):.1f})"
    )
    print(
        f"harness -n 0: median {statistics.median(harness):.1f} s (min {min(harness):.1f}, max {max(harness):.1f})"
    )
    print(f"overhead ratio (harness / plain): {ratio:.2f}")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
