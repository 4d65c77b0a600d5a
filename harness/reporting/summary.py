"""``summary.json``: the run's verdict and numbers for CI, beside the HTML report.

The format is versioned (``format_version``); a change that removes or renames a key raises the major
version. The README documents every key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.checking.scores import scores_record
from harness.context.run import RunContext
from harness.reporting.signoff import SignOff, Verdict, coverage_methods
from harness.reporting.success import success_list

FORMAT_VERSION = "1.1"


def _head(run: RunContext, verdict: Verdict, reasons: list[str], exit_status: int) -> dict[str, Any]:
    """The keys every summary has, even one written when the sign-off could not be built."""
    return {
        "format_version": FORMAT_VERSION,
        "run_id": run.run_id,
        "verdict": verdict.value,
        "ready": verdict.ready,
        "reasons": reasons,
        "exit_status": exit_status,
        "window": {"start": str(run.window.start), "end": str(run.window.end), "days": run.window.days},
        "game_dates": [str(d) for d in run.game_dates],
        "bootstrap_dates": [str(d) for d in run.window.split_bootstrap(run.game_dates)[0]],
        "mode": str(run.mode),
        "backend": {"kind": run.warehouse.kind, "location": run.warehouse.address},
        "started_at": run.started_at.isoformat(timespec="seconds"),
    }


def summary(signoff: SignOff) -> dict[str, Any]:
    """The whole summary of a signed-off run."""
    return {
        **_head(signoff.run, signoff.verdict, signoff.reasons, signoff.exit_status),
        "ended_at": signoff.ended_at.isoformat(timespec="seconds"),
        "steps": {step: dict(counts) for step, counts in signoff.step_counts().items()},
        "tests": [
            {
                "id": t.nodeid.split("@")[0],
                "step": t.step,
                "outcome": t.outcome,
                "blocked": t.blocked,
                "message": t.message,
            }
            for t in signoff.tests
        ],
        "blocked": sorted({t.message for t in signoff.tests if t.blocked}),
        "coverage": {
            table: {
                str(day): {
                    "state": c.state.value,
                    "rows": c.rows,
                    **({"reason": c.reason} if c.reason else {}),
                }
                for day, c in days.items()
            }
            for table, days in signoff.coverage.items()
        },
        "unexercised": signoff.unexercised,
        "success": [{"outcome": i.outcome, "met": i.met, "figure": i.figure} for i in success_list(signoff)],
        "quality": {
            table: {"column": signoff.run.pipeline.tables[table].quality_column, "dates": dates}
            for table, dates in scores_record(signoff.scores).items()
        },
        "processors": [
            {
                "name": p.name,
                "status": p.status.value,
                "dates": [str(d) for d in p.dates],
                "problems": list(p.problems),
                "reason": p.reason,
                "exit_code": None if p.result is None else p.result.exit_code,
                "timed_out": None if p.result is None else p.result.timed_out,
                "started": None if p.result is None else p.result.started,
                "ended": None if p.result is None else p.result.ended,
                "seconds": None if p.result is None else round(p.result.duration, 3),
                "log": None if p.result is None else p.result.log_path,
            }
            for p in signoff.processors
        ],
        "run_history_failures": [
            {
                "data_date": str(r.day),
                "processor": r.processor,
                "status": r.status,
                "run_id": r.run_id,
                "errors": r.errors,
            }
            for r in signoff.failures
        ],
        "estimates": [
            {
                "season": e.season,
                "season_game_dates": e.season_game_dates,
                "seconds_per_date": {k: round(v, 4) for k, v in e.seconds_per_date.items()},
                "sequential_seconds": round(e.sequential_seconds, 1),
                "parallel_seconds": round(e.parallel_seconds, 1),
                "bytes_billed_per_date": {k: round(v) for k, v in e.bytes_per_date.items()},
                "season_bytes_billed": round(e.season_bytes) if e.bytes_per_date else None,
                "on_demand_usd": round(e.season_usd, 2) if e.bytes_per_date else None,
                "usd_per_tib": e.usd_per_tib,
                "price_as_of": e.price_as_of,
                "slot_hours": round(e.season_slot_hours, 2) if e.bytes_per_date else None,
            }
            for e in signoff.estimates
        ],
        "billing": {
            "measured": signoff.billing.skipped is None,
            "skipped": signoff.billing.skipped,
            "max_season_bytes": signoff.run.max_season_bytes,
            "usage": {
                name: {"jobs": u.jobs, "bytes_billed": u.bytes_billed, "slot_ms": u.slot_ms}
                for name, u in sorted(signoff.billing.usage.items())
            },
        },
        "coverage_methods": coverage_methods(signoff.run),
        "pre_test_state": {
            "tables": signoff.pre_test_state.get("tables", {}),
            "problem": signoff.pre_test_state.get("problem"),
        },
        "changes": {c.table: c.to_record() for c in signoff.changes},
    }


def summary_path(report: Path) -> Path:
    """``backfill-<run id>.summary.json`` beside ``backfill-<run id>.html``."""
    return report.with_name(report.stem + ".summary.json")


def write_summary(signoff: SignOff, path: Path) -> None:
    """Write the signed-off run's summary to ``path``."""
    _write(summary(signoff), path)


def write_failed_summary(run: RunContext, exit_status: int, problem: str, path: Path) -> None:
    """A NOT READY summary when the sign-off itself failed, so that CI always has something to gate on."""
    _write({**_head(run, Verdict.NOT_READY, [problem], exit_status or 1)}, path)


def _write(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
