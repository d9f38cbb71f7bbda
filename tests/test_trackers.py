"""Trackers beside metrics.jsonl (studio/trackers.py): `report_to` is parsed by name, a tracker that can't work
is one sentence before the run starts (never a failed run), and trackio and TensorBoard, offline, hold the same
loss values as the run's metrics.jsonl."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from studio import trackers
from studio.training.runner import Runner
from studio.training.runs import read_metrics
from studio.training.spec import spec_from_dict


def chats(tmp_path: Path) -> str:
    path = tmp_path / "chats.jsonl"
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"What is {i} plus {i}?"},
                                                     {"role": "assistant", "content": f"It is {2 * i}."}]}) + "\n"
                            for i in range(8)), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("value, names", [(None, []), ("none", []), ("trackio", ["trackio"]),
                                          ("tensorboard, trackio", ["tensorboard", "trackio"]),
                                          (["wandb", "mlflow", "wandb"], ["wandb", "mlflow"])])
def test_report_to_is_read_by_name(value, names):
    assert trackers.parse(value) == names


def test_a_misspelt_or_blanket_tracker_is_refused_with_the_nearest_name():
    with pytest.raises(ValueError, match="Did you mean 'tensorboard'"):
        trackers.parse("tensorbord")
    with pytest.raises(ValueError, match="name the trackers"):
        trackers.parse("all")
    with pytest.raises(ValueError, match="report_to.*Did you mean 'trackio'"):
        spec_from_dict({"method": "sft", "dataset": "x.jsonl", "report_to": "trackoi"})


def test_report_to_is_a_config_key_again():
    spec = spec_from_dict({"method": "sft", "dataset": "x.jsonl", "report_to": ["trackio", "tensorboard"]})
    assert trackers.of(spec) == ["trackio", "tensorboard"]
    assert "report_to" in spec.to_yaml()


def test_a_tracker_that_is_not_installed_says_how_to_install_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "wandb" else real(name, *a))
    with pytest.raises(ValueError, match="Weights & Biases is not installed here: `pip install wandb`"):
        trackers.check(["wandb"])


def test_wandb_without_a_key_or_a_server_is_one_sentence_and_offline_is_fine(monkeypatch, tmp_path):
    monkeypatch.setattr(trackers, "_netrc_has", lambda host: False)
    monkeypatch.setattr(trackers.importlib.util, "find_spec", lambda name, *a: object())
    with pytest.raises(ValueError, match="no API key.*WANDB_MODE=offline"):
        trackers.check(["wandb"], env={})
    started = time.monotonic()
    with pytest.raises(ValueError, match="can't reach 127.0.0.1"):
        trackers.check(["wandb"], env={"WANDB_API_KEY": "x", "WANDB_BASE_URL": "http://127.0.0.1:9"})
    assert time.monotonic() - started < trackers.REACH_TIMEOUT_S + 1  # fails fast, no hang
    trackers.check(["wandb"], env={"WANDB_MODE": "offline"})


def test_mlflow_and_trackio_servers_that_cannot_be_reached_are_named(monkeypatch):
    monkeypatch.setattr(trackers.importlib.util, "find_spec", lambda name, *a: object())
    with pytest.raises(ValueError, match="MLflow's tracking server http://127.0.0.1:9 can't be reached"):
        trackers.check(["mlflow"], env={"MLFLOW_TRACKING_URI": "http://127.0.0.1:9"})
    trackers.check(["mlflow"], env={})  # a file store in the run folder
    with pytest.raises(ValueError, match="unset TRACKIO_SPACE_ID"):
        trackers.check(["trackio"], env={"TRACKIO_SPACE_ID": "me/dash", "HF_HUB_OFFLINE": "1"})


def test_each_tracker_writes_into_the_run_folder(tmp_path):
    env = trackers.environment(["trackio", "tensorboard", "wandb", "mlflow"], tmp_path / "run-1", env={})
    run = str((tmp_path / "run-1").resolve())
    assert env["TRACKIO_DIR"] == str(tmp_path.resolve() / ".trackio")  # one dashboard for the runs folder
    assert env["TENSORBOARD_LOGGING_DIR"] == run + "/tensorboard"
    assert env["WANDB_DIR"] == run and env["MLFLOW_TRACKING_URI"] == Path(run, "mlruns").as_uri()
    assert trackers.environment(["mlflow"], tmp_path, env={"MLFLOW_TRACKING_URI": "http://x"})[
        "MLFLOW_TRACKING_URI"] == "http://x"  # the user's server wins


def test_the_runner_refuses_before_a_run_folder_exists(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setattr(trackers, "_mlflow_problem", lambda env: "MLflow's tracking server is down.")
    monkeypatch.setattr(trackers.importlib.util, "find_spec", lambda name, *a: object())
    runner = Runner(tmp_path / "runs", adopt=False)
    spec = spec_from_dict({"method": "sft", "dataset": chats(tmp_path), "model_name_or_path": tiny_model,
                           "report_to": "mlflow", "max_steps": 1})
    with pytest.raises(ValueError, match="tracking server is down"):
        runner.start(spec)
    with pytest.raises(ValueError, match="tracking server is down"):
        runner.submit(spec)
    assert not any((tmp_path / "runs").glob("*/status.json"))


def _tensorboard_losses(folder: Path) -> dict[int, float]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    found = {}
    for events in folder.rglob("events.out.tfevents.*"):
        acc = EventAccumulator(str(events))
        acc.Reload()
        if "train/loss" in acc.Tags()["scalars"]:
            found.update({e.step: e.value for e in acc.Scalars("train/loss")})
    return found


def _trackio_losses(folder: Path) -> dict[int, float]:
    """The losses trackio holds: in its SQLite database, or (where trackio finds its folder on a network
    filesystem, as on some CI machines, and writes append-only fragments for its dashboard to import) in its
    inbox's JSONL fragments."""
    found = {}
    for db in folder.rglob("*.db"):
        with sqlite3.connect(db) as con:
            tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
            if "metrics" not in tables:
                continue
            for (blob,) in con.execute("select metrics from metrics"):
                values = json.loads(blob)
                if "train/loss" in values:
                    found[int(values["train/global_step"])] = float(values["train/loss"])
    for fragment in (folder / "inbox").rglob("*.jsonl"):
        for line in fragment.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            values = record.get("metrics") or {}
            if record.get("kind") == "metric" and "train/loss" in values:
                found[int(values["train/global_step"])] = float(values["train/loss"])
    return found


@pytest.mark.app
def test_trackio_and_tensorboard_offline_hold_the_losses_of_metrics_jsonl(tmp_path, tiny_model, monkeypatch):
    monkeypatch.delenv("TRACKIO_DIR", raising=False)  # trackio's folder follows the runs folder
    spec = spec_from_dict({"method": "sft", "dataset": chats(tmp_path), "model_name_or_path": tiny_model,
                           "report_to": ["trackio", "tensorboard"], "max_steps": 3, "max_length": 64,
                           "per_device_train_batch_size": 2, "holdout_rows": 0})
    runner = Runner(tmp_path / "runs", adopt=False)
    live = runner.start(spec)
    live = runner.wait(timeout=180)
    assert live.state == "finished", live.message
    ours = {row["step"]: row["loss"] for row in read_metrics(live.run_dir) if "loss" in row}
    assert sorted(ours) == [1, 2, 3]
    board = _tensorboard_losses(live.run_dir / "tensorboard")
    assert board.keys() == ours.keys() and all(abs(board[s] - ours[s]) < 1e-5 for s in ours), (board, ours)
    dash = _trackio_losses(tmp_path / "runs" / ".trackio")
    log = (live.run_dir / "train.log").read_text(encoding="utf-8")
    files = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "runs" / ".trackio").rglob("*"))
    assert dash.keys() == ours.keys() and all(abs(dash[s] - ours[s]) < 1e-5 for s in ours), (dash, ours, files,
                                                                                             log[-3000:])
    assert "tensorboard --logdir" in log and "trackio show --project alignment-studio" in log


def test_the_train_command_sets_trackios_folder_for_itself_only(tmp_path, monkeypatch, tiny_model):
    """`python -m studio train` points trackio beside its runs; called in a process that goes on (a test, a
    notebook), it leaves that process's environment as it found it, so the next run's trackio folder is its own."""
    from studio.__main__ import main

    monkeypatch.delenv("TRACKIO_DIR", raising=False)
    assert main(["train", str(tmp_path / "missing.yaml"), "--output-dir", str(tmp_path / "runs" / "r")]) == 2
    assert "TRACKIO_DIR" not in os.environ
    monkeypatch.setenv("TRACKIO_DIR", str(tmp_path / "mine"))
    assert main(["train", str(tmp_path / "missing.yaml")]) == 2
    assert os.environ["TRACKIO_DIR"] == str(tmp_path / "mine")  # a folder the user chose stays theirs
    from studio.methods.rewards import CUSTOM_CODE_ENV

    monkeypatch.delenv(CUSTOM_CODE_ENV, raising=False)
    monkeypatch.delenv("TRACKIO_DIR")
    config = tmp_path / "one_step.yaml"
    config.write_text(json.dumps({"method": "sft", "dataset": chats(tmp_path), "model_name_or_path": tiny_model,
                                  "max_steps": 1, "max_length": 64, "holdout_rows": 0}), encoding="utf-8")
    assert main(["train", str(config), "--allow-custom-code", "--output-dir", str(tmp_path / "runs" / "one")]) == 0
    assert CUSTOM_CODE_ENV not in os.environ and "TRACKIO_DIR" not in os.environ  # both end with the command
