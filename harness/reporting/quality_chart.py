"""The quality charts' values: for every table that declares a quality column, where each date's median,
quartiles and range fall in a small SVG, and which dates are shaded (the bootstrap period and the dates on
which the table expects no row), so that low scores early in a season look as normal as they are.
"""

from __future__ import annotations

from typing import Any

from harness.checking.expected import DayState
from harness.reporting.signoff import SignOff, coverage_cell

QUALITY = {"left": 40, "top": 8, "plot": 90, "bottom": 22, "span": 520}
"""A quality chart's geometry in pixels: the axis labels' column, the plot's top and height, the date
labels' row, and the width the dates share."""


def quality(signoff: SignOff) -> dict[str, Any]:
    """One small chart per table that declares a quality column: per date the median (joined by a line),
    the quartiles (a box) and the minimum to maximum (a whisker), over shaded bootstrap dates and dates on
    which the table expects no row, where low or absent scores are normal."""
    run, pipeline = signoff.run, signoff.run.pipeline
    days = list(run.window.dates())
    bootstrap = set(run.window.split_bootstrap(days)[0])
    step = max(6.0, min(24.0, QUALITY["span"] / len(days)))
    charts = []
    for name, spreads in signoff.scores.items():
        table = pipeline.tables[name]
        column = table.quality_column or ""
        values = [v for s in spreads.values() for v in (s.low, s.high)]
        low, high = table.ranges.get(column, (min([0.0, *values]), max([100.0, *values])))
        scale = QUALITY["plot"] / ((high - low) or 1.0)

        def y(value: float, low: float = low, scale: float = scale) -> float:
            return QUALITY["top"] + QUALITY["plot"] - (value - low) * scale

        def x(i: int) -> float:
            return QUALITY["left"] + (i + 0.5) * step

        shades, marks = [], []
        for i, day in enumerate(days):
            cell = coverage_cell(signoff, name, day)
            if cell is not None and cell.state is DayState.NONE_EXPECTED:
                shades.append(
                    {"x": x(i) - step / 2, "kind": "none_expected", "title": f"{day}: {cell.reason}"}
                )
            elif day in bootstrap:
                shades.append(
                    {"x": x(i) - step / 2, "kind": "bootstrap", "title": f"{day}: bootstrap period"}
                )
            if (spread := spreads.get(day)) is not None:
                marks.append(
                    {
                        "x": x(i), "low": y(spread.low), "q1": y(spread.q1), "median": y(spread.median),
                        "q3": y(spread.q3), "high": y(spread.high),
                        "title": f"{day}: median {spread.median:g}, quartiles {spread.q1:g}-{spread.q3:g}, "
                        f"range {spread.low:g}-{spread.high:g} over {spread.rows} rows",
                    }
                )  # fmt: skip
        charts.append(
            {
                "table": name, "column": column, "shades": shades, "marks": marks, "step": step,
                "width": QUALITY["left"] + step * len(days) + 8,
                "height": QUALITY["top"] + QUALITY["plot"] + QUALITY["bottom"],
                "top": QUALITY["top"], "plot": QUALITY["plot"], "left": QUALITY["left"],
                "low": low, "high": high, "first": days[0], "last": days[-1],
                "median_path": " ".join(f"{m['x']:.1f},{m['median']:.1f}" for m in marks),
            }
        )  # fmt: skip
    return {"charts": charts}
