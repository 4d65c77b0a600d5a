"""Step 0 of the gameplan: every source chain has data for every scheduled game of the window.

A critical gap fails here and blocks every backfill (the ``source_gate`` fixture); a warning chain
warns; an info chain is only recorded for the report."""

from __future__ import annotations

import pytest

from harness.checking.chains import ChainResult
from harness.checking.gx import Finding
from harness.plugin.verdicts import RecordProperty, assert_findings


@pytest.mark.harness_step("source_chains")
def test_source_chain(
    chain_name: str,
    source_chains: dict[str, ChainResult],
    source_findings: list[Finding],
    record_property: RecordProperty,
) -> None:
    result = source_chains[chain_name]
    record_property("fallback_dates", [f"{d.day}: {d.label}" for d in result.fallback])
    assert_findings(
        [f for f in source_findings if f.subject == chain_name], ["source_chains"], record_property
    )
