"""GRPO on TRL's GRPOTrainer: a group of answers per prompt, scored by rewards, no value model.

Rewards need no code: rule rewards by name (studio/methods/rewards.py), weighted with TRL's
`reward_weights`, and/or a reward model (a reward run's folder or any sequence-classification checkpoint).
"""

from __future__ import annotations

from .base import Method
from .rewards import reward_keys

STUDIO_KEYS = reward_keys(["numeric_match"])


def config_class():
    from trl import GRPOConfig

    return GRPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    # GRPO writes its own answers: keep the prompt and the columns rewards may read, drop given answers.
    rows = [{k: v for k, v in r.items() if k not in ("completion", "chosen", "rejected")} for r in rows]
    if tokenizer.chat_template and not report.conversational:
        rows = [{**r, "prompt": [{"role": "user", "content": r["prompt"]}]} for r in rows]
    return rows


def reward_functions(extras: dict) -> list:
    from .rewards import reward_callables

    return reward_callables(extras, "GRPO")


def build_trainer(ctx):
    from trl import GRPOTrainer

    funcs = reward_functions(ctx.spec.extras)
    weights = ctx.args.reward_weights
    if weights is not None and len(weights) != len(funcs):
        raise ValueError(f"reward_weights has {len(weights)} weights for {len(funcs)} rewards; give one per reward.")
    return GRPOTrainer(model=ctx.model, reward_funcs=funcs, args=ctx.args, train_dataset=ctx.train_dataset,
                       eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                       peft_config=ctx.peft_config, callbacks=ctx.callbacks)


METHOD = Method(
    id="grpo", name="GRPO", kind="Online RL", models_in_memory="1–2", needs_reward_model="Optional",
    needs_reference_model="Optional", data_requirement="Prompts + a reward function", trainer="trl.GRPOTrainer",
    summary="Generates a group of answers per prompt, scores them (rule-based rewards work), and pushes toward "
            "the better ones in the group. No value model. Strong for math and code.",
    order=70, shapes=("prompt_only", "prompt_completion", "preference"), config_class=config_class,
    prepare_rows=prepare_rows, build_trainer=build_trainer,
    panels={"mean reward": ["reward"], "reward per function": ["rewards/*/mean"], "reward std": ["reward_std"],
            "completion length": ["completions/mean_length"]},
    verdict="answers", online=True, takes_rewards=True, studio_keys=STUDIO_KEYS,
    beta_name="beta", beta_range="0.0 – 0.001", beta_default=0.0,
    beta_note="Recent work suggests β = 0 (no KL penalty) works well.",
    cost="**What it costs:** 1–2 models (the policy, plus the reference only when β > 0) and several answers "
         "generated per prompt every step, so slower than the offline methods, but no value model and no reward "
         "model when rules can score the answers. PPO, next to it, holds 3–4 models and is more sensitive to its "
         "hyperparameters; choose it when a learned reward model must be the judge.",
)
