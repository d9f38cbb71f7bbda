"""DPO on TRL's DPOTrainer. With LoRA the reference model is the base with the adapter disabled."""

from __future__ import annotations

SHAPES = ("preference",)
STUDIO_KEYS: dict = {}


def config_class():
    from trl import DPOConfig

    return DPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows

    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl import DPOTrainer

    return DPOTrainer(model=ctx.model, ref_model=None, args=ctx.args, train_dataset=ctx.train_dataset,
                      eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                      peft_config=ctx.peft_config, callbacks=ctx.callbacks)
