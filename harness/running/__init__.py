"""Running processors: commands, the runner, run-once across workers, the run lock, progress, the plan
and the backfill of one processor."""
