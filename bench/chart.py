"""Draw bench/scale.png: cold wall time and peak memory against the window's game dates, one line per
worker setting, from bench/scale.csv (the scale rows of bench/RESULTS.md, one per window and setting).

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/chart.py

matplotlib is a bench-only dependency (the ``bench`` extra); the harness never imports it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "scale.csv"
IMAGE = HERE / "scale.png"
TARGET_MB = 1024  # issue 17: the whole process tree under 1 GB
PANELS = (("cold_median_s", "cold run, wall (s)"), ("peak_mb", "peak memory of the process tree (MB)"))


def read_rows(path: Path) -> dict[str, list[dict[str, str]]]:
    """The rows of ``path`` per worker setting, in order of game dates; ``#`` lines are comments."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    series: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: int(r["game_dates"])):
        series[row["workers"]].append(row)
    return series


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = read_rows(DATA)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    axes[1].axhline(TARGET_MB, color="grey", linestyle="--", linewidth=1)
    axes[1].annotate("target: 1 GB", (28, TARGET_MB), textcoords="offset points", xytext=(0, 4), fontsize=8)
    for axis, (column, title) in zip(axes, PANELS, strict=True):
        for workers, rows in series.items():
            x = [int(r["game_dates"]) for r in rows]
            y = [float(r[column]) for r in rows]
            axis.plot(x, y, marker="o", label=workers)
            for xi, yi in zip(x, y, strict=True):
                axis.annotate(f"{yi:,.0f}", (xi, yi), textcoords="offset points", xytext=(4, 6), fontsize=8)
        axis.set_xscale("log")
        axis.set_xticks([int(r["game_dates"]) for rows in series.values() for r in rows])
        axis.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        axis.set_xlabel("game dates in the window (28 days, one season, four seasons)")
        axis.set_title(title)
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle("Embedded default, cold runs (seeded template cached), 2-core machine; see bench/scale.csv")
    figure.tight_layout()
    figure.savefig(IMAGE, dpi=110)
    print(f"wrote {IMAGE}")


if __name__ == "__main__":
    main()
