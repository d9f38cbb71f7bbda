"""KTO on TRL's KTOTrainer: single answers marked good or bad (thumbs up/down), no pairs needed.
(The old `DPOConfig(loss_type="kto_pair")` fails in TRL 1.16; KTOTrainer is the supported path.)
"""

from __future__ import annotations

from .base import Method


def config_class():
    from trl import KTOConfig

    return KTOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from ..data.checks import parse_label
    from .common import chat_rows

    return chat_rows([{**r, "label": parse_label(r["label"])} for r in rows], report, tokenizer)


def build_trainer(ctx):
    from trl import KTOTrainer

    return KTOTrainer(model=ctx.model, ref_model=None, args=ctx.args, train_dataset=ctx.train_dataset,
                      eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                      peft_config=ctx.peft_config, callbacks=ctx.callbacks)


METHOD = Method(
    id="kto", name="KTO", kind="Offline", models_in_memory="2", needs_reward_model="No", needs_reference_model="Yes",
    data_requirement="Unpaired good/bad labels", trainer="trl.KTOTrainer",
    summary="Learns from single answers marked good or bad (thumbs up/down), weighting losses more than gains "
            "as prospect theory does.",
    order=50, shapes=("unpaired_preference",), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"loss": ["loss", "eval_loss"], "rewards (chosen / rejected)": ["rewards/chosen", "rewards/rejected"],
            "KL to reference": ["kl"], "learning rate": ["learning_rate"]},
    verdict="feedback",
    beta_name="beta", beta_range="0.01 – 0.3", beta_default=0.1, beta_note="Similar trends to DPO.",
)
