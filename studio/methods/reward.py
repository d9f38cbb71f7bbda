"""Reward model on TRL's RewardTrainer (Bradley-Terry on chosen vs rejected): RLHF's first stage.

The model is the base with a one-output classification head; its run folder can then serve as the
reward model of a PPO run or as a GRPO reward.
"""

from __future__ import annotations

from .base import Method


def config_class():
    from trl import RewardConfig

    return RewardConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows

    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl import RewardTrainer

    return RewardTrainer(model=ctx.model, args=ctx.args, train_dataset=ctx.train_dataset,
                         eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                         peft_config=ctx.peft_config, callbacks=ctx.callbacks)


METHOD = Method(
    id="reward", name="Reward model", kind="Supervised (RLHF stage 1)", models_in_memory="1",
    needs_reward_model="—", needs_reference_model="No", data_requirement="Preference pairs",
    trainer="trl.RewardTrainer",
    summary="Learns to score answers (Bradley-Terry on chosen vs rejected); used later by PPO or GRPO.",
    order=20, shapes=("preference",), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"loss": ["loss", "eval_loss"], "pair accuracy": ["accuracy"], "reward margin": ["margin"],
            "learning rate": ["learning_rate"]},
    verdict="reward_model", model_kind="sequence_classification",
    # LoRA on a classifier: the new score head must train in full, which PEFT does for SEQ_CLS tasks.
    model_overrides={"lora_task_type": "SEQ_CLS"},
    stage_of="ppo",  # the tree leads to RLHF (PPO); the reward model is its first stage
)
