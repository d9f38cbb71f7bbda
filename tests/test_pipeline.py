"""The one-click RLHF pipeline: a reward run, then PPO scored by that run's model (tiny model, a few steps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from studio.__main__ import main
from studio.training.pipeline import rlhf_specs, submit_rlhf
from studio.training.runner import Runner
from studio.training.runs import read_metrics, read_status

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
PAIRS = str(ROOT / "presets" / "data" / "dpo_helpful_pairs.jsonl")
QUICK_REWARD = ["max_steps=2", "max_length=192", "holdout_rows=8"]  # the rambling answers run ~100 tokens
QUICK_PPO = ["max_steps=2", "max_completion_length=8", "holdout_rows=8"]


def test_specs_come_from_the_demo_presets_with_the_reward_model_to_fill(tiny_model):
    reward, ppo = rlhf_specs(PAIRS, model=tiny_model)
    assert (reward.method, ppo.method) == ("reward", "ppo")
    assert reward.dataset == ppo.dataset == PAIRS
    assert reward.model_name == ppo.model_name == tiny_model
    assert ppo.extras["reward_funcs"] == [] and "reward_weights" not in ppo.training
    with pytest.raises(ValueError, match="must be `method: reward`"):
        rlhf_specs(PAIRS, reward_config=ROOT / "presets" / "demo" / "dpo.yaml")


def test_the_cli_runs_both_stages_and_ppo_uses_the_reward_run(tiny_model, runs_dir, capsys):
    code = main(["rlhf", "--model", tiny_model, "--runs-dir", str(runs_dir),
                 *[a for kv in QUICK_REWARD for a in ("--set-reward", kv)],
                 *[a for kv in QUICK_PPO for a in ("--set-ppo", kv)]])
    out = capsys.readouterr().out
    assert code == 0, out
    reward_dir = next(runs_dir.glob("*-reward"))
    ppo_dir = next(runs_dir.glob("*-ppo"))
    assert read_status(reward_dir)["state"] == read_status(ppo_dir)["state"] == "finished"
    config = yaml.safe_load((ppo_dir / "config.yaml").read_text())
    assert Path(config["reward_model"]) == reward_dir  # stage 2 read stage 1's output
    metrics = [m for m in read_metrics(ppo_dir) if "objective/scores" in m]
    assert len(metrics) == 2 and all("rewards/reward_model/mean" in m for m in metrics)
    assert (reward_dir / "merged" / "config.json").is_file()  # the reward run, merged once for scoring
    summary = json.loads((ppo_dir / "eval_summary.json").read_text())
    assert summary["method"] == "ppo"
    assert "reward_model" in summary["metric"]  # judged by its own answers' scores, not the pairs' likelihoods
    assert "RLHF 1/2" in out and "RLHF 2/2" in out


def test_ppo_is_skipped_when_the_reward_stage_fails(tiny_model, runs_dir, tmp_path):
    prompts_only = tmp_path / "prompts.jsonl"
    prompts_only.write_text("".join(json.dumps({"prompt": f"Say {i}."}) + "\n" for i in range(40)))
    reward, ppo = rlhf_specs(str(prompts_only), model=tiny_model)
    runner = Runner(runs_dir)
    first, second = submit_rlhf(runner, reward, ppo, owner="v")
    assert runner.wait_all(timeout=120)
    assert first.live.state == "failed"
    assert second.state == "skipped" and "failed" in second.message
    assert list(runs_dir.glob("*-ppo")) == []
