"""PPO: the formulas against hand-worked numbers, then real runs on the tiny model through the runner (it learns a
reachable reward with bounded KL, a stop leaves a usable adapter, resume continues, a reward model scores)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from safetensors.torch import load_file

from studio.methods import ppo_core as core
from studio.training.runner import Runner
from studio.training.runs import read_metrics, read_status
from studio.training.spec import spec_from_dict

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

DATA = Path(__file__).resolve().parents[1] / "presets" / "data"
T, F = True, False


def close(got, want, tol=1e-5):
    return torch.allclose(torch.as_tensor(got, dtype=torch.float32), torch.as_tensor(want, dtype=torch.float32),
                          atol=tol)


# ---- the formulas ---------------------------------------------------------------------------------------------
def test_response_mask_keeps_the_first_eos_and_drops_what_follows():
    ids = torch.tensor([[5, 2, 7, 2], [5, 6, 7, 8], [2, 2, 2, 2]])
    assert core.response_mask(ids, [2]).tolist() == [[T, T, F, F], [T, T, T, T], [T, F, F, F]]
    assert core.response_mask(torch.tensor([[5, 9, 3]]), [2, 9]).tolist() == [[T, T, F]]


def test_masked_whitening():
    values, mask = torch.tensor([2.0, 4.0, 6.0, 100.0]), torch.tensor([T, T, T, F])
    assert close(core.masked_mean(values, mask), 4.0)
    assert close(core.masked_var(values, mask), 4.0)  # (4 + 0 + 4) / 2, Bessel-corrected
    assert close(core.masked_whiten(values, mask), [-1.0, 0.0, 1.0, 0.0])
    assert close(core.masked_whiten(values, mask, shift_mean=False), [3.0, 4.0, 5.0, 0.0])
    assert close(core.masked_mean(torch.tensor([1.0, float("nan")]), torch.tensor([T, F])), 1.0)


def test_kl_estimators():
    logprobs, ref = torch.tensor([-1.0, -2.0]), torch.tensor([-1.5, -1.0])
    assert close(core.kl_per_token(logprobs, ref, "k1"), [0.5, -1.0])
    # k3 = e^{-log r} − 1 + log r: e^{-0.5} − 0.5 and e^{1} − 2
    assert close(core.kl_per_token(logprobs, ref, "k3"), [math.exp(-0.5) - 0.5, math.e - 2.0])
    with pytest.raises(ValueError, match="k1"):
        core.kl_per_token(logprobs, ref, "k2")


def test_token_rewards_put_the_score_on_the_last_written_token():
    kl = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.0, 9.0]])
    mask = torch.tensor([[T, T, T], [T, T, F]])
    rewards = core.token_rewards(torch.tensor([1.0, 2.0]), kl, mask, kl_coef=0.5)
    assert close(rewards, [[-0.05, -0.1, 0.85], [-0.2, 2.0, 0.0]])


def test_gae_by_hand():
    rewards, values = torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([[0.5, 0.5, 0.5]])
    full = torch.ones(1, 3, dtype=torch.bool)
    # γ=1, λ=0.5: δ = (0, 0, 0.5); A2 = 0.5, A1 = 0.25, A0 = 0.125
    advantages, returns = core.gae(rewards, values, full, gamma=1.0, lam=0.5)
    assert close(advantages, [[0.125, 0.25, 0.5]]) and close(returns, [[0.625, 0.75, 1.0]])
    # λ=1: returns are the discounted Monte-Carlo returns 0.9², 0.9, 1
    advantages, returns = core.gae(rewards, values, full, gamma=0.9, lam=1.0)
    assert close(advantages, [[0.31, 0.4, 0.5]]) and close(returns, [[0.81, 0.9, 1.0]])
    # padding after the end contributes nothing, whatever it holds
    advantages, returns = core.gae(torch.tensor([[0.0, 1.0, 5.0]]), torch.tensor([[0.5, 0.5, 7.0]]),
                                   torch.tensor([[T, T, F]]), gamma=1.0, lam=1.0)
    assert close(advantages, [[0.5, 0.5, 0.0]]) and close(returns, [[1.0, 1.0, 0.0]])


def test_clipped_policy_loss_by_hand():
    old = torch.zeros(4)
    new = torch.log(torch.tensor([1.5, 0.5, 1.1, 50.0])).requires_grad_()
    advantages, mask = torch.tensor([1.0, 1.0, -1.0, 3.0]), torch.tensor([T, T, T, F])
    loss, stats = core.clipped_policy_loss(new, old, advantages, mask, cliprange=0.2)
    # per token max(−Aρ, −A·clip ρ): ρ=1.5 → −1.2 (clipped), ρ=0.5 → −0.5, ρ=1.1 with A<0 → 1.1
    assert close(loss, (-1.2 - 0.5 + 1.1) / 3)
    assert close(stats["clipfrac"], 1 / 3)
    assert close(stats["approxkl"], 0.5 * (math.log(1.5) ** 2 + math.log(0.5) ** 2 + math.log(1.1) ** 2) / 3)
    assert close(stats["ratio"], (1.5 + 0.5 + 1.1) / 3)
    loss.backward()
    # the clipped token gets no gradient; the others −A·ρ/3; the masked one none
    assert close(new.grad, [0.0, -0.5 / 3, 1.1 / 3, 0.0])


def test_clipped_value_loss_by_hand():
    old, new = torch.tensor([0.0, 0.0, 1.0, 0.0]), torch.tensor([0.5, 0.1, 0.0, 9.0])
    returns, mask = torch.tensor([1.0, -1.0, 1.0, 0.0]), torch.tensor([T, T, T, F])
    loss, stats = core.clipped_value_loss(new, old, returns, mask, cliprange_value=0.2)
    # errors: max(0.25, (0.2−1)²=0.64), max(1.21, 1.21), max(1, (0.8−1)²=0.04)
    assert close(loss, 0.5 * (0.64 + 1.21 + 1.0) / 3)
    assert close(stats["clipfrac"], 1 / 3)


def test_kl_controller():
    fixed = core.KLController(0.1)
    assert fixed.update(100.0, 1000) == 0.1
    adaptive = core.KLController(0.1, target=6.0, horizon=10_000)
    assert math.isclose(adaptive.update(12.0, 1000), 0.1 * 1.02)  # error clipped to +0.2
    assert math.isclose(adaptive.update(3.0, 1000), 0.1 * 1.02 * 0.98)  # −0.5 clipped to −0.2
    assert math.isclose(adaptive.update(6.6, 1000), 0.1 * 1.02 * 0.98 * 1.01)


def test_logprob_and_entropy_helpers():
    logits = torch.tensor([[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]])
    assert close(core.sampled_logprobs(logits, torch.tensor([[2, 1]])),
                 torch.log_softmax(logits, -1)[0, [0, 1], [2, 1]].unsqueeze(0))
    assert close(core.entropy_from_logits(logits)[0, 1], math.log(3))


# ---- the method's contract ------------------------------------------------------------------------------------
def test_prepare_rows_keeps_prompts_only_as_conversations():
    from studio.methods.ppo import prepare_rows

    chat, plain = SimpleNamespace(chat_template="{{ x }}"), SimpleNamespace(chat_template=None)
    rows = [{"prompt": "Hi?", "answer": "1"}, {"prompt": "Yo?", "chosen": "a", "rejected": "b"}]
    assert prepare_rows(rows, None, chat) == [{"prompt": [{"role": "user", "content": "Hi?"}], "answer": "1"},
                                              {"prompt": [{"role": "user", "content": "Yo?"}]}]
    assert prepare_rows(rows, None, plain) == [{"prompt": "Hi?", "answer": "1"}, {"prompt": "Yo?"}]
    implicit = [{"chosen": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "good"}],
                 "rejected": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "bad"}]}]
    assert prepare_rows(implicit, None, chat) == [{"prompt": [{"role": "user", "content": "Q"}]}]


@pytest.mark.filterwarnings("ignore:.*checkpointing.*:FutureWarning")
def test_settings_are_checked(tmp_path):
    from studio.methods.ppo import config_class, reward_sources

    with pytest.raises(ValueError, match="PPO needs a reward"):
        reward_sources({"reward_funcs": [], "reward_model": ""})
    assert [f.__name__ for f in reward_sources({"reward_funcs": "short, length"})[0]] == ["short", "length"]
    with pytest.raises(ValueError, match="kl_estimator"):
        config_class()(output_dir=str(tmp_path), use_cpu=True, kl_estimator="k2")
    args = config_class()(output_dir=str(tmp_path), use_cpu=True, per_device_train_batch_size=2,
                          gradient_accumulation_steps=3, num_mini_batches=4)
    assert (args.mini_batch_size, args.rollout_batch_size) == (6, 24)


# ---- real runs on the tiny model ------------------------------------------------------------------------------
# The tiny model's random logits are nearly flat over 49k tokens; at temperature 0.03 they are peaked enough
# for a few updates to move the choice, and the `length` reward (characters, up to reward_target_length) is then
# reachable: the policy learns to pick longer tokens.
TINY_PPO = {"method": "ppo", "dataset": str(DATA / "grpo_arithmetic.jsonl"), "reward_funcs": ["length"],
            "reward_target_length": 100, "max_completion_length": 8, "temperature": 0.03,
            "per_device_train_batch_size": 8, "num_ppo_epochs": 2, "learning_rate": 3e-3,
            "lr_scheduler_type": "constant", "holdout_rows": 0, "save_strategy": "no"}


def start(tiny_model, runs_dir, **extra):
    runner = Runner(runs_dir)
    live = runner.start(spec_from_dict({**TINY_PPO, "model_name_or_path": tiny_model, **extra}))
    return runner, live


def finished(runner, live):
    runner.wait(timeout=300)
    assert live.state == "finished", f"{live.message}\n{(live.run_dir / 'train.log').read_text()[-3000:]}"
    return [m for m in read_metrics(live.run_dir) if "loss" in m]


def test_ppo_raises_a_reachable_reward_with_bounded_kl(tiny_model, runs_dir):
    """Full fine-tuning here (the reference is then a frozen copy); the LoRA path is exercised below."""
    runner, live = start(tiny_model, runs_dir, max_steps=14, per_device_train_batch_size=16, learning_rate=1e-4,
                         use_peft=False)
    metrics = finished(runner, live)
    assert [m["step"] for m in metrics] == list(range(1, 15))
    for key in ("objective/scores", "objective/kl", "objective/rlhf_reward", "objective/entropy", "policy/clipfrac",
                "policy/approxkl", "val/vf_loss", "val/clipfrac", "loss/policy", "loss/value", "rewards/length/mean"):
        assert all(math.isfinite(m[key]) for m in metrics), key
    scores = [m["objective/scores"] for m in metrics]
    # Over 12 seeds this rise was 0.28–0.50; with learning_rate 0 (sampling noise alone) it stayed within ±0.1.
    assert sum(scores[-4:]) / 4 > sum(scores[:2]) / 2 + 0.15, scores
    # With scores in [0, 1] the KL-regularised optimum sits at most max score / β = 20 nats from the reference.
    kl = [m["objective/kl"] for m in metrics]
    assert max(kl) < 1.0 / metrics[0]["objective/kl_coef"], kl
    adapter = live.run_dir / "adapter"
    assert (adapter / "config.json").is_file() and (adapter / "value_head.safetensors").is_file()
    assert not any("value" in key for key in load_file(adapter / "model.safetensors"))  # the head stays apart


def test_stop_leaves_a_usable_adapter_and_resume_finishes(tiny_model, runs_dir):
    from studio.evaluation.generate import ComparePair, DecodeSettings
    from studio.methods import get_method
    from studio.methods.common import prepare
    from studio.training.runs import RunFolder
    from studio.training.spec import load_spec

    runner, live = start(tiny_model, runs_dir, max_steps=6, holdout_rows=8, save_strategy="steps", save_steps=100,
                         target_kl=0.5, kl_horizon=20)
    deadline = time.time() + 240
    while live.step < 2 and live.active and time.time() < deadline:
        time.sleep(0.05)
    runner.stop()
    runner.wait(timeout=300)
    assert live.state == "stopped", live.message
    stopped_at = read_status(live.run_dir)["step"]
    assert 2 <= stopped_at < 6
    checkpoint = live.run_dir / "checkpoints" / f"checkpoint-{stopped_at}"
    assert (checkpoint / "value_head.safetensors").is_file()
    saved_beta = json.loads((checkpoint / "ppo_state.json").read_text())["kl_coef"]
    assert saved_beta != pytest.approx(0.05)  # the adaptive controller moved β away from kl_coef
    pair = ComparePair(live.run_dir)  # the saved adapter loads on its base and answers
    assert isinstance(pair.generate("What is 2 plus 2?", DecodeSettings(max_new_tokens=4), aligned=True), str)

    # resuming reads the value head back from the checkpoint
    spec = load_spec(live.run_dir / "config.yaml")
    scratch = runs_dir / "scratch"
    scratch.mkdir()
    ctx = prepare(spec, RunFolder(scratch), [], get_method("ppo"), log=lambda *_: None)
    trainer = get_method("ppo").build_trainer(ctx)
    trainer._load_from_checkpoint(str(checkpoint))
    saved_head = load_file(checkpoint / "value_head.safetensors")
    assert torch.equal(trainer.value_head.weight.detach().cpu(), saved_head["weight"])
    assert trainer.value_head.weight.abs().sum() > 0

    live = runner.resume(live.run_dir)
    metrics = finished(runner, live)
    assert [m["step"] for m in metrics] == list(range(1, 7))  # the curve continues where it stopped
    assert metrics[stopped_at]["objective/kl_coef"] == pytest.approx(saved_beta)  # and β where it was
    assert read_status(live.run_dir)["step"] == 6
    summary = json.loads((live.run_dir / "eval_summary.json").read_text())  # evaluate_run on a PPO run
    assert summary["method"] == "ppo" and summary["rows"] > 0


def test_a_reward_model_scores(tiny_model, runs_dir, tmp_path):
    """Classic RLHF: the reward is a sequence-classification checkpoint (here an untrained head on the tiny model)."""
    from transformers import AutoModelForSequenceClassification

    from studio.models import load_tokenizer

    reward_dir = tmp_path / "reward-model"
    torch.manual_seed(0)
    AutoModelForSequenceClassification.from_pretrained(tiny_model, num_labels=1).save_pretrained(reward_dir)
    load_tokenizer(tiny_model).save_pretrained(reward_dir)
    runner, live = start(tiny_model, runs_dir, max_steps=2, reward_funcs=[], reward_model=str(reward_dir),
                         dataset=str(DATA / "dpo_helpful_pairs.jsonl"), missing_eos_penalty=1.0)
    metrics = finished(runner, live)
    assert all(m["rewards/reward_model/mean"] != 0 for m in metrics)
    for m in metrics:  # answers cut off at max_completion_length pay missing_eos_penalty
        assert m["objective/scores"] == pytest.approx(m["rewards/reward_model/mean"] - (1 - m["completions/eos_rate"]),
                                                      abs=1e-4)


def test_too_few_prompts_fail_with_a_plain_message(tiny_model, runs_dir, tmp_path):
    data = tmp_path / "three.jsonl"
    data.write_text("".join(json.dumps({"prompt": f"Say {i}."}) + "\n" for i in range(3)))
    runner, live = start(tiny_model, runs_dir, dataset=str(data), max_steps=1)
    runner.wait(timeout=120)
    assert live.state == "failed"
    assert "PPO samples 8 prompts per step" in live.message
