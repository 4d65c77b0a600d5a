"""Shared measuring tools for the benchmarks: run a command, sample its whole process tree's memory,
and summarise repeated runs as median, min and max."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = os.environ.get("BENCH_PYTHON", str(REPO / ".venv" / "bin" / "python"))


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    cpu_seconds: float  # user + sys of the whole process tree: steadier than wall on a shared machine


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> Sample:
    """Run ``command`` to the end; wall time, CPU time and the peak of its process tree's summed RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(seconds, peak / 1024, code, cpu)


def describe(samples: list[Sample]) -> str:
    """``median s (min-max), CPU median, peak MB, load`` over the samples, or the failure. The load
    average is the machine's at the end: wall figures taken under load say so."""
    bad = [s.exit_code for s in samples if s.exit_code != 0]
    times = [s.seconds for s in samples]
    text = (
        f"{statistics.median(times):.1f} s (min {min(times):.1f}, max {max(times):.1f}, n={len(times)}), "
        f"cpu {statistics.median(s.cpu_seconds for s in samples):.1f} s, "
        f"peak {max(s.peak_rss_mb for s in samples):.0f} MB, loadavg {os.getloadavg()[0]:.1f}"
    )
    return text + (f", EXIT CODES {bad}" if bad else "")


def seeded_template(directory: Path) -> Path:
    """A warehouse holding the seeded 2021-22 demo season and no processor output, for runs to copy."""
    import sys

    sys.path.insert(0, str(REPO))
    from harness.declaration.loading import load_pipeline
    from harness.reference.seed import ensure_seeded
    from harness.warehouse.duckdb import DuckDBWarehouse

    pipeline = load_pipeline(REPO / "pipeline.toml")
    template = directory / "template.duckdb"
    ensure_seeded(DuckDBWarehouse(template), pipeline, [pipeline.seasons[0]])
    return template
