"""What the snapshot before each processor and the diff after it cost, on the embedded default.

    .venv/bin/python bench/changes.py --window 2021-10-19:2021-11-15 --runs 3
    .venv/bin/python bench/changes.py --window 2021-10-19:2022-04-10 --runs 3

Each run is a cold run (`-n 0`, a new empty warehouse: seeding, every processor, every check) and then a
re-run of the same window (run mode again, so every diff compares full tables, the idempotency re-run CI
makes). The harness times each processor's snapshot, diff and outside-the-window fingerprints itself and
writes the sum per table to summary.json (`changes.<table>.seconds`); they run inside the processor's
step, one after another with `-n 0`, so their sum is what they add to the wall time. The share is that
sum over the run's wall time without it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from end_to_end import gameplan
from measure import run

MAX_RUNS = 3


def diff_seconds(home: Path) -> float:
    """The summed snapshot, diff and fingerprint seconds of every table of the run in ``home``."""
    summary = json.loads(next((home / "reports").glob("*.summary.json")).read_text())
    return sum(change["seconds"] for change in summary["changes"].values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="2021-10-19:2021-11-15")
    parser.add_argument("--runs", type=int, default=3, help=f"repetitions, at most {MAX_RUNS}")
    args = parser.parse_args()
    runs = min(args.runs, MAX_RUNS)
    results: dict[str, list[tuple[float, float]]] = {"cold": [], "re-run": []}
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(prefix="bench-changes-"))
        warehouse = home / "warehouse.duckdb"
        for label in results:
            reports = home / label
            sample = run(gameplan(args.window, warehouse, reports, "-n", "0"))
            if sample.exit_code != 0:
                raise SystemExit(f"{label} run exited {sample.exit_code}")
            results[label].append((sample.seconds, diff_seconds(reports)))
        shutil.rmtree(home)
    for label, samples in results.items():
        walls = [w for w, _ in samples]
        costs = [c for _, c in samples]
        shares = [c / (w - c) * 100 for w, c in samples]
        print(
            f"{args.window} {label}: wall median {statistics.median(walls):.1f} s "
            f"(min {min(walls):.1f}, max {max(walls):.1f}), snapshots and diffs median "
            f"{statistics.median(costs):.2f} s (min {min(costs):.2f}, max {max(costs):.2f}), "
            f"adds median {statistics.median(shares):.1f} % (max {max(shares):.1f} %), n={len(samples)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
