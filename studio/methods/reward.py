"""Reward model on TRL's RewardTrainer (Bradley-Terry on chosen vs rejected): RLHF's first stage.

The model is the base with a one-output classification head; its run folder can then serve as the
reward model of a PPO run or as a GRPO reward.
"""

from __future__ import annotations

SHAPES = ("preference",)
STUDIO_KEYS: dict = {}
MODEL_KIND = "sequence_classification"
# LoRA on a classifier: the new score head must train in full, which PEFT does for SEQ_CLS tasks.
MODEL_OVERRIDES = {"lora_task_type": "SEQ_CLS"}


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
