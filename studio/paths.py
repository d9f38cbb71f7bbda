"""Where the studio's own files are: the project root (presets, sample data) and the runs folder; and the lock
that lets processes (the app, a CLI run, a second tab's request) take turns on one of them."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def default_runs_dir() -> Path:
    """STUDIO_RUNS_DIR, else runs/ in the project (the app sets STUDIO_RUNS_DIR from --runs-dir, so the runs
    it starts see the same folder)."""
    return Path(os.environ.get("STUDIO_RUNS_DIR") or PROJECT_ROOT / "runs")


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive lock on the file `path` (created if missing), held until the block ends; POSIX only (on
    Windows the block runs unlocked: a thread lock beside it still keeps one process's threads in turn)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
