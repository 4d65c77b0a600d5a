"""Mode and timeout options: what each mode runs, and one-line errors for bad values."""

from __future__ import annotations

import pytest

from harness.declaration.model import Pipeline
from harness.declaration.modes import parse_mode, parse_timeout
from harness.errors import ConfigError


def test_modes_decide_what_runs(pipeline: Pipeline) -> None:
    assert parse_mode(None, None, pipeline).runs("player_game_summary")
    assert parse_mode("missing", None, pipeline).runs("player_game_summary")
    assert not parse_mode("VERIFY", None, pipeline).runs("player_game_summary")
    only = parse_mode(None, "player_daily_cache, ml_feature_store_v2", pipeline)
    assert str(only) == "only player_daily_cache,ml_feature_store_v2"
    assert only.runs("ml_feature_store_v2") and not only.runs("player_game_summary")
    assert "not among player_daily_cache" in only.not_run_reason()
    assert [parse_mode(m, None, pipeline).runs_processors for m in ("run", "missing", "verify", "plan")] == [
        True, True, False, False,
    ]  # fmt: skip
    assert only.runs_processors


@pytest.mark.parametrize(
    ("mode", "only", "message"),
    [
        ("fast", None, "--mode 'fast' is not one of run, missing, verify, only, plan"),
        ("only", None, "--mode only needs the processors to re-run"),
        ("verify", "player_game_summary", "--only names processors to re-run, which verify mode does not do"),
        (
            None,
            "player_game_summary;DROP",
            "--only: unknown processor 'player_game_summary;DROP'; did you mean",
        ),
    ],
)
def test_bad_modes(pipeline: Pipeline, mode: str | None, only: str | None, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        parse_mode(mode, only, pipeline)
    assert message in str(caught.value)


def test_timeout() -> None:
    assert parse_timeout(None) is None and parse_timeout("90") == 90.0
    for bad in ("0", "-1", "soon", "nan"):
        with pytest.raises(ConfigError, match="not a positive number of seconds"):
            parse_timeout(bad)
