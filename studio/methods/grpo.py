"""GRPO on TRL's GRPOTrainer: a group of answers per prompt, scored by rewards, no value model.

Rewards need no code: rule rewards by name (studio/methods/rewards.py), weighted with TRL's
`reward_weights`, and/or a reward model (a reward run's folder or any sequence-classification checkpoint).
"""

from __future__ import annotations

SHAPES = ("prompt_only", "prompt_completion", "preference")
STUDIO_KEYS: dict = {
    "reward_funcs": ["numeric_match"],  # rule reward names, see rewards.RULE_REWARDS
    "reward_model": "",  # optional: a reward run folder or a sequence-classification checkpoint
    "reward_answer_column": "answer",
    "reward_target_length": 200,
    "reward_keywords": [],
    "reward_regex": "",
    "reward_custom_file": "",  # a local .py file; needs --allow-custom-code (never in shared mode)
    "reward_custom_funcs": [],  # the function names to use from it
}


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
    from ..models import resolve_model
    from .rewards import reward_sources

    funcs, reward_model = reward_sources(extras, "GRPO")
    if reward_model:
        funcs.append(resolve_model(reward_model))  # TRL loads a path as a classification model
    return funcs


def build_trainer(ctx):
    from trl import GRPOTrainer

    funcs = reward_functions(ctx.spec.extras)
    weights = ctx.args.reward_weights
    if weights is not None and len(weights) != len(funcs):
        raise ValueError(f"reward_weights has {len(weights)} weights for {len(funcs)} rewards; give one per reward.")
    return GRPOTrainer(model=ctx.model, reward_funcs=funcs, args=ctx.args, train_dataset=ctx.train_dataset,
                       eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                       peft_config=ctx.peft_config, callbacks=ctx.callbacks)
