"""The runner's queue (shared mode, pipelines): positions, owners, cancel, skipped stages, and ZeroGPU's
process boundary (a stand-in `spaces.GPU` that trains in a separate process, as ZeroGPU does)."""

from __future__ import annotations

import json
import multiprocessing
import sys
import types

import pytest

from studio.training.runner import Runner
from studio.training.runs import read_metrics, read_status
from studio.training.spec import spec_from_dict

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

SMALL = {"max_length": 64, "per_device_train_batch_size": 2, "seed": 0, "holdout_rows": 0}


@pytest.fixture
def chats(tmp_path) -> str:
    path = tmp_path / "chats.jsonl"
    path.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"What is {i} plus {i}?"},
        {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."}]}) + "\n" for i in range(8)))
    return str(path)


def spec(model, data, steps=2, **extra):
    return spec_from_dict({"method": "sft", "dataset": data, "model_name_or_path": model, "max_steps": steps,
                           **SMALL, **extra})


def test_queued_runs_start_in_turn_and_keep_their_owner(tiny_model, chats, runs_dir):
    runner = Runner(runs_dir)
    first = runner.submit(spec(tiny_model, chats, steps=6), owner="alice")
    second = runner.submit(spec(tiny_model, chats), owner="bob")
    third = runner.submit(spec(tiny_model, chats), owner="alice")
    assert first.state == "started" and first.live is not None
    assert (runner.position(second.id), runner.position(third.id)) == (1, 2)
    assert [t.id for _, t in runner.queued("alice")] == [third.id]
    with pytest.raises(ValueError, match="busy"):
        runner.start(spec(tiny_model, chats))  # start() never jumps the queue
    assert not runner.cancel(third.id, owner="bob")  # only its owner can take it out
    assert runner.cancel(third.id, owner="alice") and third.state == "cancelled"
    assert runner.wait_all(timeout=240)
    assert second.state == "started" and second.live.state == "finished"
    assert runner.position(second.id) is None
    assert read_status(first.live.run_dir)["owner"] == "alice"
    assert read_status(second.live.run_dir)["owner"] == "bob"
    assert first.live.run_dir != second.live.run_dir
    assert len(list(runs_dir.glob("*-sft"))) == 2  # the cancelled one never made a folder


def test_a_ticket_that_cannot_start_makes_way(tiny_model, chats, runs_dir):
    runner = Runner(runs_dir)
    first = runner.submit(spec(tiny_model, chats, steps=3))
    bad = runner.submit(spec(tiny_model, str(runs_dir / "missing.jsonl")))
    after = runner.submit(spec(tiny_model, chats))
    assert runner.wait_all(timeout=240)
    assert first.live.state == "finished"
    assert bad.live.state == "failed" and "missing.jsonl" in bad.live.message
    assert after.live.state == "finished"  # the queue went on


def test_a_pipeline_stage_is_skipped_when_the_one_before_did_not_finish(tiny_model, chats, runs_dir):
    runner = Runner(runs_dir)
    first = runner.submit(spec(tiny_model, chats, steps=50))
    second = runner.submit(spec(tiny_model, chats), after=first, fill="reward_model")
    runner.stop()
    assert runner.wait_all(timeout=240)
    assert first.live.state == "stopped"
    assert second.state == "skipped" and "stopped" in second.message
    assert "reward_model" not in second.spec.extras  # never filled in: it never started


def test_queued_resume(tiny_model, chats, runs_dir):
    runner = Runner(runs_dir)
    live = runner.start(spec(tiny_model, chats, steps=6, save_steps=1))
    while live.step < 2:
        runner.wait(timeout=0.2)
    runner.stop()
    runner.wait(timeout=120)
    assert live.state == "stopped"
    busy = runner.submit(spec(tiny_model, chats, steps=2), owner="x")
    ticket = runner.submit_resume(live.run_dir, owner="x")
    assert busy.state == "started" and runner.position(ticket.id) == 1
    with pytest.raises(ValueError, match="already queued"):
        runner.submit_resume(live.run_dir)
    assert runner.wait_all(timeout=240)
    assert ticket.live.state == "finished" and ticket.live.run_dir == live.run_dir
    assert read_status(live.run_dir)["step"] == 6


def _fake_spaces(calls: list) -> types.ModuleType:
    """`spaces.GPU(duration=…)(f)` that runs f in a fresh process, like ZeroGPU's forked GPU worker."""
    module = types.ModuleType("spaces")

    def GPU(duration=60):
        def wrap(func):
            def call(*args):
                calls.append(duration)
                ctx = multiprocessing.get_context("spawn")
                with ctx.Pool(1) as pool:
                    return pool.apply(func, args)
            return call
        return wrap

    module.GPU = GPU
    return module


def test_on_zero_gpu_training_runs_inside_a_spaces_gpu_call(tiny_model, chats, runs_dir, monkeypatch):
    calls: list = []
    monkeypatch.setitem(sys.modules, "spaces", _fake_spaces(calls))
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    monkeypatch.setenv("STUDIO_ZEROGPU_DURATION", "120")
    runner = Runner(runs_dir)
    live = runner.start(spec(tiny_model, chats, steps=3))
    assert runner.wait_all(timeout=300)
    assert calls == [120]
    assert live.state == "finished", live.message
    assert [m["step"] for m in live.metrics if "loss" in m] == [1, 2, 3]  # followed from the other process
    assert read_metrics(live.run_dir) and (live.run_dir / "adapter").is_dir()
    assert not (live.run_dir / "stop.request").exists()


def test_a_zero_gpu_slot_that_runs_out_leaves_a_resumable_run(tiny_model, chats, runs_dir, monkeypatch):
    module = types.ModuleType("spaces")

    def GPU(duration=60):
        def wrap(func):
            def call(*args):
                raise RuntimeError("GPU task aborted")
            return call
        return wrap

    module.GPU = GPU
    monkeypatch.setitem(sys.modules, "spaces", module)
    monkeypatch.setenv("SPACES_ZERO_GPU", "1")
    runner = Runner(runs_dir)
    live = runner.start(spec(tiny_model, chats))
    assert runner.wait_all(timeout=60)
    assert live.state == "interrupted" and "ZeroGPU" in live.message
    assert read_status(live.run_dir)["state"] == "interrupted"
    monkeypatch.delenv("SPACES_ZERO_GPU")
    next_run = runner.start(spec(tiny_model, chats))  # and the app goes on
    assert runner.wait_all(timeout=120) and next_run.state == "finished"
