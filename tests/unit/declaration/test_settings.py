"""The change settings resolve like every other: command line, then ini, then environment, then default;
and a value that is neither true nor false is a one-line usage error naming the option."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from harness.context.run import build_context
from harness.declaration.settings import COMMAND_LINE, DEFAULT, ENV, INI, resolve_settings
from harness.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", ["expect_no_changes", "keep_snapshots"])
def test_change_switches_come_from_the_command_line_ini_or_environment(name: str, tmp_path: Path) -> None:
    env = {f"HARNESS_{name.upper()}": "false"}
    ini = {f"harness_{name}": "true"}

    def setting(cli: dict[str, str], ini: dict[str, str], environ: dict[str, str]) -> tuple[str | None, str]:
        found = getattr(resolve_settings(cli, ini, environ, tmp_path), name)
        return found.value, found.source

    assert setting({}, {}, {}) == ("false", DEFAULT)
    assert setting({}, {}, env) == ("false", ENV)
    assert setting({}, ini, env) == ("true", INI)
    assert setting({name: "true"}, {}, env) == ("true", COMMAND_LINE)


def test_the_run_context_reads_the_switches_and_refuses_a_bad_value(tmp_path: Path) -> None:
    cli = {"window": "2021-10-19:2021-10-22", "pipeline": str(REPO / "pipeline.toml")}
    environ = {"HARNESS_EXPECT_NO_CHANGES": "yes", "HARNESS_KEEP_SNAPSHOTS": "true"}
    run = build_context(resolve_settings(cli, {}, environ, tmp_path), "run-1", today=date(2026, 1, 1))
    assert run.expect_no_changes and run.keep_snapshots
    bad = resolve_settings({**cli, "expect_no_changes": "maybe"}, {}, {}, tmp_path)
    with pytest.raises(ConfigError, match=r"^--expect-no-changes 'maybe' is neither true nor false$"):
        build_context(bad, "run-1", today=date(2026, 1, 1))
