"""KTO on TRL's KTOTrainer: single answers marked good or bad (thumbs up/down), no pairs needed.

(The old `DPOConfig(loss_type="kto_pair")` fails in TRL 1.16; KTOTrainer is the supported path.)
"""

from __future__ import annotations

SHAPES = ("unpaired_preference",)
STUDIO_KEYS: dict = {}


def config_class():
    from trl import KTOConfig

    return KTOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from ..data.validation import parse_label
    from .common import chat_rows

    return chat_rows([{**r, "label": parse_label(r["label"])} for r in rows], report, tokenizer)


def build_trainer(ctx):
    from trl import KTOTrainer

    return KTOTrainer(model=ctx.model, ref_model=None, args=ctx.args, train_dataset=ctx.train_dataset,
                      eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                      peft_config=ctx.peft_config, callbacks=ctx.callbacks)
