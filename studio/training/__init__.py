"""Training: RunSpec ↔ YAML, the background runner, the metrics callback and the run folder store."""
