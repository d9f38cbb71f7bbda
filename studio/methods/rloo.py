"""RLOO on TRL's RLOOTrainer: online RL with no value model; each answer's baseline is the mean reward of the
other answers to the same prompt (REINFORCE leave-one-out, Ahmadian et al., 2024).

It takes the same rewards as GRPO and PPO, with the same keys (studio/methods/rewards.py): rule rewards by name,
weighted with TRL's `reward_weights`, and/or a reward model (a reward run's folder or any sequence-classification
checkpoint). Unlike GRPO the KL penalty (β) is part of the reward, summed over the answer, and the advantages are
not divided by the group's spread; unlike PPO nothing but the policy trains.
"""

from __future__ import annotations

from .base import Method
from .rewards import reward_keys

STUDIO_KEYS = reward_keys(["numeric_match"])


def config_class():
    from trl import RLOOConfig

    return RLOOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    """The prompts and the columns rewards may read; RLOO writes its own answers, so given ones are dropped
    (PPO's preparation: preference pairs without a prompt column give the conversation before the last answer)."""
    from .ppo import prepare_rows as prompts_of

    return prompts_of(rows, report, tokenizer)


def reward_functions(extras: dict) -> list:
    from .rewards import reward_callables

    return reward_callables(extras, "RLOO")


def build_trainer(ctx):
    from trl import RLOOTrainer

    funcs = reward_functions(ctx.spec.extras)
    weights = ctx.args.reward_weights
    if weights is not None and len(weights) != len(funcs):
        raise ValueError(f"reward_weights has {len(weights)} weights for {len(funcs)} rewards (rule rewards in order, "
                         "then the reward model); give one per reward.")
    return RLOOTrainer(model=ctx.model, reward_funcs=funcs, args=ctx.args, train_dataset=ctx.train_dataset,
                       eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                       peft_config=ctx.peft_config, callbacks=ctx.callbacks)


METHOD = Method(
    id="rloo", name="RLOO", kind="Online RL", models_in_memory="1–3", needs_reward_model="Optional",
    needs_reference_model="Optional", data_requirement="Prompts + a reward function or reward model",
    trainer="trl.RLOOTrainer",
    summary="Samples a few answers per prompt and scores each against the mean reward of the others (leave one "
            "out): no value model to train, the KL penalty folded into the reward. RLHF with a reward model at "
            "GRPO's cost; rule rewards work too.",
    order=75, shapes=("prompt_only", "prompt_completion", "preference"), config_class=config_class,
    prepare_rows=prepare_rows, build_trainer=build_trainer,
    panels={"mean reward": ["reward"], "reward per function": ["rewards/*/mean"],
            "KL to reference (in the reward)": ["kl"], "completion length": ["completions/mean_length"]},
    verdict="answers", online=True, takes_rewards=True, studio_keys=STUDIO_KEYS,
    beta_name="beta", beta_range="0.0 – 0.1", beta_default=0.05,
    beta_note="β weighs the KL to the reference, summed over each answer, against the reward; 0.05 is TRL's "
              "default, and β = 0 drops the reference pass.",
    cost="**What it costs:** the policy, plus the reference when β > 0 (with LoRA: the adapter switched off, not a "
         "copy) and the reward model when one judges, and a few answers generated per prompt every step (the RLOO "
         "paper used 2–4; GRPO usually samples 8 or more). No value model, so fewer moving parts than PPO; choose "
         "PPO when you want a learnt critic's per-token credit, GRPO when rules score and groups are cheap.",
)
