"""A reference job that waits first, as the real processors wait on BigQuery, so that tests can see
which processors run at the same time: ``slow_job.py SECONDS NAMES JOB-ARGS...`` waits only when the
job's processor is among the comma-separated NAMES."""

from __future__ import annotations

import sys
import time

from harness.reference import jobs

if __name__ == "__main__":
    seconds, names, job_args = float(sys.argv[1]), sys.argv[2].split(","), sys.argv[3:]
    if job_args[0] in names:
        time.sleep(seconds)
    sys.exit(jobs.main(job_args))
