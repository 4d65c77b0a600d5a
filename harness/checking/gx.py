"""Great Expectations bridge: validate a small frame against a suite in ``expectations/`` and turn each
failed expectation into one message per subject (table, chain or processor) that a person can act on.

GX costs about 7 s to import, so it is imported here only, on first use, and only by tests that
validate. One ephemeral context per process is enough: frames are handed to a pandas datasource (GX's
SQL datasource over DuckDB returns empty results). The suites' ``meta`` carries the message templates:

- ``message``: formatted once per subject with ``subject``, ``column``, ``days``, ``count`` (failing
  rows), ``of`` (rows the expectation covers for that subject), ``detail``, and the first failing
  row's columns (for values constant per subject, such as a range's ``rule``);
- ``detail``: formatted once per failing row with the row's columns, joined by ``separator``;
- ``severity``: ``critical`` fails a test, ``warning`` warns, ``info`` is only recorded.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.checking.expected import describe_days
from harness.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"


@dataclass(frozen=True)
class Finding:
    """One failed expectation for one subject."""

    suite: str
    subject: str
    severity: str
    message: str
    days: tuple[date, ...]


def import_in_background() -> None:
    """Start importing Great Expectations on a thread (2.5-3 s), for a process that will run processors
    before it validates anything: while it waits on their commands the thread has the interpreter. The
    first ``validate`` imports it as usual; Python's import lock makes it wait for the thread's import."""
    import threading

    threading.Thread(target=_import, name="harness-gx-import", daemon=True).start()


def _import() -> None:
    import great_expectations  # noqa: F401 (imported for its side effect: the module is loaded)


@functools.cache
def _batch_definition() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("harness").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole")


@functools.cache
def load_suite(name: str) -> Any:
    """The suite ``expectations/<name>.json``; refuses a file GX would load only in part (GX logs and
    drops an expectation it does not know, which would silently weaken the check)."""
    import great_expectations as gx

    path = SUITES_DIR / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the expectation suite ({exc}); restore it from git") from None
    suite = gx.ExpectationSuite(**data)
    if len(suite.expectations) != len(data.get("expectations", [])):
        raise ConfigError(f"{path}: Great Expectations rejected some expectations; check their types")
    return suite


def validate(suite_name: str, frame: pd.DataFrame) -> list[Finding]:
    """Run the suite on ``frame`` (which has a ``subject`` column, and ``day`` when rows are dated)."""
    if frame.empty:
        return []
    suite = load_suite(suite_name)
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame.reset_index(drop=True)})
    result = batch.validate(suite, result_format="COMPLETE")
    findings = []
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        if outcome.exception_info.get("raised_exception"):
            raise ConfigError(
                f"{suite_name}: {config.type} failed to run: {outcome.exception_info['exception_message']}"
            )
        failing = frame.reset_index(drop=True).loc[outcome.result["unexpected_index_list"]]
        in_scope = _in_scope(frame, config.kwargs.get("row_condition"))
        findings.extend(_findings(suite_name, config.meta, failing, in_scope))
    return findings


def _in_scope(frame: pd.DataFrame, condition: Any) -> pd.DataFrame:
    """The rows an expectation covers: its row condition (GX's serialized ``Condition``) applied here,
    to count how many rows of each subject the expectation looked at."""
    if condition is None:
        return frame
    data = condition if isinstance(condition, dict) else condition.dict()
    return frame[_mask(frame, data)]


def _mask(frame: pd.DataFrame, condition: dict[str, Any]) -> pd.Series:
    kind = condition["type"]
    if kind in ("and", "or"):
        masks = [_mask(frame, c) for c in condition["conditions"]]
        combined = masks[0]
        for mask in masks[1:]:
            combined = (combined & mask) if kind == "and" else (combined | mask)
        return combined
    if kind != "comparison":
        raise ConfigError(f"expectation suites here use comparison conditions only, not {kind!r}")
    column, value = frame[condition["column"]["name"]], condition["parameter"]
    return COMPARE[condition["operator"]](column, value)


COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _findings(
    suite: str, meta: dict[str, Any], failing: pd.DataFrame, in_scope: pd.DataFrame
) -> list[Finding]:
    findings = []
    keys = ["subject", "column_name"] if "column_name" in failing else ["subject"]
    for key, rows in failing.groupby(keys, sort=True):
        subject = key[0] if isinstance(key, tuple) else key
        column = key[1] if isinstance(key, tuple) and len(key) > 1 else ""
        days = tuple(sorted(rows["day"])) if "day" in rows else ()
        covered = in_scope[in_scope["subject"] == subject]
        if column:
            covered = covered[covered["column_name"] == column]
        details = [meta.get("detail", "").format(**_fields(row)) for row in rows.to_dict("records")]
        message = meta["message"].format_map(
            {
                **_fields(rows.iloc[0].to_dict()),  # per-subject constants such as a range's ``rule``
                "subject": subject,
                "column": column,
                "days": describe_days(list(days)),
                "count": len(rows),
                "of": len(covered),
                "detail": meta.get("separator", ", ").join(details),
            }
        )
        findings.append(Finding(suite, str(subject), meta.get("severity", "critical"), message, days))
    return findings


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
