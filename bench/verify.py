"""Verify-mode wall time of `pytest --window W --mode verify -n 0` on a backfilled embedded warehouse.

    .venv/bin/python bench/verify.py --window 2021-10-19:2022-04-10 --runs 5

One cold run backfills a new warehouse (not timed); then N verify runs read it: every check of every
step, no processor. `BENCH_PYTHON` picks the environment (and so the checkout) measured, so that the
same command gives the figures before and after a change.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from end_to_end import gameplan
from measure import describe, run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="2021-10-19:2021-11-15")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    warehouse = home / "warehouse.duckdb"
    cold = run(gameplan(args.window, warehouse, home, "-n", "0"))
    if cold.exit_code != 0:
        raise SystemExit(f"the cold run exited {cold.exit_code}; fix it before timing verify")
    verify = [
        run(gameplan(args.window, warehouse, home, "-n", "0", "--mode", "verify")) for _ in range(args.runs)
    ]
    shutil.rmtree(home)
    print(f"{args.window} verify -n 0: {describe(verify)}", flush=True)


if __name__ == "__main__":
    main()
