"""Every trainable method trains a few steps on its sample data with the tiny model, through the runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.methods.rewards import build_rule_rewards, numeric_match, think_format
from studio.training.runner import Runner
from studio.training.runs import read_metrics, read_status
from studio.training.spec import spec_from_dict

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "presets" / "data"

CASES = {
    "sft": ("sft_pirate_chats.jsonl", {}, "loss"),
    "reward": ("dpo_helpful_pairs.jsonl", {}, "loss"),
    "dpo": ("dpo_helpful_pairs.jsonl", {"beta": 0.1}, "rewards/margins"),
    "kto": ("kto_feedback.jsonl", {"beta": 0.1}, "loss"),
    "orpo": ("dpo_helpful_pairs.jsonl", {"beta": 0.1}, "loss"),
    "grpo": ("grpo_arithmetic.jsonl", {"num_generations": 2, "max_completion_length": 8,
                                       "reward_funcs": ["numeric_match", "short"], "reward_weights": [1.0, 0.1]},
             "rewards/numeric_match/mean"),
}


def train(method, dataset, tiny_model, runs_dir, **extra):
    values = {"method": method, "dataset": str(dataset), "model_name_or_path": tiny_model, "max_steps": 2,
              "per_device_train_batch_size": 2, "learning_rate": 1e-3, "max_length": 64, **extra}
    if method == "grpo":
        values.pop("max_length")
    runner = Runner(runs_dir)
    live = runner.start(spec_from_dict(values))
    runner.wait(timeout=300)
    return live


@pytest.fixture(scope="module")
def trained(tiny_model, tmp_path_factory):
    """Each method's run on its sample data, trained once for the module when a test first asks for it."""
    runs_dir = tmp_path_factory.mktemp("method-runs")
    done = {}

    def get(method):
        if method not in done:
            dataset, extra, _ = CASES[method]
            done[method] = train(method, DATA / dataset, tiny_model, runs_dir, **extra)
        return done[method]

    return get


@pytest.mark.parametrize("method", list(CASES))
def test_method_trains_and_saves(method, trained):
    metric = CASES[method][2]
    live = trained(method)
    log = (live.run_dir / "train.log").read_text()
    assert live.state == "finished", f"{live.message}\n{log[-3000:]}"
    assert read_status(live.run_dir)["state"] == "finished"
    metrics = [m for m in read_metrics(live.run_dir) if "loss" in m]
    assert len(metrics) == 2
    assert any(metric in m for m in read_metrics(live.run_dir)), read_metrics(live.run_dir)[0].keys()
    if method != "reward":  # every trainer that writes answers counts its tokens (tokens/s: Train tab, arena)
        tokens = [m.get("num_tokens") for m in metrics]
        assert None not in tokens and 0 < tokens[0] < tokens[1], tokens
    assert (live.run_dir / "adapter" / "adapter_config.json").is_file()


def test_reward_adapter_is_a_classifier(trained):
    config = json.loads((trained("reward").run_dir / "adapter" / "adapter_config.json").read_text())
    assert config["task_type"] == "SEQ_CLS"


def test_a_run_can_start_from_an_earlier_run(trained, runs_dir):
    """SFT → DPO, the seed's recommended path: the earlier run folder is the new run's model."""
    sft = trained("sft")
    assert sft.state == "finished", sft.message
    dpo = train("dpo", DATA / "dpo_helpful_pairs.jsonl", str(sft.run_dir), runs_dir)
    assert dpo.state == "finished", dpo.message
    assert (sft.run_dir / "merged" / "config.json").is_file()


def test_grpo_rejects_unknown_reward(tiny_model, runs_dir):
    live = train("grpo", DATA / "grpo_arithmetic.jsonl", tiny_model, runs_dir, num_generations=2,
                 max_completion_length=8, reward_funcs=["telepathy"])
    assert live.state == "failed"
    assert "unknown reward 'telepathy'" in live.message


def test_wrong_shape_for_method_fails_with_a_plain_message(tiny_model, runs_dir):
    live = train("kto", DATA / "dpo_helpful_pairs.jsonl", tiny_model, runs_dir)
    assert live.state == "failed"
    assert "KTO trains on unpaired_preference data" in live.message


def test_rule_rewards():
    completions = ["The answer is 12.", "<think>7+5</think><answer>12</answer>", "I think 13", ""]
    assert numeric_match()(completions, answer=["12"] * 4) == [1.0, 1.0, 0.0, 0.0]
    assert think_format()(completions) == [0.0, 1.0, 0.0, 0.0]
    conversational = [[{"role": "assistant", "content": "12"}]]
    assert numeric_match()(conversational, answer=["12"]) == [1.0]
    funcs = build_rule_rewards(["keywords", "regex"], {"reward_keywords": ["paris"], "reward_regex": r"\d"})
    assert [f.__name__ for f in funcs] == ["keywords", "regex"]
    assert funcs[0](["Paris!"]) == [1.0] and funcs[1](["no digits"]) == [0.0]
    with pytest.raises(ValueError, match="unknown reward"):
        build_rule_rewards(["nope"], {})
    with pytest.raises(ValueError, match="reference answers"):
        numeric_match("solution")(["1"], answer=["1"])


def test_custom_reward_code_needs_the_flag(tmp_path, monkeypatch):
    from studio.methods.rewards import CUSTOM_CODE_ENV, load_custom_rewards

    file = tmp_path / "my_rewards.py"
    file.write_text("def polite(completions, **kw):\n"
                    "    return [1.0 if 'please' in str(c) else 0.0 for c in completions]\n")
    monkeypatch.delenv(CUSTOM_CODE_ENV, raising=False)
    with pytest.raises(ValueError, match="--allow-custom-code"):
        load_custom_rewards(str(file), ["polite"])
    monkeypatch.setenv(CUSTOM_CODE_ENV, "1")
    (polite,) = load_custom_rewards(str(file), ["polite"])
    assert polite(["please", "no"]) == [1.0, 0.0]
    with pytest.raises(ValueError, match="no function named 'rude'"):
        load_custom_rewards(str(file), ["rude"])


def test_every_preset_loads_and_round_trips():
    from studio.methods import TRAINABLE
    from studio.training.spec import load_spec, spec_from_yaml

    for method in TRAINABLE:
        for path in (ROOT / "presets" / f"{method}.yaml", ROOT / "presets" / "demo" / f"{method}.yaml"):
            spec = load_spec(path)
            assert spec.method == method
            assert spec_from_yaml(spec.to_yaml()) == spec, path


def test_grpo_with_a_reward_model_run(tiny_model, trained, runs_dir):
    """A reward run's folder serves as a GRPO reward (merged once into a classification checkpoint)."""
    reward = trained("reward")
    assert reward.state == "finished", reward.message
    live = train("grpo", DATA / "grpo_arithmetic.jsonl", tiny_model, runs_dir, num_generations=2,
                 max_completion_length=8, reward_funcs=[], reward_model=str(reward.run_dir))
    assert live.state == "finished", live.message
    assert any(k.startswith("rewards/") for m in read_metrics(live.run_dir) for k in m)


def test_four_bit_qlora_loads_quantized_weights_on_cpu(tiny_model):
    """bitsandbytes 0.50 runs 4-bit on CPU too: the base's linear layers become Linear4bit, LoRA trains on top."""
    from bitsandbytes.nn import Linear4bit

    from studio.methods import get_method
    from studio.methods.common import load_model_for_training
    from studio.models import load_tokenizer, placement

    spec = spec_from_dict({"method": "sft", "dataset": "x.jsonl", "model_name_or_path": tiny_model,
                           "load_in_4bit": True})
    model = load_model_for_training(tiny_model, spec, placement(), get_method("sft"), load_tokenizer(tiny_model))
    assert any(isinstance(m, Linear4bit) for m in model.modules())
