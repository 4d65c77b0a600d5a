"""``python -m harness.reference.jobs``."""

import sys

from harness.reference.jobs.cli import main

sys.exit(main())
