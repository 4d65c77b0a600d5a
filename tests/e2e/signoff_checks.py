"""Reading a run's sign-off as the person signing would, and checking every number against the
warehouse: the verdict, every coverage cell of the report and of summary.json, the processors, the
run-history failures and the estimate's arithmetic."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markupsafe import escape

from harness.declaration.model import Pipeline
from harness.warehouse.duckdb import DuckDBWarehouse
from tests.sql import query


class _Cells(HTMLParser):
    """The coverage grid's cells: ``(table, date) -> (rows attribute, class, shown text)``."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], tuple[int, str, str]] = {}
        self._open: tuple[str, str, int, str] | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "td" and "data-table" in a:
            self._open = (
                a["data-table"] or "",
                a["data-date"] or "",
                int(a["data-rows"] or 0),
                a.get("class") or "",
            )
            self.text = ""

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._open:
            table, day, rows, cls = self._open
            self.cells[table, day] = (rows, cls, self.text.strip())
            self._open = None


def load_signoff(home: Path) -> tuple[dict[str, Any], str]:
    """(summary.json, report HTML) of the one run under ``home``."""
    reports = sorted((home / "reports").glob("backfill-*.html"))
    assert len(reports) == 1, reports
    summary = json.loads(reports[0].with_name(reports[0].stem + ".summary.json").read_text())
    return summary, reports[0].read_text()


def assert_signoff_matches_warehouse(
    home: Path, ret: int, warehouse_path: Path, pipeline: Pipeline
) -> dict[str, Any]:
    summary, html = load_signoff(home)
    warehouse = DuckDBWarehouse(warehouse_path)
    assert summary["format_version"] == "1.1"
    ran = {pipeline.processors[p["name"]].output for p in summary["processors"] if p["exit_code"] is not None}
    assert set(summary["changes"]) == ran  # every processor that ran has its diff
    assert summary["ready"] is (ret == 0) and summary["exit_status"] == ret
    assert (summary["verdict"] == "READY FOR FULL-SEASON RUN") is (ret == 0)
    banner = re.search(r'id="harness-verdict"><b>([^<]+)</b>', html)
    assert banner and banner.group(1) == summary["verdict"]
    for reason in summary["reasons"]:
        assert _escaped(reason) in html

    start, end = date.fromisoformat(summary["window"]["start"]), date.fromisoformat(summary["window"]["end"])
    schedule = query(
        warehouse,
        "SELECT DISTINCT game_date FROM nba_raw.nbac_schedule WHERE game_status = 3 AND game_date BETWEEN @s AND @e",
        {"s": start, "e": end},
    )
    games = {str(d)[:10] for d in schedule["game_date"]}
    assert set(summary["game_dates"]) == games
    cells = _Cells()
    cells.feed(html)
    for processor in pipeline.processors.values():
        table = pipeline.output_table(processor)
        counts = query(
            warehouse,
            f"SELECT {table.date_column} AS day, COUNT(*) AS n FROM {table.ref} "
            f"WHERE {table.date_column} BETWEEN @s AND @e GROUP BY 1",
            {"s": start, "e": end},
        )
        actual = {str(d)[:10]: int(n) for d, n in zip(counts["day"], counts["n"], strict=True)}
        column = summary["coverage"][table.name]
        assert len(column) == summary["window"]["days"]
        for day, cell in column.items():
            assert cell["rows"] == actual.get(day, 0), (table.name, day)
            if day not in games:
                assert cell["state"] == "no_games", (table.name, day)
            elif day in summary["bootstrap_dates"] and table.expected_dates == "after_bootstrap":
                assert cell["state"] == "exempt", (table.name, day)
            rows, cls, shown = cells.cells[table.name, day]
            assert rows == cell["rows"], (table.name, day)
            if cell["state"] == "exempt" and not rows:
                assert (cls, shown) == ("cv-exempt", "EX"), (table.name, day)
            if cell["state"] == "expected":
                assert cls == ("cv-complete" if rows else "cv-missing"), (table.name, day)
            if cell["state"] == "none_expected":
                assert cell["reason"].startswith("none expected: "), (table.name, day)
                assert (cls, shown) == (("cv-unexpected", str(rows)) if rows else ("cv-none_expected", "NE"))

    for table_name, scored in summary["quality"].items():
        table, column = pipeline.tables[table_name], scored["column"]
        assert column == table.quality_column
        spread = query(
            warehouse,
            f"SELECT {table.date_column} AS day, COUNT({column}) AS n, MIN({column}) AS low, "
            f"MAX({column}) AS high FROM {table.ref} WHERE {table.date_column} BETWEEN @s AND @e "
            f"AND {column} IS NOT NULL GROUP BY 1",
            {"s": start, "e": end},
        )
        expected = {
            str(d)[:10]: (int(n), float(lo), float(hi))
            for d, n, lo, hi in zip(spread["day"], spread["n"], spread["low"], spread["high"], strict=True)
        }
        assert {day: (f["rows"], f["low"], f["high"]) for day, f in scored["dates"].items()} == expected
        for f in scored["dates"].values():
            assert f["low"] <= f["q1"] <= f["median"] <= f["q3"] <= f["high"], (table_name, f)

    ran = [p for p in summary["processors"] if p["status"] != "not run"]
    drawn = html.partition('id="harness-timeline"')[2].split("</svg>")[0]
    assert drawn.count("<rect ") == len([p for p in ran if p["seconds"] is not None])
    for processor in summary["processors"]:
        assert f"<td>{processor['name']}</td><td>{processor['status']}</td>" in html
    failures = query(
        warehouse,
        "SELECT COUNT(*) AS n FROM nba_reference.processor_run_history WHERE status = 'failed' "
        "AND data_date BETWEEN @s AND @e",
        {"s": start, "e": end},
    )["n"][0]
    assert len(summary["run_history_failures"]) <= failures
    for estimate in summary["estimates"]:
        per_date = sum(estimate["seconds_per_date"].values())
        assert abs(estimate["sequential_seconds"] - per_date * estimate["season_game_dates"]) < 1
    return summary


def _escaped(text: str) -> str:
    """As the report's templates escape it (Jinja2's autoescape)."""
    return str(escape(text))
