"""Data: Hugging Face hub dataset ids. The Hub is unreachable in tests, so the real calls must fail fast with a
clear message; the success path runs on a fake `datasets.load_dataset`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.data import hub, inspect_dataset
from studio.data.hub import hub_id

ROOT = Path(__file__).resolve().parents[1]
MISSING = "alignment-studio-tests/no-such-dataset"


def test_hub_id_recognises_ids_but_not_paths(tmp_path, monkeypatch):
    assert hub_id("trl-lib/ultrafeedback_binarized") == "trl-lib/ultrafeedback_binarized"
    assert hub_id("hf://datasets/org/name") == "org/name"
    assert hub_id("data/train.jsonl") is None  # a missing file, not a dataset
    assert hub_id("just-a-name") is None
    assert hub_id("/abs/path") is None
    (tmp_path / "org" / "name").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert hub_id("org/name") is None  # a local folder of that name wins


def test_unreachable_hub_fails_fast_offline():
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"could not reach the Hugging Face Hub.*use a local file"):
        inspect_dataset(MISSING, config="default", split="train")
    assert time.monotonic() - started < 15


def test_unreachable_hub_fails_fast_without_offline_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env["HF_HOME"] = str(tmp_path / "hf")  # no cached copy to fall back on
    code = ("from studio.data import inspect_dataset\n"
            "try:\n"
            f"    inspect_dataset({MISSING!r})\n"
            "except ValueError as exc:\n"
            "    print('ValueError:', exc)\n")
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 15, out.stderr[-2000:]
    assert out.returncode == 0, out.stderr[-2000:]
    # Where the Hub is reachable the repo doesn't exist; where it isn't, the message says so.
    assert "ValueError: " + MISSING in out.stdout
    assert "could not reach the Hugging Face Hub" in out.stdout or "no such dataset" in out.stdout
    assert "Traceback" not in out.stderr


def test_cli_hub_id_unreachable_exits_2(capsys):
    from studio.__main__ import main

    assert main(["validate", MISSING, "--split", "train"]) == 2
    assert "could not reach the Hugging Face Hub" in capsys.readouterr().err


@pytest.fixture
def fake_hub(monkeypatch):
    import datasets

    calls = []

    def load_dataset(repo, config=None, split=None):
        calls.append((repo, config, split))
        rows = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(12)]
        data = datasets.Dataset.from_list(rows)
        return data if split else datasets.DatasetDict({"train": data, "test": data.select(range(2))})

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    monkeypatch.setattr(hub, "_probe", lambda repo: None)
    return calls


def test_hub_dataset_with_config_and_split(fake_hub):
    report, rows = inspect_dataset("org/qa", config="en", split="train[:12]")
    assert fake_hub == [("org/qa", "en", "train[:12]")]
    assert report.file_format == "hub" and report.source == "org/qa [en] (train[:12])" and report.path == "org/qa"
    assert report.shape == "prompt_completion"
    assert report.column_mapping == {"prompt": "question", "completion": "answer"}
    assert report.rows == len(rows) == 12 and report.usable


def test_hub_dataset_without_split_takes_train(fake_hub):
    report, _ = inspect_dataset("org/qa")
    assert report.rows == 12


def test_hub_dataset_too_big_asks_for_a_slice(fake_hub):
    with pytest.raises(ValueError, match=r"org/qa: the split has 12 rows, over the 5 limit; take a slice"):
        hub.load_hub_rows("org/qa", split="train", max_rows=5)
