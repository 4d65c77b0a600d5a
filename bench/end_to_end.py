"""End-to-end wall time and peak memory of `pytest --window W` on the embedded default.

    .venv/bin/python bench/end_to_end.py --window 2021-10-19:2021-11-15 --runs 5
    .venv/bin/python bench/end_to_end.py --window 2021-10-19:2022-04-10 --runs 5

For each worker setting (`-n 0`, the default and `-n 4`) it times N cold runs (a new, empty warehouse:
seeding, every processor, every check) and N warm runs (`--mode verify` on the warehouse a cold run
left). Peak memory is the summed resident memory of the whole process tree (pytest, its workers and the
processors), sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from measure import PYTHON, Sample, describe, run

WORKERS = {"-n 0": ["-n", "0"], "default": [], "-n 4": ["-n", "4"]}
"""One process, the default (one process on the embedded warehouse since issue 17), and four workers."""


def gameplan(window: str, warehouse: Path, home: Path, *args: str) -> list[str]:
    return [
        PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--window", window,
        f"--warehouse={warehouse}", f"--report-dir={home / 'reports'}", *args,
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="2021-10-19:2021-11-15")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--extra", nargs="*", default=[], help="more pytest arguments (e.g. --long-window)")
    parser.add_argument("--workers", choices=sorted(WORKERS), action="append", help="only these settings")
    parser.add_argument(
        "--csv", type=Path, help="append each setting's cold row to this file (bench/scale.csv)"
    )
    args = parser.parse_args()
    for label, workers in WORKERS.items():
        if args.workers and label not in args.workers:
            continue
        cold, warm, game_dates = [], [], 0
        for _ in range(args.runs):
            home = Path(tempfile.mkdtemp(prefix="bench-"))
            warehouse = home / "warehouse.duckdb"
            cold.append(run(gameplan(args.window, warehouse, home, *workers, *args.extra)))
            found = [len(json.loads(s.read_text())["game_dates"]) for s in summaries(home)]
            game_dates = max([game_dates, *found])
            warm.append(
                run(gameplan(args.window, warehouse, home, *workers, "--mode", "verify", *args.extra))
            )
            shutil.rmtree(home)
        print(f"{args.window} {label} cold: {describe(cold)}", flush=True)
        print(f"{args.window} {label} warm (verify): {describe(warm)}", flush=True)
        if args.csv:
            append_row(args.csv, args.window, game_dates, label, cold)


def summaries(home: Path) -> list[Path]:
    """The summary.json files a run left (one per run)."""
    return sorted((home / "reports").glob("*.summary.json"))


def append_row(path: Path, window: str, game_dates: int, label: str, cold: list[Sample]) -> None:
    """One line of bench/scale.csv (its columns), which bench/chart.py draws."""
    seconds = [s.seconds for s in cold]
    row = [
        window, game_dates, label, f"{statistics.median(seconds):.1f}", f"{min(seconds):.1f}",
        f"{max(seconds):.1f}", f"{statistics.median(s.cpu_seconds for s in cold):.1f}",
        f"{max(s.peak_rss_mb for s in cold):.0f}", len(cold), f"{os.getloadavg()[0]:.1f}",
    ]  # fmt: skip
    with path.open("a", encoding="utf-8") as out:
        out.write(",".join(str(v) for v in row) + "\n")


if __name__ == "__main__":
    main()
