"""Shared fixtures: the tiny offline model, sample data paths, and the test markers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach the network
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # make test's two workers share two cores: one thread each for torch here and in the runs they start (two
    # workers with two threads each wait on each other's threads and finish later than one each).
    os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "presets" / "data"


def _end_runs_under(root: Path) -> None:
    """Runs outlive whoever started them (by design): a test's must not outlive the test run."""
    from benchmarks.polling_load import end_runs

    for status in Path(root).rglob("status.json"):
        end_runs(status.parent.parent)


def pytest_sessionfinish(session, exitstatus):
    base = getattr(session.config, "_tmp_path_factory", None)
    if base is not None:
        try:
            _end_runs_under(base.getbasetemp())
        except OSError:
            pass


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    from tests.tiny import build_tiny_model

    return str(build_tiny_model(tmp_path_factory.mktemp("tiny-model")))


@pytest.fixture
def runs_dir(tmp_path) -> Path:
    path = tmp_path / "runs"
    path.mkdir()
    yield path
    _end_runs_under(path)  # a test that failed half-way leaves no run training behind it
