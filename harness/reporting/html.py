"""HTML pieces for the sign-off report (pytest-html summary section).

Only the controller writes the report under xdist, so these functions take plain data that the
controller already holds and return HTML strings; every value is escaped.
"""

from __future__ import annotations

import getpass
import hashlib
import socket
import subprocess
from html import escape
from pathlib import Path

from harness import __version__
from harness.checking.chains import ChainResult, DayStatus
from harness.checking.expected import DayState
from harness.checking.frames import EXEMPT
from harness.context.run import RunContext
from harness.declaration.commands import render
from harness.reporting.changes import changes_html
from harness.reporting.signoff import SignOff, coverage_cell
from harness.running.backfill import ProcessorStatus
from harness.running.plan import order_text

STYLE = """<style>
.harness-grid{border-collapse:collapse;font:12px monospace;margin:8px 0}
.harness-grid th,.harness-grid td{border:1px solid #ccc;padding:2px 4px;text-align:center}
.harness-grid th.rot{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal}
.harness-grid td.name{text-align:left;white-space:nowrap}
.st-primary{background:#c8e6c9}.st-fallback{background:#fff59d}.st-missing{background:#ef9a9a}
.harness-notice{background:#e3f2fd;border-left:4px solid #1976d2;padding:6px 10px;margin:6px 0}
.harness-head td{padding:1px 8px 1px 0;vertical-align:top}
.harness-verdict{font-size:16px;padding:10px 14px;margin:8px 0;border-radius:4px}
.harness-verdict.ready{background:#c8e6c9;border:2px solid #2e7d32}
.harness-verdict.not-ready{background:#ffcdd2;border:2px solid #c62828}
.cv-complete{background:#c8e6c9}.cv-missing{background:#ef9a9a}.cv-exempt{background:#e0e0e0}
.cv-none_expected{background:#e1f5fe}
.cv-no_games{background:#fafafa;color:#999}.cv-unexpected{background:#ffcc80}
.cv-placeholder{background:#d1c4e9}.cv-unchecked{background:#fff;color:#999}
.harness-log{background:#263238;color:#eceff1;padding:6px;font:11px monospace;white-space:pre-wrap}
</style>"""

SYMBOL = {DayStatus.PRIMARY: "✓", DayStatus.FALLBACK: "F", DayStatus.MISSING: "✗"}


def header_html(signoff: SignOff) -> str:
    """Who ran what, where, when: enough for the person signing to know which run they are reading."""
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
        **{f"setting {name}": str(setting) for name, setting in run.settings.items()},
    }
    cells = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows.items())
    notice = run.seeding_notice
    banner = f'<div class="harness-notice">{escape(notice)}</div>' if notice else ""
    return (
        f"{STYLE}{verdict_html(signoff)}{unexercised_html(signoff)}<h2>Backfill run</h2>{banner}"
        f'<table class="harness-head">{cells}</table>'
    )


def unexercised_html(signoff: SignOff) -> str:
    """The processors the window does not test at all (no entity expected on any date it judges)."""
    if not signoff.unexercised:
        return ""
    items = "".join(f"<li>{escape(u['message'])}</li>" for u in signoff.unexercised)
    return (
        '<div class="harness-notice" id="harness-unexercised"><b>Not exercised by this window</b> '
        f"(READY says little about these processors)<ul>{items}</ul></div>"
    )


def verdict_html(signoff: SignOff) -> str:
    """The verdict banner with its reasons."""
    cls = "ready" if signoff.verdict.ready else "not-ready"
    reasons = "".join(f"<li>{escape(r)}</li>" for r in signoff.reasons)
    return (
        f'<div class="harness-verdict {cls}" id="harness-verdict"><b>{escape(signoff.verdict.value)}</b>'
        f"{f'<ul>{reasons}</ul>' if reasons else ''}</div>"
    )


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


def chain_grid_html(results: dict[str, ChainResult]) -> str:
    """Chain x date grid: ✓ primary, F fallback used (named in the tooltip), ✗ missing games."""
    if not results:
        return "<p>No source chains were checked.</p>"
    days = [d.day for d in next(iter(results.values())).days]
    head = "".join(f'<th class="rot">{d:%m-%d}</th>' for d in days)
    body = []
    for result in results.values():
        cells = []
        for day in result.days:
            title = escape(day.label + ("" if not day.missing_games else ": " + ", ".join(day.missing_games)))
            cls = f"st-{day.status.value}"
            cells.append(f'<td class="{cls}" title="{title}">{SYMBOL[day.status]}</td>')
        name = f"{escape(result.chain.name)} ({escape(result.chain.severity)})"
        body.append(f'<tr><td class="name">{name}</td>{"".join(cells)}</tr>')
    details = _chain_details(results)
    legend = "<p>✓ primary source &nbsp; F fallback used &nbsp; ✗ games missing from every source</p>"
    return (
        f"<h2>Step 0: source chains ({len(days)} game dates)</h2>{legend}"
        f'<table class="harness-grid"><tr><th>chain</th>{head}</tr>{"".join(body)}</table>{details}'
    )


def _chain_details(results: dict[str, ChainResult]) -> str:
    items = []
    for result in results.values():
        for day in (*result.fallback, *result.missing):
            text = f"{result.chain.name} {day.day}: {day.label}"
            if day.missing_games:
                text += ": " + ", ".join(day.missing_games)
            items.append(f"<li>{escape(text)}</li>")
    return (
        f"<ul>{''.join(items)}</ul>" if items else "<p>Every chain used its primary source on every date.</p>"
    )


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


def coverage_grid_html(signoff: SignOff) -> str:
    """Table x date grid for every Phase 3 and Phase 4 table: row counts, coloured by state."""
    pipeline = signoff.run.pipeline
    days = list(signoff.run.window.dates())
    head = "".join(f'<th class="rot">{d:%m-%d}</th>' for d in days)
    body = []
    for processor in pipeline.processors.values():
        table = pipeline.output_table(processor)
        cells = []
        for day in days:
            cell = coverage_cell(signoff, table.name, day)
            if cell is None:
                cells.append(
                    f'<td class="cv-unchecked" data-table="{table.name}" data-date="{day}" data-rows="0" '
                    'data-state="unchecked" title="not checked">?</td>'
                )
                continue
            state, rows = cell.state, cell.rows
            cls, meaning = CELL[state, rows > 0]
            meaning = cell.reason or meaning
            if state is DayState.EXEMPT and rows and table.bootstrap_placeholders:
                cls, meaning = "placeholder", "placeholder rows on a bootstrap date"
            shown = SHOWN_EMPTY.get(state, "") if not rows else str(rows)
            cells.append(
                f'<td class="cv-{cls}" data-table="{table.name}" data-date="{day}" data-rows="{rows}" '
                f'data-state="{state.value}" title="{escape(f"{table.name} {day}: {rows} rows, {meaning}")}">{shown}</td>'
            )
        body.append(
            f'<tr><td class="name">Phase {processor.phase} {escape(table.ref)}</td>{"".join(cells)}</tr>'
        )
    legend = (
        '<p><span class="cv-complete">rows</span> complete &nbsp; <span class="cv-missing">&nbsp;</span> missing &nbsp; '
        '<span class="cv-exempt">EX</span> EXEMPT (bootstrap) &nbsp; '
        '<span class="cv-none_expected">NE</span> none expected (no entity meets the minimum; hover for why) &nbsp; '
        '<span class="cv-no_games">&nbsp;</span> no games &nbsp; <span class="cv-unexpected">&nbsp;</span> '
        'unexpected rows &nbsp; <span class="cv-placeholder">&nbsp;</span> placeholders</p>'
    )
    return (
        f'<h2>Coverage: rows per table and date</h2>{legend}<table class="harness-grid" id="harness-coverage">'
        f"<tr><th>table</th>{head}</tr>{''.join(body)}</table>"
    )


def timeline_svg(signoff: SignOff) -> str:
    """A Gantt chart of the processors that ran: bars share a time axis, so parallel runs overlap; a grey
    line joins each upstream processor's end to the start of the processor that waited for it."""
    ran = [p for p in signoff.processors if p.result is not None]
    if not ran:
        return "<h2>Processor timeline</h2><p>No processor ran in this run.</p>"
    origin = min(p.result.started for p in ran)  # type: ignore[union-attr]
    span = max(max(p.result.ended for p in ran) - origin, 1e-6)  # type: ignore[union-attr]
    width, label_width, row = 900, 260, 22
    scale = (width - label_width - 60) / span
    rows = {p.name: i for i, p in enumerate(ran)}
    parts, links = [], []
    for p in ran:
        assert p.result is not None
        y = 10 + rows[p.name] * row
        x = label_width + (p.result.started - origin) * scale
        w = max(2.0, p.result.duration * scale)
        colour = "#66bb6a" if p.status is ProcessorStatus.PASSED else "#ef5350"
        parts.append(
            f'<text x="4" y="{y + 14}" font-size="12">{escape(p.name)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{colour}">'
            f"<title>{escape(f'{p.name}: {p.status.value}, {p.result.duration:.1f} s')}</title></rect>"
            f'<text x="{x + w + 4:.1f}" y="{y + 14}" font-size="11">{p.result.duration:.1f} s</text>'
        )
        for up in signoff.run.pipeline.processors[p.name].upstream:
            upstream = next((q for q in ran if q.name == up), None)
            if upstream is not None and upstream.result is not None:
                x0 = label_width + (upstream.result.ended - origin) * scale
                y0 = 10 + rows[up] * row + (row - 6) / 2
                links.append(
                    f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y + (row - 6) / 2:.1f}" '
                    'stroke="#9e9e9e" stroke-width="1"/>'
                )
    height = 20 + len(ran) * row
    axis = f'<text x="{label_width}" y="{height}" font-size="11">0 s</text>'
    axis += f'<text x="{width - 60}" y="{height}" font-size="11">{span:.1f} s</text>'
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="harness-timeline" width="{width}" height="{height + 6}">'
        f"{''.join(links)}{''.join(parts)}{axis}</svg>"
    )
    return f"<h2>Processor timeline</h2>{svg}"


def processors_html(signoff: SignOff) -> str:
    """One row per processor; a failed or timed-out one shows the tail of its log."""
    rows, tails = [], []
    for p in signoff.processors:
        result = p.result
        detail = "; ".join(p.problems) or p.reason
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{escape(str(v))}</td>"
                for v in (
                    p.name,
                    p.status.value,
                    len(p.dates),
                    "" if result is None else result.exit_code,
                    "" if result is None else f"{result.duration:.1f} s",
                    detail,
                )
            )
            + "</tr>"
        )
        if p.failed and result is not None:
            tails.append(
                f"<h3>{escape(p.name)}: last lines of {escape(result.log_path)}</h3>"
                f'<div class="harness-log">{escape(result.log_tail())}</div>'
            )
    head = "<tr><th>processor</th><th>status</th><th>dates</th><th>exit</th><th>time</th><th>detail</th></tr>"
    return (
        f'<h2>Processors</h2><table class="harness-grid" id="harness-processors">{head}{"".join(rows)}</table>'
        + "".join(tails)
    )


def history_html(signoff: SignOff) -> str:
    """Run history for the window: latest failed or crashed runs first, then totals per processor."""
    failures = signoff.failures
    if failures:
        fail_rows = "".join(
            f"<tr><td>{r.day}</td><td>{escape(r.processor)}</td><td>{escape(r.status)}</td>"
            f"<td>{escape(r.run_id)}</td><td>{escape(r.errors or '')}</td></tr>"
            for r in failures
        )
        fail = (
            '<table class="harness-grid" id="harness-failures"><tr><th>data_date</th><th>processor</th>'
            f"<th>status</th><th>run_id</th><th>errors</th></tr>{fail_rows}</table>"
        )
    else:
        fail = "<p>No latest run failed or crashed in the window.</p>"
    totals = "".join(
        f"<tr><td>{escape(h.processor)}</td><td>{escape(h.status)}</td><td>{h.dates}</td>"
        f"<td>{h.seconds:.1f}</td><td>{h.records}</td></tr>"
        if h.status != EXEMPT
        else f"<tr><td>{escape(h.processor)}</td><td>exempt</td><td>{h.dates}</td>"
        '<td colspan="2">bootstrap dates: the scripts skip them before run tracking, so no row is expected</td></tr>'
        for h in signoff.history
    )
    return (
        f"<h2>Run history ({signoff.run.window})</h2>{fail}"
        '<table class="harness-grid" id="harness-history"><tr><th>processor_name</th><th>status</th><th>dates</th>'
        f"<th>seconds</th><th>records</th></tr>{totals}</table>"
    )


def expectations_html(signoff: SignOff) -> str:
    """Each expectation suite: how many tests it checked and every finding with its failing values."""
    checked: dict[str, int] = {}
    findings: dict[str, list[dict[str, str]]] = {}
    for test in signoff.tests:
        for suite in test.properties.get("suites", []):
            checked[suite] = checked.get(suite, 0) + 1
        for finding in test.properties.get("findings", []):
            findings.setdefault(finding["suite"], []).append(finding)
    if not checked:
        return "<h2>Expectation suites</h2><p>No expectation suite ran.</p>"
    parts = []
    for suite in sorted(checked):
        items = "".join(
            f"<li><b>{escape(f['severity'])}</b> {escape(f['message'])}</li>" for f in findings.get(suite, [])
        )
        status = f"{len(findings.get(suite, []))} findings" if items else "all expectations met"
        parts.append(
            f"<h3>{escape(suite)}: {checked[suite]} tests, {status}</h3>{f'<ul>{items}</ul>' if items else ''}"
        )
    return "<h2>Expectation suites</h2>" + "".join(parts)


def estimate_html(signoff: SignOff) -> str:
    """The full-season estimate per season, with seconds per game date of each processor."""
    if not signoff.estimates:
        return "<h2>Full-season estimate</h2><p>No processor ran on a game date, so nothing was measured.</p>"
    parts = []
    for est in signoff.estimates:
        rows = "".join(
            f"<tr><td>{escape(name)}</td><td>{seconds:.2f}</td><td>{seconds * est.season_game_dates / 60:.1f}</td></tr>"
            for name, seconds in est.seconds_per_date.items()
        )
        parts.append(
            f'<p id="harness-estimate">{escape(est.describe())}</p><table class="harness-grid"><tr><th>processor</th>'
            f"<th>seconds per game date</th><th>minutes for the season</th></tr>{rows}</table>"
        )
    return "<h2>Full-season estimate</h2>" + "".join(parts)


def corrections_html(signoff: SignOff) -> str:
    """Where the gameplan is wrong about this pipeline, and what the run did instead."""
    corrections = signoff.run.pipeline.gameplan_corrections
    if not corrections:
        return ""
    items = "".join(f"<li>{escape(c)}</li>" for c in corrections)
    return f'<h2>Where this run departs from the gameplan</h2><ul id="harness-corrections">{items}</ul>'


def report_sections(signoff: SignOff) -> tuple[str, str]:
    """(before the test results, after them) for pytest-html's summary section."""
    after = (
        coverage_grid_html(signoff)
        + changes_html(signoff)
        + timeline_svg(signoff)
        + processors_html(signoff)
        + history_html(signoff)
        + expectations_html(signoff)
        + estimate_html(signoff)
        + chain_grid_html(signoff.chains)
        + corrections_html(signoff)
    )
    return header_html(signoff), after
