"""The classic RLHF pipeline as one action: train a reward model on preference pairs, then PPO against it.

Two ordinary runs, queued on the one runner: stage 1 is a `reward` run; stage 2 is a `ppo` run whose
`reward_model` is filled in with stage 1's run folder the moment stage 1 finishes (and is skipped, saying
so, when stage 1 stopped or failed). Each stage keeps its own folder, curves, verdict, stop and resume.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import PROJECT_ROOT
from .runner import Runner, Ticket
from .spec import RunSpec, load_spec, preset_path

# The demo's preference: plain answers over padded, rambling ones, which a CPU-sized PPO run can learn.
DEMO_PAIRS = PROJECT_ROOT / "presets" / "data" / "rlhf_concise_pairs.jsonl"
PPO_PRESET = PROJECT_ROOT / "presets" / "demo" / "rlhf_ppo.yaml"

# The PPO preset's rule-reward keys; with a reward model doing the scoring they would only get in the way.
_RULE_KEYS = ("reward_funcs", "reward_answer_column", "reward_target_length", "reward_keywords", "reward_regex",
              "reward_custom_file", "reward_custom_funcs")


def rlhf_specs(preferences: str, model: str | None = None, prompts: str | None = None,
               reward_config: str | Path | None = None, ppo_config: str | Path | None = None,
               reward_overrides: dict | None = None, ppo_overrides: dict | None = None) -> tuple[RunSpec, RunSpec]:
    """Stage 1 (reward model on `preferences`) and stage 2 (PPO on `prompts`, default: the pairs' prompts),
    from the demo presets (presets/demo/reward.yaml, presets/demo/rlhf_ppo.yaml) unless other configs are
    given; the policy and the reward model start from `model`."""
    reward = load_spec(reward_config or preset_path("reward"), reward_overrides)
    ppo = load_spec(ppo_config or PPO_PRESET, ppo_overrides)
    if reward.method != "reward":
        raise ValueError(f"the first stage's config is a {reward.method} config; it must be `method: reward`.")
    if ppo.method != "ppo":
        raise ValueError(f"the second stage's config is a {ppo.method} config; it must be `method: ppo`.")
    reward.dataset = preferences
    ppo.dataset = prompts or preferences
    if model:
        reward.model["model_name_or_path"] = model
        ppo.model["model_name_or_path"] = model
    for key in _RULE_KEYS:
        ppo.extras.pop(key, None)
    ppo.extras["reward_funcs"] = []
    ppo.extras["reward_model"] = ""  # filled in with the reward run's folder when stage 2 starts
    ppo.training.pop("reward_weights", None)
    return reward, ppo


def submit_rlhf(runner: Runner, reward: RunSpec, ppo: RunSpec, owner: str = "", echo=None,
                address: str = "") -> tuple[Ticket, Ticket]:
    """Queue both stages; the PPO stage starts only if the reward stage finished, with its run folder as the
    reward model."""
    first = runner.submit(reward, owner=owner, label=f"RLHF 1/2: reward model on {Path(reward.dataset).name}",
                          echo=echo, address=address)
    second = runner.submit(ppo, owner=owner, label=f"RLHF 2/2: PPO on {Path(ppo.dataset).name}", after=first,
                           fill="reward_model", echo=echo, address=address)
    return first, second
