"""Run-once across processes: two processes asking at the same moment get one run and the same record;
a runner that died mid-way leaves a crash record, and the work is never started a second time."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

from harness.running.once import once_record, run_once


def _ask(directory: str, counter: str, barrier) -> None:
    def work() -> dict:
        with open(counter, "a") as runs:
            runs.write(f"{os.getpid()}\n")
        time.sleep(0.5)  # long enough that the other process is waiting on the lock
        return {"ran_in": os.getpid()}

    barrier.wait()
    record = run_once(Path(directory), "player_game_summary", work, lambda who: {"crashed": who})
    Path(directory, f"seen-{os.getpid()}").write_text(json.dumps(record))


def test_two_processes_at_once_run_the_work_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    counter = tmp_path / "runs.txt"
    procs = [context.Process(target=_ask, args=(str(tmp_path), str(counter), barrier)) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert len(counter.read_text().splitlines()) == 1
    seen = [json.loads(p.read_text()) for p in tmp_path.glob("seen-*")]
    assert len(seen) == 2 and seen[0] == seen[1] == once_record(tmp_path, "player_game_summary")


def test_a_runner_that_died_leaves_a_crash_record(tmp_path: Path) -> None:
    (tmp_path / "ml_feature_store_v2.started").write_text("pid 4242 (gw1)\n")
    calls = []
    record = run_once(
        tmp_path, "ml_feature_store_v2", lambda: calls.append(1) or {}, lambda who: {"crashed": who}
    )
    assert record == {"crashed": "pid 4242 (gw1)"} and calls == []
    assert once_record(tmp_path, "ml_feature_store_v2") == record
