"""The values each section of the report shows, one function per section (``html.BEFORE_RESULTS`` and
``html.AFTER_RESULTS`` list them in page order).

The templates only lay these out: what a cell means, which settings are defaults and where a bar of the
timeline goes are decided here, in Python, where they are typed and tested.
"""

from __future__ import annotations

import getpass
import hashlib
import socket
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from harness import __version__
from harness.checking.chains import ChainDay, DayStatus
from harness.checking.expected import DayState
from harness.checking.frames import EXEMPT
from harness.context.run import RunContext
from harness.declaration.commands import render
from harness.reporting.signoff import SignOff, Verdict, coverage_cell, coverage_methods
from harness.reporting.success import success_list
from harness.running.backfill import ProcessorStatus
from harness.running.plan import order_text

Values = dict[str, Any]

VERDICT_CSS = {Verdict.READY: "ready", Verdict.NOT_READY: "not-ready", Verdict.INTERRUPTED: "interrupted"}


def verdict(signoff: SignOff) -> Values:
    """The banner: the verdict, which run it is, and its reasons."""
    run = signoff.run
    return {
        "verdict": signoff.verdict.value,
        "css": VERDICT_CSS[signoff.verdict],
        "window": str(run.window),
        "run_id": run.run_id,
        "reasons": signoff.reasons,
    }


def success(signoff: SignOff) -> Values:
    """The gameplan's "What Success Looks Like", each item met or not with its figure."""
    return {"items": success_list(signoff)}


def unexercised(signoff: SignOff) -> Values:
    """The processors the window does not test at all (no entity expected on any date it judges)."""
    return {"messages": [u["message"] for u in signoff.unexercised]}


def run(signoff: SignOff) -> Values:
    """Who ran what, where, when; the settings someone chose, and the defaults folded away."""
    run = signoff.run
    rows = {
        "window": f"{run.window} ({run.window.days} calendar days)",
        "game dates": run.game_dates_summary,
        "seasons": ", ".join(f"{s.label} (opener {s.opener})" for s in run.window.seasons),
        "mode": str(run.mode),
        **{f"{phase.name} order": order_text(run.pipeline, phase) for phase in run.pipeline.phases.values()},
        "backend": f"{run.warehouse.kind}: {run.warehouse.address}",
        "pipeline": f"{run.pipeline.path} (sha256 {file_digest(run.pipeline.path)})",
        "processors' checkout": pipeline_commit(run) or "not a git checkout",
        "harness": f"version {__version__}",
        "run id": run.run_id,
        "started": run.started_at.isoformat(timespec="seconds"),
        "ended": signoff.ended_at.isoformat(timespec="seconds"),
        "by": f"{getpass.getuser()} on {socket.gethostname()}",
    }
    settings = run.settings.items()
    return {
        "notice": run.seeding_notice or "",
        "rows": list(rows.items()),
        "chosen": [(name, str(s)) for name, s in settings if not s.is_default],
        "defaults": [(name, s) for name, s in settings if s.is_default],
    }


def file_digest(path: Path) -> str:
    """The first 12 hex digits of the file's sha256, to tell declarations apart."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def pipeline_commit(run: RunContext) -> str | None:
    """The commit of the git checkout the processors run in (their first command's working directory)."""
    processor = next(iter(run.pipeline.processors.values()), None)
    if processor is None:
        return None
    cwd = render(processor, [run.window.start], run.template_context).cwd
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return f"{cwd} at {done.stdout.strip()}" if done.returncode == 0 else None


SHOWN_EMPTY = {DayState.EXEMPT: "EX", DayState.NONE_EXPECTED: "NE"}
"""What an empty cell shows, by state."""

CELL = {
    # (state, has rows) -> (css class, meaning)
    (DayState.EXPECTED, True): ("complete", "complete"),
    (DayState.EXPECTED, False): ("missing", "missing: expected rows"),
    (DayState.EXEMPT, False): ("exempt", "EXEMPT: bootstrap"),
    (DayState.EXEMPT, True): ("unexpected", "unexpected rows on a bootstrap date"),
    (DayState.NONE_EXPECTED, False): ("none_expected", "none expected"),
    (DayState.NONE_EXPECTED, True): ("unexpected", "rows where none are expected"),
    (DayState.NO_GAMES, False): ("no_games", "not expected: no games"),
    (DayState.NO_GAMES, True): ("unexpected", "unexpected rows on a day without games"),
}


@dataclass(frozen=True)
class GridCell:
    """One coverage cell: its class, the rows, the state, the tooltip and what it shows."""

    day: date
    css: str
    rows: int
    state: str
    title: str
    shown: str


def coverage(signoff: SignOff) -> Values:
    """Table x date grid for every processor's table: row counts, coloured by state, and how each table was
    counted (partition metadata or a scan of its date column, with the reason a declared claim fell back)."""
    pipeline = signoff.run.pipeline
    days = list(signoff.run.window.dates())
    methods = coverage_methods(signoff.run)
    rows = []
    for processor in pipeline.processors.values():
        table = pipeline.output_table(processor)
        cells = [_grid_cell(signoff, table.name, table.bootstrap_placeholders, day) for day in days]
        method = methods.get(table.name, {})
        rows.append(
            {
                "table": table.name,
                "label": f"Phase {processor.phase} {table.ref}",
                "cells": cells,
                "method": method.get("method", ""),
                "method_reason": method.get("reason", ""),
            }
        )
    return {"days": days, "rows": rows}


def _grid_cell(signoff: SignOff, table: str, placeholders: bool, day: date) -> GridCell:
    cell = coverage_cell(signoff, table, day)
    if cell is None:
        return GridCell(day, "unchecked", 0, "unchecked", "not checked", "?")
    state, rows = cell.state, cell.rows
    css, meaning = CELL[state, rows > 0]
    meaning = cell.reason or meaning
    if state is DayState.EXEMPT and rows and placeholders:
        css, meaning = "placeholder", "placeholder rows on a bootstrap date"
    shown = SHOWN_EMPTY.get(state, "") if not rows else str(rows)
    return GridCell(day, css, rows, state.value, f"{table} {day}: {rows} rows, {meaning}", shown)


TIMELINE = {"width": 900, "label_width": 260, "row": 22}
"""The timeline's geometry in pixels: the chart's width, the processor names' column, one bar's row."""


def timeline(signoff: SignOff) -> Values:
    """A Gantt chart of the processors that ran: bars share a time axis, so parallel runs overlap; a grey
    line joins each upstream processor's end to the start of the processor that waited for it."""
    ran = [(p, p.result) for p in signoff.processors if p.result is not None]
    width, label_width, row = TIMELINE["width"], TIMELINE["label_width"], TIMELINE["row"]
    values: Values = {"bars": [], "links": [], "width": width, "label_width": label_width}
    if not ran:
        return values
    origin = min(r.started for _, r in ran)
    span = max(max(r.ended for _, r in ran) - origin, 1e-6)
    scale = (width - label_width - 60) / span
    place = {
        p.name: (10 + i * row, label_width + (r.started - origin) * scale) for i, (p, r) in enumerate(ran)
    }
    ends = {p.name: label_width + (r.ended - origin) * scale for p, r in ran}
    middle = (row - 6) / 2
    for p, r in ran:
        y, x = place[p.name]
        values["bars"].append(
            {
                "name": p.name,
                "x": x,
                "y": y,
                "w": max(2.0, r.duration * scale),
                "seconds": r.duration,
                "colour": "#66bb6a" if p.status is ProcessorStatus.PASSED else "#ef5350",
                "title": f"{p.name}: {p.status.value}, {r.duration:.1f} s",
            }
        )
        values["links"] += [
            {"x0": ends[up], "y0": place[up][0] + middle, "x1": x, "y1": y + middle}
            for up in signoff.run.pipeline.processors[p.name].upstream
            if up in place
        ]
    return {**values, "height": 20 + len(ran) * row, "bar_height": row - 6, "span": span}


def processors(signoff: SignOff) -> Values:
    """One row per processor; a failed or timed-out one shows the tail of its log."""
    rows, tails = [], []
    for p in signoff.processors:
        result = p.result
        rows.append(
            (
                p.name,
                p.status.value,
                len(p.dates),
                "" if result is None else result.exit_code,
                "" if result is None else f"{result.duration:.1f} s",
                "; ".join(p.problems) or p.reason,
            )
        )
        if p.failed and result is not None:
            tails.append({"name": p.name, "log": result.log_path, "text": result.log_tail()})
    return {"rows": rows, "tails": tails}


def history(signoff: SignOff) -> Values:
    """Run history for the window: latest failed or crashed runs first, then totals per processor."""
    return {
        "window": str(signoff.run.window),
        "failures": signoff.failures,
        "totals": signoff.history,
        "exempt": EXEMPT,
    }


def expectations(signoff: SignOff) -> Values:
    """Each expectation suite: how many tests it checked and every finding with its failing values."""
    checked: dict[str, int] = {}
    findings: dict[str, list[dict[str, str]]] = {}
    for test in signoff.tests:
        for suite in test.properties.get("suites", []):
            checked[suite] = checked.get(suite, 0) + 1
        for finding in test.properties.get("findings", []):
            findings.setdefault(finding["suite"], []).append(finding)
    return {
        "suites": [
            {"name": suite, "tests": checked[suite], "findings": findings.get(suite, [])}
            for suite in sorted(checked)
        ]
    }


def estimates(signoff: SignOff) -> Values:
    """The full-season estimate per season, with seconds per game date of each processor."""
    return {"estimates": signoff.estimates}


SYMBOL = {DayStatus.PRIMARY: "✓", DayStatus.FALLBACK: "F", DayStatus.MISSING: "✗"}


def chains(signoff: SignOff) -> Values:
    """Chain x date grid: ✓ primary, F fallback used (named in the tooltip), ✗ missing games."""
    results = signoff.chains
    if not results:
        return {"rows": [], "days": [], "details": []}
    rows, details = [], []
    for result in results.values():
        cells = []
        for day in result.days:
            cells.append({"status": day.status.value, "title": _day_text(day), "symbol": SYMBOL[day.status]})
        rows.append({"name": f"{result.chain.name} ({result.chain.severity})", "cells": cells})
        details += [
            f"{result.chain.name} {day.day}: {_day_text(day)}" for day in (*result.fallback, *result.missing)
        ]
    days = [d.day for d in next(iter(results.values())).days]
    return {"rows": rows, "days": days, "details": details}


def _day_text(day: ChainDay) -> str:
    """``fallback nbac_gamebook: 20211021_ABC_XYZ``: the day's label and the games it lacks."""
    return day.label + (": " + ", ".join(day.missing_games) if day.missing_games else "")


def corrections(signoff: SignOff) -> Values:
    """Where the gameplan is wrong about this pipeline, and what the run did instead."""
    return {"corrections": list(signoff.run.pipeline.gameplan_corrections)}
