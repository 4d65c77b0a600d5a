"""Step 0 of the gameplan: every source chain has data for every scheduled game of the window."""

from __future__ import annotations

import warnings

import pytest

from harness.chains import ChainResult


class SourceChainWarning(UserWarning):
    """A warning-severity chain has gaps: the run passes, the report shows it."""


def test_source_chain(chain_name: str, source_chains: dict[str, ChainResult], record_property) -> None:
    result = source_chains[chain_name]
    record_property("fallback_dates", [f"{d.day}: {d.label}" for d in result.fallback])
    record_property("missing_dates", [f"{d.day}: {d.label}" for d in result.missing])
    if not result.missing:
        return
    if result.chain.severity == "critical":
        pytest.fail(result.describe_missing(), pytrace=False)
    if result.chain.severity == "warning":
        warnings.warn(SourceChainWarning(result.describe_missing()), stacklevel=1)
