"""The report's "What changed" panel: the output tables before the run beside after it, a table x date grid
of rows added, removed and changed, what touched dates outside the window, and a few sample rows.

A panel of its own, returning HTML, so that the page places it where it wants; every value is escaped.
"""

from __future__ import annotations

from html import escape

from harness.checking.changes import TableChanges
from harness.reporting.signoff import SignOff

SAMPLES_SHOWN = 5
"""Sample rows shown per table (summary.json keeps every sample the diff returned)."""

STYLE = """<style>
.ch-added{background:#c8e6c9}.ch-removed{background:#ef9a9a}.ch-changed{background:#fff59d}
.ch-same{color:#999}.ch-outside{background:#ef9a9a;border-left:4px solid #c62828;padding:4px 8px}
</style>"""


def changes_html(signoff: SignOff) -> str:
    """The whole panel: before and after per table, the grid, outside-the-window findings, samples."""
    return (
        f"{STYLE}<h2>What changed</h2>{_legend(signoff)}{_before_after(signoff)}{_grid(signoff)}"
        f"{_outside(signoff.changes)}{_samples(signoff.changes)}"
    )


def _legend(signoff: SignOff) -> str:
    problem = signoff.pre_test_state.get("problem")
    note = f"<p>The pre-test state could not be read: {escape(problem)}</p>" if problem else ""
    declared = ", ".join(signoff.run.pipeline.rewritten_columns) or "none"
    return (
        f"{note}<p>Each cell: rows <span class='ch-added'>+added</span> "
        "<span class='ch-removed'>&minus;removed</span> <span class='ch-changed'>~changed</span> on the "
        f"table's grain, against a snapshot taken before its processor wrote. Columns every run rewrites "
        f"are left out: {escape(declared)}.</p>"
    )


def _before_after(signoff: SignOff) -> str:
    """Per output table: dates with rows and rows in the window, before the run and after it."""
    before = signoff.pre_test_state.get("tables", {})
    rows = []
    for name in before:
        days = before[name]
        after = {d: c.rows for d, c in signoff.coverage.get(name, {}).items() if c.rows}
        after_text = (
            f"{len(after)} dates, {sum(after.values())} rows" if name in signoff.coverage else "not checked"
        )
        rows.append(
            f"<tr><td class='name'>{escape(name)}</td><td>{len(days)} dates, {sum(days.values())} rows</td>"
            f"<td>{escape(after_text)}</td></tr>"
        )
    return (
        "<h3>Pre-test state and after</h3><table class='harness-grid' id='harness-pre-test-state'>"
        f"<tr><th>table</th><th>before the run</th><th>after it</th></tr>{''.join(rows)}</table>"
    )


def _grid(signoff: SignOff) -> str:
    days = list(signoff.run.window.dates())
    head = "".join(f"<th class='rot'>{d:%m-%d}</th>" for d in days)
    body = []
    for changes in signoff.changes:
        cells = []
        for day in days:
            found = changes.days.get(day.isoformat())
            if found is None:
                cells.append("<td class='ch-same' title='unchanged'>0</td>")
                continue
            kind = "changed" if found.changed else ("added" if found.added else "removed")
            title = ", ".join(f"{c} {n}" for c, n in sorted(found.columns.items())) or kind
            text = " ".join(
                f"{sign}{n}"
                for sign, n in (("+", found.added), ("&minus;", found.removed), ("~", found.changed))
                if n
            )
            cells.append(
                f"<td class='ch-{kind}' data-change-table='{escape(changes.table)}' data-change-date='{day}' "
                f"title='{escape(f'{changes.table} {day}: {title}')}'>{text}</td>"
            )
        label = f"{changes.table} ({changes.method}, {changes.seconds:.2f} s)"
        body.append(f"<tr><td class='name'>{escape(label)}</td>{''.join(cells)}</tr>")
    if not body:
        return "<p>No processor ran, so nothing was changed.</p>"
    return f"<table class='harness-grid' id='harness-changes'><tr><th>table</th>{head}</tr>{''.join(body)}</table>"


def _outside(changes: list[TableChanges]) -> str:
    touched = [c for c in changes if c.outside]
    items = "".join(f"<li>{escape(c.table)}: {escape(', '.join(c.outside))}</li>" for c in touched)
    return (
        f"<div class='ch-outside'>Rows changed outside the window:<ul>{items}</ul></div>" if touched else ""
    )


def _samples(changes: list[TableChanges]) -> str:
    parts = []
    for table in changes:
        samples = [
            (day, s) for day, d in sorted(table.days.items()) for s in d.samples if s["kind"] == "changed"
        ]
        if not samples:
            continue
        rows = "".join(
            f"<tr><td>{escape(day)}</td><td>{escape(str(s['key']))}</td><td>{escape(column)}</td>"
            f"<td>{escape(str(old))}</td><td>{escape(str(new))}</td></tr>"
            for day, s in samples[:SAMPLES_SHOWN]
            for column, (old, new) in s["values"].items()
        )
        parts.append(
            f"<h3>{escape(table.table)}: sample changed rows</h3><table class='harness-grid'>"
            f"<tr><th>date</th><th>key</th><th>column</th><th>before</th><th>after</th></tr>{rows}</table>"
        )
    return "".join(parts)
