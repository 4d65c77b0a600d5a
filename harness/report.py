"""HTML pieces for the sign-off report (pytest-html summary section).

Only the controller writes the report under xdist, so these functions take plain data that the
controller already holds and return HTML strings; every value is escaped.
"""

from __future__ import annotations

from html import escape

from harness.chains import ChainResult, DayStatus
from harness.session import HarnessRun

STYLE = """<style>
.harness-grid{border-collapse:collapse;font:12px monospace;margin:8px 0}
.harness-grid th,.harness-grid td{border:1px solid #ccc;padding:2px 4px;text-align:center}
.harness-grid th.rot{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal}
.harness-grid td.name{text-align:left;white-space:nowrap}
.st-primary{background:#c8e6c9}.st-fallback{background:#fff59d}.st-missing{background:#ef9a9a}
.harness-notice{background:#e3f2fd;border-left:4px solid #1976d2;padding:6px 10px;margin:6px 0}
.harness-head td{padding:1px 8px 1px 0;vertical-align:top}
</style>"""

SYMBOL = {DayStatus.PRIMARY: "✓", DayStatus.FALLBACK: "F", DayStatus.MISSING: "✗"}


def header_html(run: HarnessRun) -> str:
    rows = {
        "window": f"{run.window} ({run.window.days} calendar days)",
        "game dates": run.game_dates_summary,
        "seasons": ", ".join(
            f"{s.year}-{(s.year + 1) % 100:02d} (opener {s.opener})" for s in run.window.seasons
        ),
        "backend": f"{run.warehouse.kind}: {run.warehouse.location}",
        "pipeline": str(run.pipeline.path),
        "run id": run.run_id,
        "started": run.started_at.isoformat(timespec="seconds"),
        **{f"setting {k}": v for k, v in run.settings.shown().items()},
    }
    cells = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows.items())
    notice = run.seeding_notice
    banner = f'<div class="harness-notice">{escape(notice)}</div>' if notice else ""
    return f'{STYLE}<h2>Backfill run</h2>{banner}<table class="harness-head">{cells}</table>'


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
