"""Reporting a run: the sign-off, the full-season estimate, summary.json and the HTML report."""
