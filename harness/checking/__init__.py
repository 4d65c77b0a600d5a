"""Checking the warehouse: the schedule, expected dates, source chains, preflight, coverage, grains and
ranges, run history, the frames Great Expectations validates, and the bridge to it."""
