"""RLHF with PPO on the studio's own trainer (TRL removed its PPOTrainer in 1.13): the method's contract.

Four roles, as in InstructGPT: the policy (LoRA by default); the frozen reference, which with LoRA is the same
weights with the adapter switched off (no second copy); the reward, a reward run's folder or any
sequence-classification checkpoint (`reward_model`), or rule rewards by name for quick tries (`reward_funcs`,
same keys as GRPO); and the value model, a small head on the policy's last hidden state trained alongside
and saved beside the adapter. The algorithm lives in ppo_trainer.py (loop) and ppo_core.py (formulas).
"""

from __future__ import annotations

from .base import Method
from .rewards import reward_keys

STUDIO_KEYS = reward_keys([])


def config_class():
    from .ppo_config import PPOConfig

    return PPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    """Keep the prompt and the columns rewards may read; PPO writes its own answers, so given ones are dropped
    (for preference pairs without a prompt column, the prompt is the conversation before the last answer)."""
    from .common import as_conversational

    out = []
    for row in rows:
        if "prompt" not in row and isinstance(row.get("chosen"), list):
            row = {**row, "prompt": row["chosen"][:-1]}
        out.append({k: v for k, v in row.items() if k not in ("completion", "chosen", "rejected")})
    if tokenizer.chat_template:  # the chat template is applied in training exactly as when chatting later
        out = as_conversational(out)
    return out


def reward_sources(extras: dict) -> tuple[list, str | None]:
    from .rewards import reward_sources as sources

    return sources(extras, "PPO")


def build_trainer(ctx):
    from ..models import resolve_model
    from .ppo_trainer import PPOTrainer, RewardModelScorer

    args = ctx.args
    if str(getattr(args, "eval_strategy", "no")) not in ("no", "IntervalStrategy.NO"):
        raise ValueError("PPO has no per-step evaluation: remove eval_strategy; the run is evaluated on its held-out "
                         "prompts when it finishes.")
    funcs, model_name = reward_sources(ctx.spec.extras)
    if model_name is not None:
        funcs = funcs + [RewardModelScorer(resolve_model(model_name), ctx.placement)]
    if args.reward_weights is not None and len(args.reward_weights) != len(funcs):
        raise ValueError(f"reward_weights has {len(args.reward_weights)} weights for {len(funcs)} rewards "
                         "(rule rewards in order, then the reward model); give one per reward.")
    prompts = len(ctx.train_dataset)
    if prompts < args.rollout_batch_size:
        raise ValueError(f"PPO samples {args.rollout_batch_size} prompts per step (per_device_train_batch_size × "
                         f"gradient_accumulation_steps × num_mini_batches) but the dataset has {prompts} training "
                         "prompts; lower per_device_train_batch_size or num_mini_batches.")
    return PPOTrainer(model=ctx.model, args=args, processing_class=ctx.tokenizer, train_dataset=ctx.train_dataset,
                      reward_funcs=funcs, peft_config=ctx.peft_config, callbacks=ctx.callbacks)


METHOD = Method(
    id="ppo", name="RLHF (PPO)", kind="Online RL", models_in_memory="3–4", needs_reward_model="Yes",
    needs_reference_model="Yes", data_requirement="Prompts + a reward model",
    trainer="studio PPO (TRL removed PPOTrainer in 1.13)",
    summary="Samples answers, scores them with a reward model, and updates the policy with PPO and a KL penalty "
            "toward the reference. Most control over the reward, most cost and fragility.",
    order=30, shapes=("prompt_only", "preference"), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"score": ["objective/scores", "objective/rlhf_reward"], "KL to reference": ["objective/kl"],
            "value loss": ["val/vf_loss"], "clip fraction": ["policy/clipfrac", "val/clipfrac"]},
    verdict="answers", online=True, takes_rewards=True, studio_keys=STUDIO_KEYS,
    cost="**What it costs:** 3–4 models in memory — the policy, a frozen reference (with LoRA: the adapter "
         "switched off, not a copy), the reward model and a value head — and a generation pass every step, so it "
         "is several times slower than DPO and sensitive to its hyperparameters (KL coefficient, clip range, "
         "learning rates). The Train tab's **RLHF in one click** trains the reward model first, then PPO against "
         "it. GRPO, next to it, needs no value model, and no reward model when rules can score.",
)
