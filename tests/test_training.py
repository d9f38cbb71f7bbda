"""The runner end to end on the tiny model: run folders, stop, busy, failures as states, the `train` CLI,
and the health check that halts a run whose loss is no longer a number."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from studio.__main__ import main
from studio.training.runner import LiveRun, Runner
from studio.training.runs import read_metrics, read_status
from studio.training.spec import RunSpec, load_spec, spec_from_dict

SMALL = {"max_length": 64, "per_device_train_batch_size": 2, "seed": 0}
TIMEOUT = 120  # seconds; a tiny run takes a few


def write_jsonl(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def chats(tmp_path) -> str:
    return write_jsonl(tmp_path / "chats.jsonl", [
        {"messages": [{"role": "user", "content": f"What is {i} plus {i}?"},
                      {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."}]}
        for i in range(8)
    ])


@pytest.fixture
def pairs(tmp_path) -> str:
    return write_jsonl(tmp_path / "pairs.jsonl", [
        {"prompt": f"Say something kind about the number {i}.", "chosen": f"{i} is a lovely number.",
         "rejected": f"{i} is dull."}
        for i in range(8)
    ])


@pytest.fixture
def feedback(tmp_path) -> str:
    return write_jsonl(tmp_path / "feedback.jsonl", [
        {"prompt": f"Question {i}?", "completion": f"Answer {i}.", "label": i % 2 == 0} for i in range(8)
    ])


def make_spec(method: str, dataset: str, model: str, **training) -> RunSpec:
    return spec_from_dict({"method": method, "dataset": dataset, "model_name_or_path": model,
                           **SMALL, **training})


def finish(runner: Runner) -> LiveRun:
    live = runner.wait(timeout=TIMEOUT)
    assert live is not None
    assert not live.active, f"run still {live.state} after {TIMEOUT}s"
    return live


def wait_for_step(live: LiveRun, step: int, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while live.step < step:
        assert live.active, f"run ended as {live.state} ({live.message}) before step {step}"
        assert time.monotonic() < deadline, f"no step {step} within {timeout}s"
        time.sleep(0.05)


def loss_rows(run_dir: Path) -> list[dict]:
    return [row for row in read_metrics(run_dir) if "loss" in row]


# ---------------------------------------------------------------------------------------------- a full run

@pytest.mark.parametrize("method, data", [("sft", "chats"), ("dpo", "pairs")])
def test_run_trains_to_finished_and_fills_its_folder(tiny_model, runs_dir, request, method, data):
    spec = make_spec(method, request.getfixturevalue(data), tiny_model, max_steps=3)
    runner = Runner(runs_dir)
    live = runner.start(spec)
    assert live.run_dir.parent == runs_dir
    assert live.run_id.endswith(method)
    live = finish(runner)
    assert (live.state, live.message) == ("finished", "finished; the adapter was saved"), live.message
    assert live.step == 3 and live.max_steps == 3
    run_dir = live.run_dir

    assert load_spec(run_dir / "config.yaml") == spec

    status = json.loads((run_dir / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "finished"
    assert status["step"] == status["max_steps"] == 3
    assert status["method"] == method and status["model"] == tiny_model
    assert status["finished_at"] >= status["started_at"]

    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) >= 3
    assert all("step" in row for row in rows)
    losses = [row for row in rows if "loss" in row]
    assert [row["step"] for row in losses] == [1, 2, 3]
    assert all(isinstance(row["loss"], float) and math.isfinite(row["loss"]) for row in losses)
    assert live.metrics == rows  # the in-memory bus carries what the file holds

    log = (run_dir / "train.log").read_text(encoding="utf-8")
    assert f"training {method} for 3 steps" in log
    assert "finished; the adapter was saved" in log
    adapter_config = json.loads((run_dir / "adapter" / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter_config["peft_type"] == "LORA"
    assert (run_dir / "adapter" / "adapter_model.safetensors").is_file()
    assert not runner.busy()


def test_explicit_run_dir_is_used(tiny_model, tmp_path, chats):
    runner = Runner(tmp_path / "runs")
    live = runner.start(make_spec("sft", chats, tiny_model, max_steps=2), run_dir=tmp_path / "mine" / "run")
    assert finish(runner).state == "finished"
    assert live.run_dir == tmp_path / "mine" / "run"
    assert (live.run_dir / "adapter" / "adapter_config.json").is_file()
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------------------------------------- stop, busy

def test_stop_ends_a_long_run_early_and_saves_the_adapter(tiny_model, runs_dir, chats):
    runner = Runner(runs_dir)
    live = runner.start(make_spec("sft", chats, tiny_model, max_steps=500))
    wait_for_step(live, 1)
    assert runner.stop() is True
    live = finish(runner)
    assert live.state == "stopped", live.message
    assert live.message == "stopped by request; the adapter was saved"
    assert 1 <= live.step < 50
    status = read_status(live.run_dir)
    assert status["state"] == "stopped" and status["step"] == live.step and status["max_steps"] == 500
    assert (live.run_dir / "adapter" / "adapter_config.json").is_file()
    assert runner.stop() is False  # nothing left to stop


def test_stop_right_after_start_ends_stopped_without_training_on(tiny_model, runs_dir, chats):
    runner = Runner(runs_dir)
    runner.start(make_spec("sft", chats, tiny_model, max_steps=500))
    assert runner.stop() is True
    live = finish(runner)
    assert live.state == "stopped", live.message
    assert live.step <= 1
    assert read_status(live.run_dir)["state"] == "stopped"


def test_stop_with_nothing_running_returns_false(runs_dir):
    assert Runner(runs_dir).stop() is False


def test_second_start_while_busy_is_refused(tiny_model, runs_dir, chats):
    runner = Runner(runs_dir)
    first = runner.start(make_spec("sft", chats, tiny_model, max_steps=500))
    try:
        assert runner.busy()
        with pytest.raises(ValueError) as caught:
            runner.start(make_spec("sft", chats, tiny_model, max_steps=2))
        assert str(caught.value).startswith(f"busy: run {first.run_id} is at step ")
        assert runner.current is first
        assert [p.name for p in runs_dir.iterdir()] == [first.run_id]  # the refused run wrote nothing
    finally:
        runner.stop()
        finish(runner)
    assert first.state == "stopped"


def test_unknown_method_is_refused_before_anything_is_written(runs_dir, chats, tiny_model):
    spec = RunSpec(method="no-such-method", dataset=chats, model={"model_name_or_path": tiny_model})
    with pytest.raises(ValueError, match="method 'no-such-method' can't be trained"):
        Runner(runs_dir).start(spec)
    assert list(runs_dir.iterdir()) == []


# ---------------------------------------------------------------------------------------------- failures

def assert_failed_plainly(live: LiveRun, *fragments: str) -> str:
    assert live.state == "failed"
    message = live.message
    assert message and "\n" not in message and "Traceback" not in message and len(message) < 400, message
    for fragment in fragments:
        assert fragment in message
    status = read_status(live.run_dir)
    assert status["state"] == "failed" and status["message"] == message
    log = (live.run_dir / "train.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log
    assert f"run failed: {message}" in log
    assert not (live.run_dir / "adapter").exists()
    return log


def test_wrong_data_shape_fails_the_run_and_the_runner_goes_on(tiny_model, runs_dir, feedback, pairs):
    runner = Runner(runs_dir)
    runner.start(make_spec("dpo", feedback, tiny_model, max_steps=2))
    live = finish(runner)
    assert_failed_plainly(live, "feedback.jsonl", "unpaired_preference", "DPO")
    assert not runner.busy()

    nxt = runner.start(make_spec("dpo", pairs, tiny_model, max_steps=2))
    assert nxt.run_dir != live.run_dir
    assert finish(runner).state == "finished"


def test_missing_model_folder_fails_the_run_and_the_runner_goes_on(tiny_model, runs_dir, tmp_path, chats):
    runner = Runner(runs_dir)
    missing = tmp_path / "no-such-model"
    runner.start(make_spec("sft", chats, str(missing), max_steps=2))
    live = finish(runner)
    log = assert_failed_plainly(live, str(missing))
    assert "ValueError" in log

    runner.start(make_spec("sft", chats, tiny_model, max_steps=2))
    assert finish(runner).state == "finished"


# ---------------------------------------------------------------------------------------------- the CLI

@pytest.fixture
def config(tmp_path, tiny_model, chats) -> Path:
    path = tmp_path / "tiny-sft.yaml"
    path.write_text(
        f"method: sft\ndataset: {chats}\nmodel_name_or_path: {tiny_model}\n"
        "max_steps: 10\nper_device_train_batch_size: 2\nmax_length: 64\nlearning_rate: 1.0e-3\n",
        encoding="utf-8",
    )
    return path


def test_cli_train_writes_the_run_folder(config, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "default-runs"))
    out_dir = tmp_path / "out"
    assert main(["train", str(config), "--set", "max_steps=2", "--output-dir", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert f"run folder: {out_dir}" in out
    assert out.rstrip().endswith("finished: finished; the adapter was saved")
    echoed = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [row["step"] for row in echoed if "loss" in row] == [1, 2]
    assert read_status(out_dir)["state"] == "finished"
    assert read_status(out_dir)["step"] == 2
    assert len(loss_rows(out_dir)) == 2
    assert (out_dir / "adapter" / "adapter_config.json").is_file()
    assert load_spec(out_dir / "config.yaml").training["max_steps"] == 2
    assert not (tmp_path / "default-runs").exists()


def test_cli_train_unknown_key_exits_2(config, tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["train", str(config), "--set", "max_stepz=2", "--output-dir", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'max_stepz'" in err and "Did you mean 'max_steps'?" in err
    assert not out_dir.exists()


def test_cli_train_missing_config_exits_2(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    assert main(["train", str(missing), "--output-dir", str(tmp_path / "out")]) == 2
    assert "no such config file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_train_failed_run_exits_1(config, tmp_path, feedback, capsys):
    out_dir = tmp_path / "out"
    assert main(["train", str(config), "--set", "method=dpo", "--set", f"dataset={feedback}",
                 "--output-dir", str(out_dir)]) == 1
    out = capsys.readouterr().out
    assert "failed: feedback.jsonl has the shape 'unpaired_preference'" in out
    assert read_status(out_dir)["state"] == "failed"


def test_cli_train_into_a_used_output_dir_does_not_mix_runs(config, tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["train", str(config), "--set", "max_steps=2", "--output-dir", str(out_dir)]) == 0
    second = main(["train", str(config), "--set", "max_steps=2", "--output-dir", str(out_dir)])
    # Either refusing a used folder (exit 2) or starting it afresh would be right; mixing is not.
    assert second == 2 or [row["step"] for row in loss_rows(out_dir)] == [1, 2]


# ---------------------------------------------------------------------------------------------- health checks

@pytest.fixture
def callback(tmp_path):
    from studio.training.metrics import StudioCallback

    from studio.training.execute import RunState
    from studio.training.runs import RunFolder

    live = RunState(folder=RunFolder(tmp_path), method="sft", model="tiny")
    cb = StudioCallback(live)
    yield cb
    cb.close()


def fake_state(step: int):
    return SimpleNamespace(global_step=step, epoch=0.5, max_steps=10)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_loss_halts_the_run(callback, bad):
    from transformers import TrainerControl

    control = TrainerControl()
    callback.on_log(None, fake_state(4), control, logs={"loss": bad, "learning_rate": 1e-3})
    assert control.should_training_stop is True
    error = callback.live.error
    assert error.startswith("the loss became NaN or infinite at step 4") and "lower learning rate" in error
    row = read_metrics(callback.live.run_dir)[-1]
    assert row["step"] == 4 and row["loss"] is None and row["nonfinite"] == ["loss"]  # recorded as strict JSON


def test_finite_loss_lets_the_run_go_on(callback):
    from transformers import TrainerControl

    control = TrainerControl()
    callback.on_log(None, fake_state(1), control, logs={"loss": 2.5, "note": "ok", "skip": [1, 2]})
    assert control.should_training_stop is False
    assert callback.live.error == ""
    row = read_metrics(callback.live.run_dir)[0]
    assert row["loss"] == 2.5 and row["step"] == 1 and row["note"] == "ok" and "skip" not in row
    assert callback.live.metrics == [row]


def test_stop_request_takes_effect_at_step_end(callback):
    from transformers import TrainerControl

    control = TrainerControl()
    callback.on_step_end(None, fake_state(3), control)
    assert control.should_training_stop is False and callback.live.step == 3
    callback.live.stop_event.set()
    callback.on_step_end(None, fake_state(4), control)
    assert control.should_training_stop is True
    assert read_status(callback.live.run_dir)["step"] == 4


def test_a_run_with_an_error_ends_failed(tiny_model, runs_dir, chats, monkeypatch):
    """A health-check error becomes the `failed` state with that error as the message (trained in this
    process, so the callback can be patched; the runner's child runs the same `execute.run`)."""
    from studio.training import metrics
    from studio.training.execute import open_run, run
    from studio.training.runs import RunFolder

    original = metrics.StudioCallback.on_log

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            logs = {**logs, "loss": float("nan")}
        return original(self, args, state, control, logs=logs, **kwargs)

    monkeypatch.setattr(metrics.StudioCallback, "on_log", on_log)
    folder = RunFolder(runs_dir / "nan-run")
    spec = make_spec("sft", chats, tiny_model, max_steps=6)
    open_run(folder, spec)
    live = run(folder, spec)
    assert live.state == "failed"
    assert live.message.startswith("the loss became NaN or infinite at step 1")
    assert live.step == 1  # halted after the first step, not at max_steps
    assert read_status(live.run_dir)["state"] == "failed"


def test_a_diverging_run_is_halted_by_the_nan_guard(tiny_model, runs_dir, chats):
    runner = Runner(runs_dir)
    runner.start(make_spec("sft", chats, tiny_model, max_steps=5, learning_rate=1e30))
    live = finish(runner)
    assert live.state == "failed", f"{live.state}: losses {[r['loss'] for r in loss_rows(live.run_dir)]}"
    assert "became NaN or infinite" in live.message


def test_resume_skips_a_checkpoint_left_half_written(tmp_path):
    from studio.training.runner import last_checkpoint

    for step, complete in ((2, True), (4, True), (6, False)):
        folder = tmp_path / "checkpoints" / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        if complete:
            (folder / "trainer_state.json").write_text("{}")
    assert last_checkpoint(tmp_path) == str(tmp_path / "checkpoints" / "checkpoint-4")
    assert last_checkpoint(tmp_path / "nothing") is None


def test_a_trainer_left_with_no_rows_says_max_length_dropped_them():
    from studio.training.execute import plain_failure

    message = plain_failure(ValueError("num_samples should be a positive integer value, but got num_samples=0"))
    assert "longer than max_length" in message and "Raise max_length" in message
    assert plain_failure(ValueError("something else")) == "something else"  # other messages pass through
