"""The harness's command-line options and ini keys, declared from the settings table, and the settings
of a run read back from what pytest parsed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.declaration.settings import SPECS, Settings, resolve_settings


def add_options(parser: pytest.Parser) -> None:
    """One option group, ``harness``: each setting as ``--flag`` and ini key, with its environment
    variable named in the help."""
    group = parser.getgroup("harness", "backfill harness")
    for name, spec in SPECS.items():
        value: dict[str, str] = (
            {"action": "store_const", "const": "true"} if spec.flag_only else {"metavar": name.upper()}
        )
        group.addoption(
            spec.flag, dest=f"harness_{name}", help=f"{spec.help}; ini {spec.ini}, env {spec.env}", **value
        )
        parser.addini(spec.ini, help=spec.help, default="")


def read_settings(config: pytest.Config) -> Settings:
    """The run's settings: command line, then ini, then environment, then defaults."""
    return resolve_settings(
        cli={name: config.getoption(f"harness_{name}", default=None) for name in SPECS},
        ini={spec.ini: str(config.getini(spec.ini) or "") for spec in SPECS.values()},
        environ=os.environ,
        rootdir=Path(config.rootpath),
    )
