"""DPO on TRL's DPOTrainer. With LoRA the reference model is the base with the adapter disabled."""

from __future__ import annotations

from .base import Method


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


METHOD = Method(
    id="dpo", name="DPO", kind="Offline", models_in_memory="2", needs_reward_model="No", needs_reference_model="Yes",
    data_requirement="Preference pairs", trainer="trl.DPOTrainer",
    summary="Raises the likelihood of chosen over rejected answers relative to a frozen reference. "
            "Simple, stable, the best general-purpose choice.",
    order=40, shapes=("preference",), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"loss": ["loss", "eval_loss"], "rewards (chosen / rejected)": ["rewards/chosen", "rewards/rejected"],
            "reward margin": ["rewards/margins"], "reward accuracy": ["rewards/accuracies"]},
    verdict="preference",
    beta_name="beta", beta_range="0.01 – 0.5", beta_default=0.1,
    beta_note="Lower β often works best; 0.1 is a common default.",
)
