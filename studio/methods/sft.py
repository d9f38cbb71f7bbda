"""SFT on TRL's SFTTrainer: conversations, prompt → completion pairs or plain text; loss on answers only."""

from __future__ import annotations

SHAPES = ("language_modeling", "prompt_completion")
STUDIO_KEYS: dict = {}


def config_class():
    from trl import SFTConfig

    return SFTConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows, messages_to_prompt_completion

    if "messages" in rows[0]:
        return messages_to_prompt_completion(rows)
    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl import SFTTrainer

    return SFTTrainer(model=ctx.model, args=ctx.args, train_dataset=ctx.train_dataset,
                      eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                      peft_config=ctx.peft_config, callbacks=ctx.callbacks)
