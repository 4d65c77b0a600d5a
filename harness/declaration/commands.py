"""Processor commands: fill a processor's argv, cwd and env templates for a window.

Templates are plain ``str.format`` fields (``{start}``, ``{end}``, ``{dates}``, ``{python}``, ``{name}``,
``{warehouse}``, ``{project}``, ``{repo}``). Each template part becomes exactly one argv element and no
shell ever sees it, so a value cannot smuggle extra arguments or commands.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from harness.declaration.model import Processor, Seed
from harness.errors import ConfigError

SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """A processor command ready to run."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]

    def shown(self) -> str:
        """The command as a person would type it (for plans, logs and reports), with the values of
        secret-looking environment variables hidden."""
        env = " ".join(f"{k}={'***' if SECRET_NAME.search(k) else v}" for k, v in self.env.items())
        return f"(cd {self.cwd} && {env} {' '.join(self.argv)})"


def template_values(
    processor: Processor, dates: Sequence[date], context: Mapping[str, str]
) -> dict[str, str]:
    """Every template field for one processor over ``dates`` (sorted, non-empty)."""
    return {
        **context,
        "python": sys.executable,
        "name": processor.name,
        "start": min(dates).isoformat(),
        "end": max(dates).isoformat(),
        "dates": ",".join(d.isoformat() for d in sorted(dates)),
    }


def _fill(template: str, values: Mapping[str, str], where: str) -> str:
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join("{" + k + "}" for k in sorted(values))
        raise ConfigError(
            f"[{where}] template {template!r} uses an unknown field {exc}; known: {known}"
        ) from None


def render(
    processor: Processor, dates: Sequence[date], context: Mapping[str, str], *, date_list: bool = False
) -> Command:
    """The processor's command for ``dates``, with every template filled: the range command, or with
    ``date_list`` its ``dates_command`` (for scattered dates, when the processor declares one)."""
    values = template_values(processor, dates, context)
    key, template = (
        ("dates_command", processor.dates_command) if date_list else ("command", processor.command)
    )
    return _command(template, processor.cwd, processor.env, values, f"processors.{processor.name}", key)


def render_seed(seed: Seed, years: Sequence[int], context: Mapping[str, str]) -> Command:
    """The declared seed step's command for the season ``years`` it must fill (``{seasons}``)."""
    values = {**context, "python": sys.executable, "seasons": ",".join(str(y) for y in sorted(years))}
    return _command(seed.command, seed.cwd, seed.env, values, "seed", "command")


def _command(
    template: Sequence[str], cwd: str, env: Mapping[str, str], values: Mapping[str, str], where: str, key: str
) -> Command:
    argv = tuple(_fill(part, values, f"{where}.{key}") for part in template)
    filled = {name: _fill(value, values, f"{where}.env.{name}") for name, value in env.items()}
    return Command(argv=argv, cwd=Path(_fill(cwd, values, f"{where}.cwd")), env=filled)


def unresolved(command: Command) -> str | None:
    """Why the command cannot start (missing program, script or module), or None when it resolves."""
    if not command.cwd.is_dir():
        return f"working directory {command.cwd} does not exist"
    program = command.argv[0]
    path = shutil.which(program, path=os.environ.get("PATH")) or (
        str(command.cwd / program) if (command.cwd / program).is_file() else None
    )
    if path is None:
        return f"program {program!r} not found on PATH or in {command.cwd}"
    if len(command.argv) > 2 and command.argv[1] == "-m":
        # Only our own interpreter can be asked whether it finds the module without starting it.
        if (
            Path(path).resolve() == Path(sys.executable).resolve()
            and importlib.util.find_spec(command.argv[2]) is None
        ):
            return f"module {command.argv[2]!r} not importable by {program}"
    elif (
        len(command.argv) > 1
        and command.argv[1].endswith(".py")
        and not (command.cwd / command.argv[1]).is_file()
    ):
        return f"script {command.argv[1]} not found in {command.cwd}"
    return None
