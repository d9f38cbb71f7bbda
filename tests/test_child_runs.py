"""Runs are processes of their own: a crash stays in the run, a second Stop ends it at once, a run outlives
the runner (the app) that started it and is adopted by the next one with the waiting queue, and the
runner's own memory is back where it was after a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from studio.training.runner import Runner
from studio.training.runs import RunFolder, process_alive, read_status
from studio.training.spec import spec_from_dict

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "presets" / "data"
SMALL = {"max_length": 64, "per_device_train_batch_size": 2, "seed": 0, "holdout_rows": 0}


def sft(model: str, steps: int = 2, **extra):
    return spec_from_dict({"method": "sft", "dataset": str(SAMPLES / "sft_pirate_chats.jsonl"),
                           "model_name_or_path": model, "max_steps": steps, **SMALL, **extra})


def wait_for(condition, timeout: float = 120, what: str = "the condition"):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.1)


def assert_one_plain_sentence(message: str):
    assert message and "\n" not in message and "Traceback" not in message and len(message) < 400, message


def test_a_child_that_aborts_fails_its_run_plainly_and_the_next_run_trains(tiny_model, runs_dir, tmp_path,
                                                                          monkeypatch):
    from studio.methods.rewards import CUSTOM_CODE_ENV

    crash = tmp_path / "crash.py"
    crash.write_text("import os\n\ndef boom(completions, **kwargs):\n    os.abort()\n")
    monkeypatch.setenv(CUSTOM_CODE_ENV, "1")  # the user's own machine, the user's own (broken) reward code
    grpo = spec_from_dict({"method": "grpo", "dataset": str(SAMPLES / "grpo_arithmetic.jsonl"),
                           "model_name_or_path": tiny_model, "max_steps": 2, "num_generations": 2,
                           "per_device_train_batch_size": 2, "max_completion_length": 8, "reward_funcs": [],
                           "reward_custom_file": str(crash), "reward_custom_funcs": ["boom"], "holdout_rows": 0})
    runner = Runner(runs_dir)
    live = runner.start(grpo)
    runner.wait(120)
    assert live.state == "failed"
    assert_one_plain_sentence(live.message)
    assert "crashed (signal SIGABRT)" in live.message and "resume" in live.message
    assert read_status(live.run_dir)["state"] == "failed"
    assert "Fatal Python error: Aborted" in live.folder.log.read_text()  # the crash's last words are kept
    nxt = runner.start(sft(tiny_model))
    runner.wait(120)
    assert nxt.state == "finished", nxt.message


def test_a_killed_child_fails_its_run_and_the_runner_goes_on(tiny_model, runs_dir):
    runner = Runner(runs_dir)
    live = runner.start(sft(tiny_model, steps=300))
    wait_for(lambda: live.step >= 1, what="first step")
    os.kill(read_status(live.run_dir)["pid"], signal.SIGKILL)
    runner.wait(60)
    assert live.state == "failed" and "signal SIGKILL" in live.message, live.message
    assert_one_plain_sentence(live.message)
    assert runner.start(sft(tiny_model)) is not None and runner.wait(120).state == "finished"


def test_a_second_stop_ends_the_process_at_once(tiny_model, runs_dir):
    runner = Runner(runs_dir)
    live = runner.start(sft(tiny_model, steps=300))
    wait_for(lambda: live.step >= 1, what="first step")
    pid = read_status(live.run_dir)["pid"]
    assert runner.stop() and runner.stop()  # the second one doesn't wait for the step to end
    runner.wait(30)
    assert live.state == "stopped" and "at once" in live.message, live.message
    wait_for(lambda: not process_alive(pid), timeout=10, what="process exit")


def test_the_runners_own_memory_is_back_after_each_run(tiny_model, runs_dir):
    def rss_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    runner = Runner(runs_dir)
    runner.start(sft(tiny_model, steps=1))
    runner.wait(120)  # the first run loads the runner's own imports; measure from here
    before = rss_mb()
    for _ in range(2):
        live = runner.start(sft(tiny_model, steps=3))
        runner.wait(120)
        assert live.state == "finished"
        assert rss_mb() - before < 50, f"the runner grew {rss_mb() - before:.0f} MB over a run"


def test_a_plain_python_m_studio_train_child_trains_the_same(tiny_model, runs_dir, monkeypatch):
    monkeypatch.setenv("STUDIO_CHILD_START", "spawn")  # no fork server: `python -m studio train …` itself
    runner = Runner(runs_dir)
    live = runner.start(sft(tiny_model, steps=2))
    runner.wait(180)
    assert live.state == "finished", live.message
    assert [m["step"] for m in live.metrics if "loss" in m] == [1, 2]


APP_LIKE = textwrap.dedent("""
    import sys, time
    from studio.training.runner import Runner
    from studio.training.spec import spec_from_dict

    runs, model, data = sys.argv[1:4]
    def spec(steps):
        return spec_from_dict({"method": "sft", "dataset": data, "model_name_or_path": model, "max_steps": steps,
                               "max_length": 64, "per_device_train_batch_size": 2, "holdout_rows": 0,
                               "save_steps": 5})
    runner = Runner(runs)
    live = runner.start(spec(300))
    waiting = runner.submit(spec(2), owner="bob", label="bob's run")
    print(live.run_dir, flush=True)
    while live.step < 2:
        time.sleep(0.1)
    print("training", flush=True)
    time.sleep(600)
""")


def test_a_run_outlives_the_runner_that_started_it_and_is_adopted_with_the_queue(tiny_model, runs_dir):
    """The app (here: a process holding a Runner) is killed with SIGKILL while a run trains and another waits;
    the run goes on, the next runner finds it by its pid, follows it, stops it, and the waiting run starts."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen([sys.executable, "-c", APP_LIKE, str(runs_dir), tiny_model,
                            str(SAMPLES / "sft_pirate_chats.jsonl")], stdout=subprocess.PIPE, text=True, env=env,
                           cwd=ROOT)
    try:
        run_dir = Path(app.stdout.readline().strip())
        assert app.stdout.readline().strip() == "training"
    finally:
        app.kill()  # SIGKILL: no cleanup, no goodbye
        app.wait()
    folder = RunFolder(run_dir)
    step = read_status(run_dir)["step"]
    wait_for(lambda: read_status(run_dir)["step"] > step + 1, timeout=60, what="steps after the app died")

    runner = Runner(runs_dir)  # the app starting again
    live = runner.current
    assert live is not None and live.run_dir == run_dir and live.state == "running"
    assert [t.label for _, t in runner.queued()] == ["bob's run"] and runner.queued()[0][1].owner == "bob"
    seen = len(live.metrics)
    wait_for(lambda: len(live.metrics) > seen, timeout=30, what="new metric lines")  # the curve keeps growing
    assert runner.stop()
    assert runner.wait_all(timeout=180)
    assert live.state == "stopped" and folder.last_checkpoint() is not None
    later = [p for p in runs_dir.iterdir() if p.is_dir() and p != run_dir and RunFolder(p).is_run()]
    assert len(later) == 1 and read_status(later[0])["state"] == "finished"  # the queue went on after a restart
    assert read_status(later[0])["owner"] == "bob"
    assert not json.loads((runs_dir / "queue.json").read_text())["waiting"]
    resumed = runner.resume(run_dir)  # and the adopted run resumes like any other
    runner.stop()
    runner.wait(120)
    assert resumed.state == "stopped"


@pytest.mark.parametrize("state", ["running", "starting"])
def test_a_run_whose_process_is_gone_is_interrupted_not_adopted(runs_dir, state):
    folder = RunFolder(runs_dir / "20260101-000000-sft")
    folder.path.mkdir(parents=True)
    folder.write_status(state=state, pid=2**22 + 12345, method="sft", started_at=1.0)  # no such process
    runner = Runner(runs_dir)
    assert runner.current is None
    assert runner.list()[0]["state"] == "interrupted"
