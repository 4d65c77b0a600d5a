"""The pytest face of the harness: options, hooks, xdist wiring, fixtures and the run recorder.

pytest loads ``harness.plugin.hooks`` (the ``pytest11`` entry point); nothing outside this package
imports it.
"""
