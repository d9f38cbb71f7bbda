"""ORPO on TRL's experimental ORPOTrainer: SFT and preference alignment in one stage, no reference model."""

from __future__ import annotations

from .base import Method


def config_class():
    from trl.experimental.orpo import ORPOConfig

    return ORPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows

    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl.experimental.orpo import ORPOTrainer

    from .common import counting_pair_tokens

    return counting_pair_tokens(ORPOTrainer)(model=ctx.model, args=ctx.args, train_dataset=ctx.train_dataset,
        eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer, peft_config=ctx.peft_config,
        callbacks=ctx.callbacks)


METHOD = Method(
    id="orpo", name="ORPO", kind="Offline", models_in_memory="1", needs_reward_model="No", needs_reference_model="No",
    data_requirement="Preference pairs", trainer="trl.experimental.orpo.ORPOTrainer",
    summary="SFT and preference alignment in one stage: NLL on chosen plus an odds-ratio penalty on rejected. "
            "No reference model, about half DPO's memory.",
    order=60, shapes=("preference",), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"loss": ["loss", "nll_loss", "eval_loss"], "log odds ratio": ["log_odds_ratio"],
            "reward margin": ["rewards/margins"], "reward accuracy": ["rewards/accuracies"]},
    verdict="preference",
    beta_name="beta (λ)", beta_range="0.1", beta_default=0.1,
    beta_note="λ weighs the odds-ratio loss against the NLL loss.",
)
