"""Validation-first backfill harness for a phased NBA stats pipeline.

Run the gameplan for a window with ``pytest --window 2021-10-19:2021-11-15``.
"""

__version__ = "0.1.0"
