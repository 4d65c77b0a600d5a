"""The harness against the work it drives (issue 17's ratio): a cold `pytest --window W` with the default
settings, divided by the same work run on its own: seeding a new warehouse file
(`python -m harness.reference.seed 2021`, which copies the cached template as the harness does) and the
ten reference jobs back to back, in dependency order.

    .venv/bin/python bench/overhead.py --window 2021-10-19:2021-11-15 --runs 5

The two are interleaved run by run, each on a new file in a folder of its own, so that a change in the
machine's load falls on both. The template is built once before the first run (both would copy it).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from end_to_end import gameplan
from measure import PYTHON, REPO, Sample, describe, run

sys.path.insert(0, str(REPO))
from harness.declaration.loading import load_pipeline


def seed_and_jobs(warehouse: Path, window: str, season: int) -> float:
    """Seconds to seed a new warehouse file and run every processor over the window, one after another."""
    start, end = window.split(":")
    env = {**os.environ, "HARNESS_WAREHOUSE": str(warehouse)}
    commands = [[PYTHON, "-m", "harness.reference.seed", str(season)]]
    commands += [
        [PYTHON, "-m", "harness.reference.jobs", name, "--start-date", start, "--end-date", end]
        for name in load_pipeline(REPO / "pipeline.toml").processors
    ]
    began = time.perf_counter()
    for command in commands:
        subprocess.run(
            command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="2021-10-19:2021-11-15")
    parser.add_argument("--season", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--extra", default="", help="more pytest arguments in one string, e.g. --extra='-n 0'"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    seed_and_jobs(scratch / "warm-up.duckdb", args.window, args.season)  # builds the template if missing
    work: list[float] = []
    harness: list[Sample] = []
    for _ in range(args.runs):
        home = Path(tempfile.mkdtemp(dir=scratch))
        work.append(seed_and_jobs(home / "work.duckdb", args.window, args.season))
        harness.append(run(gameplan(args.window, home / "harness.duckdb", home, *shlex.split(args.extra))))
        print(
            f"seed + jobs {work[-1]:.1f} s, harness {harness[-1].seconds:.1f} s "
            f"(exit {harness[-1].exit_code}), load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        shutil.rmtree(home)
    shutil.rmtree(scratch)
    print(f"{args.window} seed + ten jobs: median {statistics.median(work):.1f} s "
          f"(min {min(work):.1f}, max {max(work):.1f})")  # fmt: skip
    print(f"{args.window} harness cold {args.extra or 'default workers'}: {describe(harness)}")
    ratio = statistics.median(s.seconds for s in harness) / statistics.median(work)
    print(f"{args.window} ratio harness / (seed + jobs): {ratio:.2f}")


if __name__ == "__main__":
    main()
