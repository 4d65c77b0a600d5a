"""`harness query ... | head`: the reader closes the pipe early, and the command ends quietly."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import duckdb


def test_a_closed_pipe_ends_the_query_quietly(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    query = "SELECT n, REPEAT('x', 60) AS padding FROM UNNEST(GENERATE_ARRAY(1, 200000)) AS n"
    harness = [sys.executable, "-m", "harness.cli", "--warehouse", str(warehouse), "query", query]
    command = shlex.join([*harness, "--max-rows", "200000"]) + " | head -n 2"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stderr == ""
    assert done.returncode == 0
    assert done.stdout.split("\n")[0].split() == ["n", "padding"]
    assert len(done.stdout.splitlines()) == 2
