"""Where the studio's own files are: the project root (presets, sample data) and the runs folder."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def default_runs_dir() -> Path:
    """STUDIO_RUNS_DIR, else runs/ in the project (the app sets STUDIO_RUNS_DIR from --runs-dir, so the runs
    it starts see the same folder)."""
    return Path(os.environ.get("STUDIO_RUNS_DIR") or PROJECT_ROOT / "runs")
