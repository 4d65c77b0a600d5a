"""Run settings, resolved once from command line, ini file and environment, in that order.

``resolve_settings`` is called from the plugin's ``pytest_configure``; everything else reads the frozen
``Settings`` from ``config.stash``. Each value remembers where it came from, and the report shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# (option dest, ini key, environment variable, default)
SOURCES: dict[str, tuple[str, str, str | None]] = {
    "window": ("harness_window", "HARNESS_WINDOW", None),
    "backend": ("harness_backend", "HARNESS_BACKEND", "duckdb"),
    "warehouse": ("harness_warehouse", "HARNESS_WAREHOUSE", ".harness/warehouse.duckdb"),
    "pipeline": ("harness_pipeline", "HARNESS_PIPELINE", "pipeline.toml"),
    "report_dir": ("harness_report_dir", "HARNESS_REPORT_DIR", ".harness/reports"),
    "mode": ("harness_mode", "HARNESS_MODE", None),
    "only": ("harness_only", "HARNESS_ONLY", None),
    "timeout": ("harness_timeout", "HARNESS_TIMEOUT", None),
    "max_window_days": ("harness_max_window_days", "HARNESS_MAX_WINDOW_DAYS", "200"),
    "project": ("harness_project", "HARNESS_PROJECT", None),
    "location": ("harness_location", "HARNESS_LOCATION", None),
    "dataset_prefix": ("harness_dataset_prefix", "HARNESS_DATASET_PREFIX", None),
    "maximum_bytes_billed": ("harness_maximum_bytes_billed", "HARNESS_MAXIMUM_BYTES_BILLED", None),
    "bigquery_endpoint": ("harness_bigquery_endpoint", "HARNESS_BIGQUERY_ENDPOINT", None),
    "pipeline_repo": ("harness_pipeline_repo", "HARNESS_PIPELINE_REPO", None),
}


@dataclass(frozen=True)
class Setting:
    value: str | None
    source: str  # "command line", "ini", "env" or "default"


@dataclass(frozen=True)
class Settings:
    window: Setting
    backend: Setting
    warehouse: Setting
    pipeline: Setting
    report_dir: Setting
    mode: Setting
    only: Setting
    timeout: Setting
    max_window_days: Setting
    project: Setting
    location: Setting
    dataset_prefix: Setting
    maximum_bytes_billed: Setting
    bigquery_endpoint: Setting
    pipeline_repo: Setting
    rootdir: Path

    def path(self, name: str) -> Path:
        """A path setting, relative to the rootdir unless absolute."""
        value = getattr(self, name).value
        return (self.rootdir / Path(value).expanduser()).resolve()

    def shown(self) -> dict[str, str]:
        """``name: value (source)`` for the report header."""
        return {name: f"{getattr(self, name).value} ({getattr(self, name).source})" for name in SOURCES}


def _resolve(config: pytest.Config, name: str) -> Setting:
    ini_key, env_key, default = SOURCES[name]
    cli: Any = config.getoption(f"harness_{name}", default=None)
    if cli is not None:
        return Setting(str(cli), "command line")
    ini = config.getini(ini_key)
    if ini:
        return Setting(str(ini), "ini")
    if os.environ.get(env_key):
        return Setting(os.environ[env_key], "env")
    return Setting(default, "default")


def resolve_settings(config: pytest.Config) -> Settings:
    return Settings(**{name: _resolve(config, name) for name in SOURCES}, rootdir=Path(config.rootpath))


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "backfill harness")
    helps = {
        "window": "backfill window START:END (inclusive ISO dates) or DATE; enables the gameplan suite",
        "backend": "warehouse backend: duckdb (default, the embedded warehouse) or bigquery (--project)",
        "warehouse": "embedded warehouse file (default: .harness/warehouse.duckdb)",
        "pipeline": "pipeline declaration (default: pipeline.toml)",
        "report_dir": "where reports go when --html is not given (default: .harness/reports)",
        "mode": "run (default), missing, verify, only or plan",
        "only": "comma-separated processors to re-run (implies --mode only); the rest is verified",
        "timeout": "seconds before any processor is stopped, overriding the declared timeout_seconds",
        "max_window_days": "longest window accepted without asking (default 200: one regular season)",
        "project": "BigQuery project (--backend bigquery); its datasets hold the pipeline's tables",
        "location": "BigQuery job location, e.g. US or us-west2 (default: the client's)",
        "dataset_prefix": "BigQuery: prefix for every declared dataset, e.g. test_ reads test_nba_raw",
        "maximum_bytes_billed": "BigQuery: byte cap for every job (harness and reference jobs); none by default",
        "bigquery_endpoint": "BigQuery API URL of an emulator (anonymous credentials); default: Google's",
        "pipeline_repo": "checkout of the real pipeline, for {pipeline_repo} in pipeline.production.toml",
    }
    for name, (ini_key, env_key, _default) in SOURCES.items():
        flag = "--" + name.replace("_", "-")
        group.addoption(
            flag,
            dest=f"harness_{name}",
            metavar=name.upper(),
            help=f"{helps[name]}; ini {ini_key}, env {env_key}",
        )
        parser.addini(ini_key, help=helps[name], default="")
