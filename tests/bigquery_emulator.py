"""A BigQuery-API emulator for the tests: ``bqemulator`` on 127.0.0.1, in its own virtual environment.

bqemulator pins ``sqlglot<30.12`` while the harness pins a newer sqlglot, so it cannot share the test
interpreter: it runs as a subprocess of the interpreter named by ``HARNESS_BQEMULATOR_PYTHON``
(default ``<repo>/.venv-bqemulator/bin/python``, which ``.ci/bqemulator-env`` builds), through
``tests/bqemulator_launch.py``, which starts it offline and prints the URL it bound. Tests talk to it
with the official client, exactly as the harness talks to BigQuery.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from google.cloud import bigquery

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = Path(__file__).with_name("bqemulator_launch.py")
PROJECT = "harness-test"
START_TIMEOUT = 60.0


class EmulatorUnavailable(RuntimeError):
    """The emulator's virtual environment is not there: build it with ``.ci/bqemulator-env``."""


def emulator_python() -> Path:
    return Path(os.environ.get("HARNESS_BQEMULATOR_PYTHON", REPO / ".venv-bqemulator" / "bin" / "python"))


def _stopper(process: subprocess.Popen[str]) -> Callable[[], None]:
    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)

    return stop


def _read_ready(process: subprocess.Popen[str], log: Path) -> str:
    """The URL from the launcher's ``READY <url>`` line; its log file explains any failure."""
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline() if readable else ""
    if not line.startswith("READY "):
        tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log.exists() else []
        raise RuntimeError(
            f"bqemulator did not start within {START_TIMEOUT:.0f} s (exit code {process.poll()}); "
            f"log {log}: {' | '.join(tail)}"
        )
    return line.split()[1]


def start_emulator(project: str = PROJECT) -> tuple[str, Callable[[], None]]:
    """Start the emulator on a free loopback port; returns ``(endpoint_url, stop)``.

    Raises ``EmulatorUnavailable`` when its interpreter is missing, so a caller can skip with a reason.
    """
    python = emulator_python()
    if not python.exists():
        raise EmulatorUnavailable(f"no bqemulator interpreter at {python}; run .ci/bqemulator-env")
    log = Path(tempfile.mkdtemp(prefix="bqemulator-")) / "emulator.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(python), str(LAUNCHER), "--project", project],
            stdout=subprocess.PIPE,
            stderr=sink,
            stdin=subprocess.PIPE,  # held open: the emulator stops when it closes (see the launcher)
            text=True,
        )
    stop = _stopper(process)
    try:
        url = _read_ready(process, log)
    except BaseException:
        stop()
        raise
    assert process.stdout is not None
    process.stdout.close()
    return url, stop


def emulator_client(endpoint_url: str, project: str = PROJECT) -> bigquery.Client:
    """The official client pointed at the emulator, with anonymous credentials."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint_url),
    )


class RecordingSession(requests.Session):
    """An HTTP session for the official client that keeps the configuration of every job it inserts, so
    tests can check what BigQuery would receive (parameters, labels, byte caps)."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[dict[str, Any]] = []
        self.locations: list[str | None] = []
        """The ``jobReference.location`` of each job, in the order of ``jobs``."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        data = kwargs.get("data")
        if method == "POST" and data:
            body = json.loads(data)
            if "configuration" in body:
                self.jobs.append(body["configuration"])
                self.locations.append(body.get("jobReference", {}).get("location"))
        return super().request(method, url, *args, **kwargs)

    def queries(self) -> list[dict[str, Any]]:
        """The ``query`` configuration of every query job."""
        return [job["query"] for job in self.jobs if "query" in job]
