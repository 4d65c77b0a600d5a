"""Start the ``bqemulator`` BigQuery-API emulator offline; run with the emulator's own interpreter.

The emulator's engine runs ``INSTALL spatial`` at start-up, which downloads a DuckDB extension and so
fails without the internet, and it refuses to start without it. The harness never uses GEOGRAPHY, so
this launcher replaces that loader with a no-op before starting the server, and turns off the
best-effort ``avro`` download too (it would only wait on the network). The server binds port 0 and
this script prints ``READY <url>`` as the only line on stdout once it accepts requests, so the caller
learns the real port without racing another process for a "free" one. SIGTERM or SIGINT stops it, and
so does the end of its stdin: the caller holds that pipe open, so an emulator never outlives a test
process that crashed or was killed.

This file imports ``bqemulator`` (which pins ``sqlglot<30.12``), so it must never be imported by the
harness's own interpreter: ``tests/bigquery_emulator.py`` runs it as a subprocess.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from typing import TextIO


def _claim_stdout() -> TextIO:
    """The READY channel; from here on anything else written to stdout goes to stderr.

    bqemulator logs to stdout, some lines already while its modules import and below its log level, so
    this runs before importing it: the caller then reads one line and never has to drain a pipe.
    """
    ready = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return ready


def _skip_spatial(self: object) -> None:
    """Stands in for ``DuckDBEngine._load_spatial``: no GEOGRAPHY, no download."""


def _on_stdin_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stop.set)


async def _serve(project: str, ready: TextIO) -> None:
    from bqemulator.config import LogLevel, PersistenceMode, Settings
    from bqemulator.server import EmulatorServer
    from bqemulator.storage.engine import DuckDBEngine

    DuckDBEngine._load_spatial = _skip_spatial  # type: ignore[method-assign]
    settings = Settings(
        rest_host="127.0.0.1",
        rest_port=0,
        grpc_host="127.0.0.1",
        grpc_port=0,
        persistence_mode=PersistenceMode.EPHEMERAL,
        default_project_id=project,
        enable_format_extensions=False,
        log_level=LogLevel.WARNING,
    )
    server = EmulatorServer(settings)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    threading.Thread(target=_on_stdin_eof, args=(loop, stop), daemon=True).start()
    ready.write(f"READY {server.rest_url}\n")
    ready.close()
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start bqemulator on 127.0.0.1 without the internet.")
    parser.add_argument("--project", default="harness-test", help="project id when a request omits one")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.project, _claim_stdout()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
