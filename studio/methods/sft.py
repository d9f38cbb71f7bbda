"""SFT on TRL's SFTTrainer: conversations, prompt → completion pairs or plain text; loss on answers only."""

from __future__ import annotations

from .base import Method


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


METHOD = Method(
    id="sft", name="SFT", kind="Supervised", models_in_memory="1", needs_reward_model="No",
    needs_reference_model="No", data_requirement="(instruction, response) examples", trainer="trl.SFTTrainer",
    summary="Teaches the model what to say: cross-entropy on the response tokens. The usual first stage.",
    order=10, shapes=("language_modeling", "prompt_completion"),
    config_class=config_class, prepare_rows=prepare_rows, build_trainer=build_trainer,
    panels={"loss": ["loss", "eval_loss"], "token accuracy": ["mean_token_accuracy"],
            "learning rate": ["learning_rate"], "grad norm": ["grad_norm"]},
    verdict="instructions",
)
