"""The repository's declarations, edited for a test: one text replaced, written to the test's directory."""

from __future__ import annotations

from pathlib import Path

REPO_PIPELINE = Path(__file__).resolve().parents[1] / "pipeline.toml"


def edited(tmp_path: Path, old: str, new: str, source: Path = REPO_PIPELINE) -> Path:
    """``source`` with the first ``old`` replaced by ``new``, as ``tmp_path/pipeline.toml``; ``old`` must
    be there, so that a test never checks a declaration it did not change."""
    text = source.read_text()
    assert old in text, old
    path = tmp_path / "pipeline.toml"
    path.write_text(text.replace(old, new, 1))
    return path
