"""Wall time, CPU time and peak memory of seeding a new embedded warehouse with the demo season(s).

    .venv/bin/python bench/seeding.py --seasons 2021 --runs 3

Two cases, each on a new warehouse file: the first cold run on a machine (an empty template cache, so
the season is generated and the template written) and every later cold run (the template is cached
and only copied). ``PYTHONPATH`` picks the checkout measured, for figures before and after a change
(a checkout without the template cache generates in both cases).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from measure import PYTHON, Sample, describe, run


def seed_into(home: Path, name: str, cache: Path, seasons: str) -> Sample:
    """Seed ``seasons`` into the new file ``home/name`` with the template cache ``cache``."""
    env = {"HARNESS_WAREHOUSE": str(home / name), "HARNESS_SEED_CACHE": str(cache)}
    return run([PYTHON, "-m", "harness.reference.seed", seasons], env=env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seasons", default="2021", help="comma-separated season years")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as folder:
        home, cached = Path(folder), Path(folder) / "cache"
        first = [
            seed_into(home, f"first-{i}.duckdb", home / f"empty-{i}", args.seasons) for i in range(args.runs)
        ]
        seed_into(home, "warming.duckdb", cached, args.seasons)
        later = [seed_into(home, f"later-{i}.duckdb", cached, args.seasons) for i in range(args.runs)]
    print(f"seed {args.seasons}, new file, empty template cache: {describe(first)}", flush=True)
    print(f"seed {args.seasons}, new file, template cached: {describe(later)}", flush=True)


if __name__ == "__main__":
    main()
