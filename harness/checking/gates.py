"""The gameplan's STOP rules as pure functions: given what the checks found, is the way open?

A closed gate carries its reason, one line that names the step, the table or chain, and the dates. The
plugin turns a closed gate into a skip whose reason starts with ``blocked`` (``Gate.skip_reason``), and
any such skip fails the run.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from harness.checking.chains import ChainResult
from harness.checking.coverage import DateToRows
from harness.checking.expected import DayState, describe_days, missing_days
from harness.declaration.model import Phase, Table

BLOCKED = "blocked"
"""How every gated skip reason starts; the sign-off counts tests by it."""


class GateState(enum.Enum):
    """Whether a gate lets the next step through."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Gate:
    """A gate's decision; a closed gate says why."""

    state: GateState
    reason: str = ""

    @property
    def closed(self) -> bool:
        """Whether the gate blocks what waits behind it."""
        return self.state is GateState.CLOSED

    @property
    def skip_reason(self) -> str:
        """``blocked by ...``: the reason of every test the gate blocks."""
        return f"{BLOCKED} {self.reason}"


OPEN = Gate(GateState.OPEN)


def closed(reason: str) -> Gate:
    """A closed gate with its reason (``by Step 0: ...``)."""
    return Gate(GateState.CLOSED, reason)


def is_blocked(skip_reason: str) -> bool:
    """Whether a skip reason comes from a closed gate."""
    return skip_reason.startswith(BLOCKED)


def source_gate(chains: Mapping[str, ChainResult]) -> Gate:
    """The gameplan's first STOP rule: a critical chain missing on any date blocks every backfill."""
    broken = [r for r in chains.values() if r.chain.severity == "critical" and r.missing]
    if not broken:
        return OPEN
    dates = sorted({d.day.isoformat() for r in broken for d in r.missing})
    names = ", ".join(r.chain.name for r in broken)
    return closed(f"by Step 0: critical chain {names} missing on {', '.join(dates)}")


def upstream_gate(failed_upstream: Sequence[tuple[str, str]]) -> Gate:
    """A processor whose input processor failed must not run: ``(name, summary)`` of the first failed."""
    if not failed_upstream:
        return OPEN
    name, summary = failed_upstream[0]
    return closed(f"by upstream processor {name}: {summary}")


def phase_gate(
    before: Phase,
    tables: Sequence[Table],
    counts: Mapping[str, DateToRows],
    states: Mapping[str, Mapping[date, DayState]],
) -> Gate:
    """The gameplan's second STOP rule: every core table of the earlier phase ``before`` (``tables``)
    has rows on all its expected dates before the next phase starts."""
    gaps = []
    for table in tables:
        if missing := missing_days(states[table.name], counts[table.name]):
            gaps.append(f"{table.name} has no rows on {describe_days(missing, 3)}")
    if not gaps:
        return OPEN
    step = before.coverage_step.split(":")[0]
    return closed(f"by {step}: core {before.name} incomplete: {'; '.join(gaps)}")
