"""Warehouse statements per gameplan step, for a short and a long window: the harness's checks should
issue a constant number, whatever the window's length. The real validator counts one `COUNT(*)` per source
per date (13 sources x 28 dates = 364 statements for Step 0 of the 28-day window).

    .venv/bin/python bench/queries.py 2021-10-19:2021-11-15 2021-10-19:2022-04-10

Each window runs once in run mode with `-n 0` on a new warehouse, with HARNESS_QUERY_LOG set: the DuckDB
backend then logs every statement with the test that sent it and, for processors, the processor.
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path

from end_to_end import gameplan
from measure import REPO, run

sys.path.insert(0, str(REPO))
from harness.declaration.loading import load_pipeline


def step_of(test: str) -> str:
    if test == "session":
        return "session (seeding, game dates, sign-off)"
    return test.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")


def main(windows: list[str]) -> None:
    pipeline = load_pipeline(REPO / "pipeline.toml")
    sources = {s for c in pipeline.chains.values() for s in c.sources if s in pipeline.tables}
    for window in windows:
        home = Path(tempfile.mkdtemp(prefix="bench-queries-"))
        log = home / "queries.log"
        sample = run(
            gameplan(window, home / "warehouse.duckdb", home, "-n", "0"), env={"HARNESS_QUERY_LOG": str(log)}
        )
        counts: collections.Counter[str] = collections.Counter()
        processors: collections.Counter[str] = collections.Counter()
        for line in log.read_text().splitlines():
            test, processor = line.split("\t")
            if processor == "-":
                counts[step_of(test)] += 1
            else:
                processors[processor] += 1
        game_days = len([d for d in _days(window)])
        print(f"== {window} (exit {sample.exit_code}, {sample.seconds:.1f} s)")
        for step, n in sorted(counts.items()):
            print(f"  {step}: {n}")
        print(f"  harness total: {sum(counts.values())}; processors: {sum(processors.values())}")
        print(
            f"  real validator pattern for Step 0: {len(sources)} sources x {game_days} calendar days = {len(sources) * game_days}"
        )


def _days(window: str):
    from datetime import date, timedelta

    start, end = (date.fromisoformat(p) for p in window.split(":"))
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


if __name__ == "__main__":
    main(sys.argv[1:] or ["2021-10-19:2021-11-15", "2021-10-19:2022-04-10"])
