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


# The allowlist, credentials, YAML and text shown to visitors ---------------------------------------------------

def test_the_allowlist_names_the_field_it_refuses(policy):
    policy.check_config({"learning_rate": 1e-4, "beta": 0.1, "lora_r": 8, "max_steps": 10, "reward_funcs": ["short"]})
    for key, value in (("trust_remote_code", True), ("output_dir", "/tmp"), ("report_to", "wandb"),
                       ("x" * 300, 1)):
        with pytest.raises(ValueError, match="can't be set"):
            policy.check_config({key: value})


@pytest.mark.parametrize("key, value, words", [
    ("max_steps", 10**6, "between 1 and 300"), ("max_steps", 0, "step budget"), ("max_steps", "5", "step budget"),
    ("per_device_train_batch_size", 1024, "between 1 and 16"), ("learning_rate", "fast", "must be a number"),
    ("num_generations", 64, "between 2 and 16"), ("use_peft", "yes", "true or false"),
    ("lr_scheduler_type", "custom", "must be one of"), ("reward_keywords", ["a"] * 100, "at most 32 items"),
    ("reward_regex", "(", "not a valid regular expression"), ("lora_target_modules", ["q;rm -rf /"], "characters"),
])
def test_allowed_fields_are_bounded(policy, key, value, words):
    with pytest.raises(ValueError, match=words):
        policy.check_config({key: value})


def test_a_credential_in_a_config_is_refused_without_echoing_it(policy):
    token = "hf_" + "a" * 34
    for values in ({"hub_token": token}, {"reward_keywords": [token]}, {"wandb_api_key": "k" * 20}):
        with pytest.raises(ValueError, match="credential") as caught:
            policy.check_config(values)
        assert token not in str(caught.value)
    from studio.redact import is_secret

    assert not is_secret("pad_token", "<|im_end|>")  # a vocabulary token is not a credential


def test_tokens_are_redacted_in_a_runs_config_and_log_lines():
    import logging

    from studio.redact import REDACTED, RedactingFilter, redact_text

    token = "hf_" + "b" * 34
    written = spec(hub_token=token).to_yaml()
    assert token not in written and REDACTED in written
    assert token in spec(hub_token=token).to_yaml(secrets=True)  # your own editor keeps what you typed
    assert "hub_token" not in spec_from_dict({"method": "sft", "dataset": "x.jsonl", "hub_token": REDACTED}).training
    assert redact_text(f"Authorization: Bearer {'c' * 30}") == f"Authorization: {REDACTED}"
    record = logging.LogRecord("studio", logging.INFO, __file__, 1, "token %s and %s", (token, "x" * 10_000), None)
    RedactingFilter().filter(record)
    assert token not in record.getMessage() and len(record.getMessage()) < 5_000


def test_yaml_anchors_aliases_and_huge_configs_are_refused_before_parsing():
    from studio.training.spec import parse_yaml_config

    with pytest.raises(ValueError, match="anchor or alias"):
        parse_yaml_config("a: &x [1, 2]\nb: *x\n")
    with pytest.raises(ValueError, match="at most 64 KB"):
        parse_yaml_config("a: 1\n" + "#" * 70_000)
    with pytest.raises(ValueError, match="nested too deeply|not valid YAML"):
        parse_yaml_config("a: " + "[" * 5000 + "]" * 5000)
    assert parse_yaml_config("method: sft\nlr: 1e-4\n") == {"method": "sft", "lr": "1e-4"}


def test_user_text_in_markdown_stays_text():
    from studio.ui.markup import code, text

    shown = text('<img src="http://x/p.png"> [log in](https://evil.example) www.evil.example a@b.c ![i](j)')
    assert "<img" not in shown and "[log in](" not in shown and "https://" not in shown and "www." not in shown
    assert text("# title").startswith("\\#") and text("1. item").startswith("1\\.")
    assert text("line one\n\n- item") == "line one - item"  # one paragraph: no list starts
    assert code("a`b") == "`aʼb`"


def test_server_paths_are_scrubbed_from_messages(policy):
    from studio.shared import scrub_paths

    message = f"The folder {policy.runs_dir}/20260101-dpo holds no model; see /etc/secret/config.json or ./x"
    shown = scrub_paths(message, policy.runs_dir)
    assert str(policy.runs_dir) not in shown and "runs/20260101-dpo" in shown and "…/config.json" in shown
    assert "/etc" not in shown


def test_make_room_removes_the_oldest_and_keeps_what_is_in_use(tmp_path):
    import os
    import time as clock

    from studio.shared import folder_bytes, make_room

    folder = tmp_path / "exports"
    folder.mkdir()
    for index, name in enumerate(("old", "used", "new")):
        (folder / name).mkdir()
        (folder / name / "weights").write_bytes(b"x" * 1000)
        os.utime(folder / name, (clock.time() - 100 + index, clock.time() - 100 + index))
    make_room(folder, 1000, 3000, keep={folder / "used"})
    assert not (folder / "old").exists() and (folder / "used").exists() and (folder / "new").exists()
    assert folder_bytes(folder) + 1000 <= 3000
    with pytest.raises(ValueError, match="more than this shared studio keeps"):
        make_room(folder, 10_000, 3000)
