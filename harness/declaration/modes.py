"""What a run does: run every processor, only the missing dates, nothing (verify), named processors, or
print the plan. Every mode verifies the whole window afterwards, except plan, which touches nothing."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from harness.declaration.model import Pipeline
from harness.errors import ConfigError

MODES = ("run", "missing", "verify", "only", "plan")


@dataclass(frozen=True)
class Mode:
    """What a run does: ``name`` is one of MODES; ``only`` names the processors of only mode."""

    name: str
    only: tuple[str, ...] = ()

    def runs(self, processor: str) -> bool:
        """Whether this mode may run ``processor`` (``missing`` runs it only if dates are missing)."""
        if self.name in ("run", "missing"):
            return True
        return self.name == "only" and processor in self.only

    @property
    def runs_processors(self) -> bool:
        """Whether this mode may run any processor (run, missing, only); verify and plan never do."""
        return self.name in ("run", "missing", "only")

    def not_run_reason(self) -> str:
        """Why a processor this mode does not run is only verified."""
        if self.name == "only":
            return f"only mode: not among {', '.join(self.only)}; its output is verified as it stands"
        return f"{self.name} mode: not run; its output is verified as it stands"

    def __str__(self) -> str:
        return f"only {','.join(self.only)}" if self.name == "only" else self.name


def parse_mode(mode: str | None, only: str | None, pipeline: Pipeline) -> Mode:
    """``--mode`` and ``--only``; ``--only`` alone means only mode.

    Raises:
        ConfigError: an unknown mode, unknown processor names, or only mode without names.
    """
    name = (mode or ("only" if only else "run")).strip().lower()
    if name not in MODES:
        close = get_close_matches(name, MODES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"--mode {mode!r} is not one of {', '.join(MODES)}{hint}")
    names = tuple(n.strip() for n in (only or "").split(",") if n.strip())
    if name == "only" and not names:
        raise ConfigError("--mode only needs the processors to re-run: --only NAME[,NAME...]")
    if names and name != "only":
        raise ConfigError(
            f"--only names processors to re-run, which {name} mode does not do; drop --mode {name}"
        )
    for processor in names:
        if processor not in pipeline.processors:
            close = get_close_matches(processor, pipeline.processors, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(pipeline.processors)}"
            raise ConfigError(f"--only: unknown processor {processor!r}{hint}")
    return Mode(name, names)


def parse_timeout(value: str | None) -> float | None:
    """``--timeout`` as seconds, None when not given.

    Raises:
        ConfigError: not a positive number."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ConfigError(f"--timeout {value!r} is not a positive number of seconds")
    return seconds


def parse_positive_int(option: str, value: str | None) -> int | None:
    """A positive whole-number option, None when not given.

    Raises:
        ConfigError: not a positive whole number; the message names ``option``."""
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) <= 0:
        raise ConfigError(f"{option} {value!r} is not a positive whole number")
    return int(value)


TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def parse_switch(option: str, value: str | None) -> bool:
    """A switch given as true or false (``--require-exercised``, or its ini key or variable).

    Raises:
        ConfigError: neither; the message names ``option``."""
    text = (value or "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ConfigError(f"{option} {value!r} is neither true nor false")
