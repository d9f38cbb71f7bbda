"""ORPO on TRL's experimental ORPOTrainer: SFT and preference alignment in one stage, no reference model."""

from __future__ import annotations

SHAPES = ("preference",)
STUDIO_KEYS: dict = {}


def config_class():
    from trl.experimental.orpo import ORPOConfig

    return ORPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows

    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl.experimental.orpo import ORPOTrainer

    return ORPOTrainer(model=ctx.model, args=ctx.args, train_dataset=ctx.train_dataset,
                       eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                       peft_config=ctx.peft_config, callbacks=ctx.callbacks)
