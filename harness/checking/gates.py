"""The gameplan's STOP rules as pure functions: given what the checks found, is the way open?

A closed gate carries its reason, one line that names the step, the table or chain, and the dates. The
plugin turns a closed gate into a skip whose reason starts with ``blocked`` (``Gate.skip_reason``), and
any such skip fails the run.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from harness.checking.chains import ChainResult
from harness.checking.coverage import DateToRows
from harness.checking.expected import DayState, describe_days, missing_days
from harness.declaration.model import Phase, ScriptsPreflight, Table

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


def completeness_gaps(
    tables: Sequence[Table], counts: Mapping[str, DateToRows], states: Mapping[str, Mapping[date, DayState]]
) -> list[str]:
    """``X has no rows on D1, D2`` for each table without rows on some expected date (``X, Y have...``
    for tables with the same gap, so that an empty phase is one short line)."""
    return _grouped(
        (table.name, f"no rows on {describe_days(missing, 3)}")
        for table in tables
        if (missing := missing_days(states[table.name], counts[table.name]))
    )


def _grouped(findings: Iterable[tuple[str, str]]) -> list[str]:
    """``(table, what it has)`` pairs as lines, tables with the same finding named together."""
    tables: dict[str, list[str]] = {}
    for table, finding in findings:
        tables.setdefault(finding, []).append(table)
    return [
        f"{', '.join(names)} {'has' if len(names) == 1 else 'have'} {finding}"
        for finding, names in tables.items()
    ]


def preflight_shortfalls(
    rule: ScriptsPreflight,
    tables: Sequence[Table],
    counts: Mapping[str, DateToRows],
    game_dates: Sequence[date],
    bootstrap: Collection[date],
) -> list[str]:
    """Each table the scripts' own pre-flight would find short: rows on fewer than ``min_share`` of the
    game dates (past the bootstrap period). A window of bootstrap dates only passes, as it does there."""
    days = [d for d in game_dates if not (rule.after_bootstrap and d in bootstrap)]
    if not days:
        return []
    which = "non-bootstrap " if rule.after_bootstrap else ""
    covered = {table.name: sum(1 for d in days if counts[table.name].get(d)) for table in tables}
    return _grouped(
        (
            name,
            f"rows on {n} of {len(days)} {which}game dates ({100 * n / len(days):.1f} %, {len(days) - n} short)",
        )
        for name, n in covered.items()
        if n < rule.min_share * len(days)
    )


def phase_gate(
    phase: Phase,
    before: Phase,
    gaps: Sequence[str],
    shortfalls: Sequence[str],
) -> Gate:
    """The gameplan's second STOP rule for ``phase``: every table of the earlier phase ``before`` has rows
    on all its expected dates (``gaps``: completeness_gaps); and the phase's scripts' own pre-flight, when
    it has one, would not refuse (``shortfalls``: preflight_shortfalls)."""
    rule = phase.scripts_preflight
    refusal = ""
    if shortfalls and rule is not None:
        refusal = (
            f"{rule.name}, the {phase.name} scripts' own pre-flight, needs {rule.min_share:.0%}: "
            f"{'; '.join(shortfalls)}, so they would exit 1 before processing anything"
        )
    if gaps:
        step = before.coverage_step.split(":")[0]
        also = f"; {refusal} anyway" if refusal else ""
        return closed(f"by {step}: {before.name} incomplete: {'; '.join(gaps)}{also}")
    if refusal:
        return closed(f"by {refusal}")
    return OPEN
