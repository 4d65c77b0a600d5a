"""A reference job with one fault injected, for the fault-injection tests:
``faulty_job.py FAULT NAME JOB-ARGS...`` runs ``python -m harness.reference.jobs JOB-ARGS`` and injects
FAULT when the job's processor is NAME:

- ``record-failed:DATE``  the job runs, then a later run of DATE is recorded as ``failed``;
- ``leave-running:DATE``  the job runs, then a later run of DATE leaves only its ``running`` row;
- ``hang``                a child process and the job both sleep forever;
- ``die-after:N``         the job processes the first N dates of its range, then SIGKILLs itself;
- ``kill-worker``         SIGKILL the process that started the job (the pytest worker), then exit;
- ``write-outside:DATE``  the job runs its range, then DATE too, which lies outside the harness's window.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

from harness.reference import jobs
from harness.warehouse.duckdb import DuckDBWarehouse

HANG_MARKER = "301.5"


def _record(run_name: str, day: str, statuses: list[str]) -> None:
    with DuckDBWarehouse(os.environ["HARNESS_WAREHOUSE"]).connect() as conn:
        for status in statuses:
            conn.execute(
                "INSERT INTO nba_reference.processor_run_history (processor_name, run_id, status, data_date, started_at, "
                "processed_at, errors) VALUES (@p, @run, @status, @day, CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP(), "
                'JSON \'[{"error_type": "InjectedFault", "error_message": "a date failed after writing"}]\')',
                {"p": run_name, "run": f"{run_name}_fault", "status": status, "day": date.fromisoformat(day)},
            )


def main(fault: str, name: str, job_args: list[str]) -> int:
    if job_args[0] != name:
        return jobs.main(job_args)
    kind, _, value = fault.partition(":")
    run_name = "".join(part.capitalize() for part in name.split("_")) + "Processor"
    if kind == "hang":
        subprocess.Popen(["sleep", HANG_MARKER])
        time.sleep(3600)
    if kind == "kill-worker":
        os.kill(os.getppid(), signal.SIGKILL)
        return 1
    if kind == "die-after":
        start = date.fromisoformat(job_args[job_args.index("--start-date") + 1])
        last = start + timedelta(days=int(value) - 1)
        jobs.main([name, "--start-date", start.isoformat(), "--end-date", last.isoformat()])
        os.kill(os.getpid(), signal.SIGKILL)
    code = jobs.main(job_args)
    if kind == "write-outside":
        code = jobs.main([name, "--start-date", value, "--end-date", value]) or code
    if kind == "record-failed":
        _record(run_name, value, ["running", "failed"])
    if kind == "leave-running":
        _record(run_name, value, ["running"])
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
