"""A reference job that first waits SECONDS, as the real processors spend their time waiting on
BigQuery: ``waiting_job.py SECONDS JOB-ARGS...``."""

from __future__ import annotations

import sys
import time

from harness.reference import jobs

if __name__ == "__main__":
    time.sleep(float(sys.argv[1]))
    sys.exit(jobs.main(sys.argv[2:]))
