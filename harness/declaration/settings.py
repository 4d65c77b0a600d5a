"""Run settings, resolved once from the command line, the ini file and the environment, in that order.

The plugin hands ``resolve_settings`` what pytest parsed; everything else reads the frozen ``Settings``.
Each value remembers where it came from, and the report shows it. Nothing here imports pytest: the
options themselves are declared from ``SPECS`` by ``harness.plugin.options``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

COMMAND_LINE, INI, ENV, DEFAULT = "command line", "ini", "env", "default"


@dataclass(frozen=True)
class Spec:
    """How one setting is given: its ini key, its environment variable, its default and its help."""

    ini: str
    env: str
    default: str | None
    help: str
    flag_only: bool = False
    """A switch: ``--flag`` takes no value (ini and environment take true or false)."""

    @property
    def flag(self) -> str:
        """The command-line option, ``--max-window-days`` for ini ``harness_max_window_days``."""
        return "--" + self.ini.removeprefix("harness_").replace("_", "-")


def _spec(name: str, default: str | None, help: str, flag_only: bool = False) -> Spec:
    return Spec(f"harness_{name}", f"HARNESS_{name.upper()}", default, help, flag_only)


SPECS: dict[str, Spec] = {
    "window": _spec(
        "window", None, "backfill window START:END (inclusive ISO dates) or DATE; enables the gameplan suite"
    ),
    "backend": _spec(
        "backend",
        "duckdb",
        "warehouse backend: duckdb (default, the embedded warehouse) or bigquery (--project)",
    ),
    "warehouse": _spec(
        "warehouse",
        ".harness/warehouse.duckdb",
        "embedded warehouse file (default: .harness/warehouse.duckdb)",
    ),
    "pipeline": _spec("pipeline", "pipeline.toml", "pipeline declaration (default: pipeline.toml)"),
    "report_dir": _spec(
        "report_dir",
        ".harness/reports",
        "where reports go when --html is not given (default: .harness/reports)",
    ),
    "mode": _spec("mode", None, "run (default), missing, verify, only or plan"),
    "only": _spec(
        "only", None, "comma-separated processors to re-run (implies --mode only); the rest is verified"
    ),
    "timeout": _spec(
        "timeout", None, "seconds before any processor is stopped, overriding the declared timeout_seconds"
    ),
    "max_window_days": _spec(
        "max_window_days", "200", "longest window accepted without asking (default 200: one regular season)"
    ),
    "require_exercised": _spec(
        "require_exercised",
        "false",
        "block a processor whose table the window expects no row of on any date it judges (default: warn)",
        flag_only=True,
    ),
    "expect_no_changes": _spec(
        "expect_no_changes",
        "false",
        "fail a processor whose run changed any row in the window (the re-run that proves idempotency)",
        flag_only=True,
    ),
    "keep_snapshots": _spec(
        "keep_snapshots",
        "false",
        "keep each table's before-snapshot (<table>__harness_snapshot_<run id>) instead of dropping it",
        flag_only=True,
    ),
    "project": _spec(
        "project", None, "BigQuery project (--backend bigquery); its datasets hold the pipeline's tables"
    ),
    "location": _spec("location", None, "BigQuery job location, e.g. US or us-west2 (default: the client's)"),
    "dataset_prefix": _spec(
        "dataset_prefix", None, "BigQuery: prefix for every declared dataset, e.g. test_ reads test_nba_raw"
    ),
    "maximum_bytes_billed": _spec(
        "maximum_bytes_billed",
        None,
        "BigQuery: byte cap for every job (harness and reference jobs); none by default",
    ),
    "max_season_bytes": _spec(
        "max_season_bytes",
        None,
        "BigQuery: NOT READY when the full season is forecast to bill more bytes than this (measured from "
        "INFORMATION_SCHEMA.JOBS); none by default",
    ),
    "bigquery_endpoint": _spec(
        "bigquery_endpoint",
        None,
        "BigQuery API URL of an emulator (anonymous credentials); default: Google's",
    ),
    "pipeline_repo": _spec(
        "pipeline_repo",
        None,
        "checkout of the real pipeline, for {pipeline_repo} in pipeline.production.toml",
    ),
}
"""Every setting, in the order the report lists them."""


@dataclass(frozen=True)
class Setting:
    """One resolved value and where it came from (``command line``, ``ini``, ``env`` or ``default``)."""

    value: str | None
    source: str

    @property
    def is_default(self) -> bool:
        """Whether no command line, ini key or environment variable gave the value."""
        return self.source == DEFAULT

    def __str__(self) -> str:
        return f"{self.value} ({self.source})"


@dataclass(frozen=True)
class Settings:
    """Every setting of a run, resolved; ``rootdir`` anchors the relative paths among them."""

    window: Setting
    backend: Setting
    warehouse: Setting
    pipeline: Setting
    report_dir: Setting
    mode: Setting
    only: Setting
    timeout: Setting
    max_window_days: Setting
    require_exercised: Setting
    expect_no_changes: Setting
    keep_snapshots: Setting
    project: Setting
    location: Setting
    dataset_prefix: Setting
    maximum_bytes_billed: Setting
    max_season_bytes: Setting
    bigquery_endpoint: Setting
    pipeline_repo: Setting
    rootdir: Path

    def path(self, name: str) -> Path:
        """A path setting, relative to the rootdir unless absolute."""
        value = getattr(self, name).value
        return (self.rootdir / Path(value).expanduser()).resolve()

    def items(self) -> list[tuple[str, Setting]]:
        """``(name, setting)`` for every setting, in ``SPECS`` order."""
        return [(name, getattr(self, name)) for name in SPECS]


def resolve_settings(
    cli: Mapping[str, object | None], ini: Mapping[str, str], environ: Mapping[str, str], rootdir: Path
) -> Settings:
    """Each setting from the command line (``cli`` by setting name), else the ini file (by ini key),
    else the environment, else its default."""

    def resolve(name: str, spec: Spec) -> Setting:
        given = cli.get(name)
        if given is not None:
            return Setting(str(given), COMMAND_LINE)
        if ini.get(spec.ini):
            return Setting(ini[spec.ini], INI)
        if environ.get(spec.env):
            return Setting(environ[spec.env], ENV)
        return Setting(spec.default, DEFAULT)

    return Settings(**{name: resolve(name, spec) for name, spec in SPECS.items()}, rootdir=rootdir)
