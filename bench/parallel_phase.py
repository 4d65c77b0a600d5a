"""A phase's wall time against its critical path, with processors that spend their time waiting.

    .venv/bin/python bench/parallel_phase.py --phase 3 --wait 8 --runs 5
    .venv/bin/python bench/parallel_phase.py --phase 4 --wait 8 --runs 5

Every processor command first waits WAIT seconds (bench/waiting_job.py), as the real ones wait on
BigQuery, then does its work on the embedded warehouse. The phase runs with ``order = "dependencies"``
(Phase 4 as the real wrapper runs it, contract 11.6; pipeline.toml keeps the gameplan's strict order).
The critical path is the longest chain of dependent processors of the phase (Phase 3: team_offense ->
player_game_summary -> upcoming_player; Phase 4: the zone analyses -> composite factors or daily cache ->
the feature store), using each processor's measured duration; the phase's wall time is from its first
start to its last end. Workers are asked for with ``-n`` (the embedded warehouse runs in one process by
default).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from end_to_end import gameplan
from measure import REPO, run, seeded_template

sys.path.insert(0, str(REPO))
from harness.declaration.loading import load_pipeline

WINDOW = "2021-10-19:2021-10-25"


def waiting_pipeline(directory: Path, wait: float) -> Path:
    """pipeline.toml with waiting commands and every phase in dependency order."""
    text = (REPO / "pipeline.toml").read_text()
    default = '["{python}", "-m", "harness.reference.jobs", "{name}",'
    strict = 'order = "strict"'
    assert default in text and strict in text
    text = text.replace(default, f'["{{python}}", "{REPO}/bench/waiting_job.py", "{wait}", "{{name}}",', 1)
    path = directory / "pipeline.toml"
    path.write_text(text.replace(strict, 'order = "dependencies"'))
    return path


def phase_times(home: Path, pipeline, phase: int) -> tuple[float, float]:
    """(the phase's wall time, its critical path) from the run's processor records."""
    (run_dir,) = (home / "runs").iterdir()
    records = {p.stem: json.loads(p.read_text()) for p in (run_dir / "once").glob("*.json")}
    spans = {
        p.name: (records[p.name]["result"]["started"], records[p.name]["result"]["ended"])
        for p in pipeline.phase(phase)
    }
    wall = max(e for _, e in spans.values()) - min(s for s, _ in spans.values())
    longest: dict[str, float] = {}
    for p in pipeline.phase(phase):  # dependency order
        own = spans[p.name][1] - spans[p.name][0]
        longest[p.name] = own + max((longest[u] for u in p.upstream if u in longest), default=0.0)
    return wall, max(longest.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", type=int, default=3)
    parser.add_argument("--wait", type=float, default=8.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pipeline = load_pipeline(REPO / "pipeline.toml")
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-phase{args.phase}-"))
    template = seeded_template(scratch)
    declaration = waiting_pipeline(scratch, args.wait)
    walls: dict[str, list[float]] = {"-n 4": [], "-n 0": []}
    ratios = []
    for _ in range(args.runs):
        for label in walls:
            home = Path(tempfile.mkdtemp(prefix="bench-run-", dir=scratch))
            shutil.copyfile(template, home / "warehouse.duckdb")
            command = gameplan(
                WINDOW, home / "warehouse.duckdb", home, "-n", label.split()[1], f"--pipeline={declaration}"
            )
            sample = run(command)
            wall, critical = phase_times(home, pipeline, args.phase)
            walls[label].append(wall)
            if label == "-n 4":
                ratios.append(wall / critical)
            print(
                f"{label}: exit {sample.exit_code}, Phase {args.phase} {wall:.1f} s, critical path {critical:.1f} s",
                flush=True,
            )
    for label, values in walls.items():
        print(
            f"Phase {args.phase} wall {label}: median {statistics.median(values):.1f} s (min {min(values):.1f}, max {max(values):.1f})"
        )
    print(
        f"-n 4 wall / critical path: median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})"
    )
    speedup = statistics.median(walls["-n 0"]) / statistics.median(walls["-n 4"])
    print(f"speed-up of -n 4 over -n 0 for Phase {args.phase}: {speedup:.2f}x")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
