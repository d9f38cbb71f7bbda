"""Shared mode: a stranger's input can't reach files outside the studio's own, nor run code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studio.shared import SHARED_UPLOAD_BYTES, SharedPolicy
from studio.training.spec import spec_from_dict

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "presets" / "data"


@pytest.fixture
def policy(tmp_path) -> SharedPolicy:
    (tmp_path / "runs" / "uploads").mkdir(parents=True)
    return SharedPolicy(True, tmp_path / "runs", SAMPLES)


def spec(**values):
    return spec_from_dict({"method": "sft", "dataset": str(SAMPLES / "sft_pirate_chats.jsonl"), "max_steps": 10,
                           **values})


@pytest.mark.parametrize("dataset", ["/etc/passwd", "../../../../etc/passwd", "presets/../README.md",
                                     "~/.bash_history"])
def test_datasets_outside_uploads_and_samples_are_refused(policy, dataset):
    with pytest.raises(ValueError, match="datasets uploaded on the Data tab"):
        policy.check_dataset(dataset)


def test_uploads_and_samples_are_allowed(policy):
    upload = policy.runs_dir / "uploads" / "mine.jsonl"
    upload.write_text("{}")
    policy.check_dataset(str(upload))
    policy.check_dataset("presets/data/dpo_helpful_pairs.jsonl")
    traversal = policy.runs_dir / "uploads" / ".." / ".." / "secret.jsonl"
    with pytest.raises(ValueError):
        policy.check_dataset(str(traversal))


@pytest.mark.parametrize("model", ["/", "/etc", "..", "~/", "./studio"])
def test_local_model_folders_are_refused(policy, model):
    with pytest.raises(ValueError, match="off limits"):
        policy.check_model(model)


def test_hub_ids_bundled_and_earlier_runs_are_allowed(policy):
    run = policy.runs_dir / "20261127-dpo"
    run.mkdir()
    (run / "status.json").write_text("{}")
    for model in ("SmolLM2-135M-Instruct", "Qwen/Qwen2.5-0.5B-Instruct", str(run)):
        policy.check_model(model)


def test_spec_checks_custom_code_and_reward_model(policy):
    policy.check_spec(spec())
    with pytest.raises(ValueError, match="Custom reward code is off"):
        policy.check_spec(spec_from_dict({"method": "grpo", "dataset": str(SAMPLES / "grpo_arithmetic.jsonl"),
                                          "reward_custom_file": "/tmp/evil.py", "reward_custom_funcs": ["f"]}))
    with pytest.raises(ValueError, match="off limits"):
        policy.check_spec(spec_from_dict({"method": "grpo", "dataset": str(SAMPLES / "grpo_arithmetic.jsonl"),
                                          "reward_model": "/etc", "max_steps": 10}))
    with pytest.raises(ValueError, match="off limits"):
        policy.check_spec(spec(model_name_or_path="/usr"))


@pytest.mark.parametrize("name", ["../escape", "/tmp/x", "a/b", "..", ".hidden", "", "x" * 200])
def test_export_folders_must_be_plain_names(policy, name):
    with pytest.raises(ValueError, match="plain folder name"):
        policy.check_output_dir(name)


def test_export_folder_lands_under_runs(policy):
    assert policy.check_output_dir("my-model_v1.2") == policy.runs_dir / "exports" / "my-model_v1.2"


def test_upload_names_are_made_safe(policy):
    assert policy.safe_upload_name("../../etc/passwd") == "passwd"
    assert policy.safe_upload_name("..hidden file;rm -rf.jsonl") == "hidden_file_rm_-rf.jsonl"
    assert policy.safe_upload_name("....") == "upload"


def test_off_means_everything_is_allowed(tmp_path):
    local = SharedPolicy(False, tmp_path, SAMPLES)
    local.check_spec(spec(model_name_or_path="/usr", dataset="/etc/passwd"))
    assert local.check_output_dir("/tmp/anywhere") == Path("/tmp/anywhere")
    assert local.max_upload_bytes > SHARED_UPLOAD_BYTES


def test_app_refuses_custom_code_in_shared_mode():
    result = subprocess.run([sys.executable, "app.py", "--shared", "--allow-custom-code"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "can't be combined with shared mode" in result.stderr
