"""Base vs aligned on one copy of the weights: a tiny DPO run, then ComparePair with the adapter off and on."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from studio.evaluation.generate import ComparePair, ComparePool, DecodeSettings, run_base_model
from studio.training.runner import Runner
from studio.training.spec import spec_from_dict

PROMPT = "Say something kind about the number 3."
SETTINGS = DecodeSettings(max_new_tokens=8)


@pytest.fixture(scope="module")
def dpo_run(tiny_model, tmp_path_factory) -> Path:
    """A finished 3-step DPO run whose high learning rate leaves an adapter that changes the answers."""
    root = tmp_path_factory.mktemp("eval")
    data = root / "pairs.jsonl"
    data.write_text("".join(json.dumps({"prompt": f"Say something kind about the number {i}.",
                                        "chosen": f"{i} is a lovely number.", "rejected": f"{i} is dull."}) + "\n"
                            for i in range(8)), encoding="utf-8")
    spec = spec_from_dict({"method": "dpo", "dataset": str(data), "model_name_or_path": tiny_model, "max_steps": 3,
                           "learning_rate": 1e-2, "max_length": 64, "per_device_train_batch_size": 2, "seed": 0})
    runner = Runner(root / "runs")
    runner.start(spec)
    live = runner.wait(timeout=180)
    assert live.state == "finished", live.message
    return live.run_dir


@pytest.fixture(scope="module")
def pair(dpo_run) -> ComparePair:
    return ComparePair(dpo_run)


def plain_greedy(model_path: str, tokenizer, prompt: str, max_new_tokens: int) -> list[int]:
    """Greedy tokens from the base checkpoint loaded with transformers alone, no studio code in the way."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()
    inputs = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                          return_tensors="pt", return_dict=True)
    with torch.no_grad():
        output = model.generate(**inputs, do_sample=False, max_new_tokens=max_new_tokens,
                                pad_token_id=tokenizer.pad_token_id)
    return output[0][inputs["input_ids"].shape[1]:].tolist()


def test_run_records_its_base_model(dpo_run, tiny_model):
    assert run_base_model(dpo_run) == tiny_model


def test_answer_both_gives_two_answers(pair):
    base, aligned = pair.answer_both(PROMPT, SETTINGS)
    assert isinstance(base, str) and isinstance(aligned, str)
    assert aligned  # (the untrained tiny base only writes newlines, which strip to "")
    assert base != aligned  # the adapter is really applied on the aligned side


def test_adapter_off_is_exactly_the_base_model(pair, tiny_model, monkeypatch):
    expected_tokens = plain_greedy(tiny_model, pair.tokenizer, PROMPT, SETTINGS.max_new_tokens)
    assert len(expected_tokens) == SETTINGS.max_new_tokens
    decoded = []  # the new tokens generate() decodes, so tokens are compared, not stripped text
    original = pair.tokenizer.decode

    def recording_decode(ids, **kwargs):
        decoded.append([int(t) for t in ids])
        return original(ids, **kwargs)

    monkeypatch.setattr(pair.tokenizer, "decode", recording_decode)

    off = pair.generate(PROMPT, SETTINGS, aligned=False)
    on = pair.generate(PROMPT, SETTINGS, aligned=True)
    assert len(decoded) == 2
    assert decoded[0] == expected_tokens
    assert decoded[1] != expected_tokens  # the adapter really changes the answer
    assert off == original(expected_tokens, skip_special_tokens=True).strip()
    assert on != off
    assert pair.base is None  # one copy of the weights serves both sides


def test_adapter_off_logits_equal_the_base_logits(pair, tiny_model):
    import torch
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32).eval()
    inputs = pair._inputs(PROMPT)
    with torch.no_grad():
        expected = base(**inputs).logits
        with pair.model.disable_adapter():
            off = pair.model(**inputs).logits
        on = pair.model(**inputs).logits
    torch.testing.assert_close(off, expected, rtol=0, atol=1e-5)
    assert not torch.allclose(on, expected, atol=1e-5)


def test_greedy_generation_is_repeatable(pair):
    assert pair.answer_both(PROMPT, SETTINGS) == pair.answer_both(PROMPT, SETTINGS)


def test_sampling_with_the_same_seed_is_repeatable(pair):
    settings = DecodeSettings(max_new_tokens=8, temperature=1.0, top_p=0.9, seed=7)
    assert settings.generate_kwargs()["do_sample"] is True
    first = pair.generate(PROMPT, settings, aligned=True)
    assert pair.generate(PROMPT, settings, aligned=True) == first


def test_prompt_as_messages_equals_prompt_as_text(pair):
    assert pair.generate([{"role": "user", "content": PROMPT}], SETTINGS, aligned=True) == \
        pair.generate(PROMPT, SETTINGS, aligned=True)


def test_decode_settings_zero_temperature_is_greedy():
    assert DecodeSettings(max_new_tokens=5).generate_kwargs() == {"do_sample": False, "max_new_tokens": 5}


def test_run_without_adapter_is_refused(tmp_path, tiny_model):
    run_dir = tmp_path / "20250101-000000-dpo"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text(f"method: dpo\ndataset: x.jsonl\nmodel_name_or_path: {tiny_model}\n",
                                         encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        ComparePair(run_dir)
    assert run_dir.name in str(caught.value) and "no saved model yet" in str(caught.value)
    with pytest.raises(ValueError):
        ComparePool().get(run_dir)


def test_pool_keeps_the_same_pair_for_the_same_run(dpo_run, tmp_path):
    pool = ComparePool()
    first = pool.get(dpo_run)
    assert isinstance(first, ComparePair)
    assert pool.get(dpo_run) is first
    assert pool.get(str(dpo_run)) is first

    import shutil

    other = tmp_path / "copy-of-run"
    shutil.copytree(dpo_run, other)
    second = pool.get(other)
    assert second is not first and second.run_dir == other
    assert pool.get(other) is second


def test_full_fine_tune_compares_against_a_separately_loaded_base(tiny_model, tmp_path):
    """Without LoRA the run saves a whole model, so the base is loaded beside it."""
    data = tmp_path / "chats.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": PROMPT},
                                                     {"role": "assistant", "content": f"{i} is lovely."}]}) + "\n"
                            for i in range(4)), encoding="utf-8")
    spec = spec_from_dict({"method": "sft", "dataset": str(data), "model_name_or_path": tiny_model, "max_steps": 2,
                           "use_peft": False, "learning_rate": 1e-2, "max_length": 64,
                           "per_device_train_batch_size": 2})
    runner = Runner(tmp_path / "runs")
    runner.start(spec)
    live = runner.wait(timeout=180)
    assert live.state == "finished", live.message
    assert not (live.run_dir / "adapter" / "adapter_config.json").exists()

    full = ComparePair(live.run_dir)
    assert full.base is not None and full.base is not full.model
    tokenizer = full.tokenizer
    expected = tokenizer.decode(plain_greedy(tiny_model, tokenizer, PROMPT, SETTINGS.max_new_tokens),
                                skip_special_tokens=True).strip()
    base, aligned = full.answer_both(PROMPT, SETTINGS)
    assert base == expected and isinstance(aligned, str)

    import torch
    from transformers import AutoModelForCausalLM

    plain = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32).eval()
    inputs = full._inputs(PROMPT)
    with torch.no_grad():
        torch.testing.assert_close(full.base(**inputs).logits, plain(**inputs).logits, rtol=0, atol=1e-5)
        assert not torch.allclose(full.model(**inputs).logits, plain(**inputs).logits, atol=1e-3)


def test_a_one_megabyte_prompt_is_refused_fast_and_the_pair_keeps_working(pair):
    """A 1 MB prompt (pasted by mistake or on purpose) gets a plain message in well under a second, before the
    tokenizer or the model spend time on it; the next normal prompt answers as before."""
    from studio.evaluation.generate import DecodeSettings

    settings = DecodeSettings(max_new_tokens=4)
    huge = "word " * (1024 * 1024 // 5)
    began = time.perf_counter()
    with pytest.raises(ValueError, match="characters long; the limit is"):
        list(pair.stream(huge, settings, aligned=True))
    with pytest.raises(ValueError, match="characters long"):
        pair.answer_both([{"role": "user", "content": huge}], settings)
    assert time.perf_counter() - began < 1.0
    assert all(isinstance(text, str) for text in pair.answer_both("Say hi.", settings))


def test_a_prompt_longer_than_the_context_window_is_refused(pair):
    from studio.evaluation.generate import MAX_PROMPT_CHARS, DecodeSettings

    window = pair.model.config.max_position_embeddings
    text = "7 " * min(window + 10, MAX_PROMPT_CHARS // 2 - 10)
    if len(pair.tokenizer(text)["input_ids"]) < window:
        pytest.skip("this tokenizer packs the text below the window")
    with pytest.raises(ValueError, match="this model reads at most"):
        pair.answer_both(text, DecodeSettings(max_new_tokens=2))
