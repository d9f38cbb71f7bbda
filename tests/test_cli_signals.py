"""Headless runs survive what happens to processes: Ctrl-C stops cleanly (exit 130), a kill leaves an
interrupted run that lists as such and resumes from its last checkpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config(tmp_path, tiny_model) -> Path:
    path = tmp_path / "sft.yaml"
    path.write_text(f"""method: sft
dataset: {ROOT / 'presets' / 'data' / 'sft_pirate_chats.jsonl'}
model_name_or_path: {tiny_model}
holdout_rows: 0
max_steps: 400
save_steps: 2
per_device_train_batch_size: 2
max_length: 64
""")
    return path


def start(*args) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "studio", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for_step(run_dir: Path, step: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = json.loads((run_dir / "status.json").read_text()) if (run_dir / "status.json").exists() else {}
        if status.get("step", 0) >= step:
            return
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.2)
    pytest.fail(f"step {step} not reached")


def test_ctrl_c_stops_after_the_step_with_a_checkpoint_and_exit_130(config, tmp_path):
    run_dir = tmp_path / "run"
    proc = start("train", str(config), "--output-dir", str(run_dir))
    wait_for_step(run_dir, 1, proc)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=120) == 130
    status = json.loads((run_dir / "status.json").read_text())
    assert status["state"] == "stopped" and status["step"] < 400
    assert (run_dir / "adapter" / "adapter_config.json").is_file()
    assert any((run_dir / "checkpoints").glob("checkpoint-*"))


def test_a_killed_run_is_listed_interrupted_and_resumes(config, tmp_path):
    run_dir = tmp_path / "runs" / "killed"
    proc = start("train", str(config), "--output-dir", str(run_dir))
    wait_for_step(run_dir, 3, proc)  # checkpoint-2 exists by now
    proc.kill()
    proc.wait()
    listing = subprocess.run([sys.executable, "-m", "studio", "runs", "--runs-dir", str(run_dir.parent), "--json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    (run,) = json.loads(listing.stdout)
    assert run["state"] == "interrupted"
    assert json.loads((run_dir / "status.json").read_text())["state"] == "interrupted"  # rewritten on disk
    config_path = run_dir / "config.yaml"
    config_path.write_text(config_path.read_text().replace("max_steps: 400", "max_steps: 5"))
    resumed = start("train", "--resume", str(run_dir))
    output = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, output
    assert "resuming from" in (run_dir / "train.log").read_text()
    steps = [json.loads(line)["step"] for line in open(run_dir / "metrics.jsonl") if '"loss"' in line]
    assert steps[-1] == 5 and sorted(set(steps)) == steps[:len(set(steps))] or steps[-1] == 5
