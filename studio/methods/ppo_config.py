"""PPOConfig: the studio PPO trainer's settings, a TRL-style config (TrainingArguments + PPO's own fields).

Field names follow TRL's former `PPOConfig` (removed in TRL 1.13) where it had one, so recipes written for it
read the same here. What one optimisation *step* means differs from the other methods: one PPO step samples a
rollout batch of prompts, scores the answers, and runs `num_ppo_epochs` passes of `num_mini_batches` updates
over it; `max_steps`, `logging_steps`, `save_steps` and the learning-rate schedule count these PPO steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trl.trainer.base_config import _BaseConfig


@dataclass
class PPOConfig(_BaseConfig):
    """Batch sizes, as in TRL's PPO: one rollout batch holds
    `per_device_train_batch_size × gradient_accumulation_steps × num_mini_batches` prompts; each mini-batch of
    `per_device_train_batch_size × gradient_accumulation_steps` answers is one optimizer update, computed in
    `gradient_accumulation_steps` forward/backward passes of `per_device_train_batch_size` answers."""

    learning_rate: float = field(default=3e-6, metadata={"help": "Policy learning rate (TRL's PPO default)."})
    logging_steps: float = field(default=1, metadata={"help": "Log every this many PPO steps."})

    # Generation
    max_prompt_length: int | None = field(
        default=512, metadata={"help": "Longer prompts keep their last this many tokens. None: no limit."})
    max_completion_length: int = field(
        default=64, metadata={"help": "Most tokens sampled per answer (TRL's former `response_length`)."})
    temperature: float = field(
        default=0.7, metadata={"help": "Sampling temperature; the log-probabilities PPO uses are taken at the same "
                                       "temperature, so the ratio compares like with like."})
    local_rollout_forward_batch_size: int = field(
        default=64, metadata={"help": "Answers generated and scored per forward pass during the rollout (memory)."})
    missing_eos_penalty: float | None = field(
        default=None, metadata={"help": "Subtracted from the score of answers that hit max_completion_length "
                                        "without ending. None: no penalty."})

    # PPO
    num_ppo_epochs: int = field(default=4, metadata={"help": "Passes over each rollout batch."})
    num_mini_batches: int = field(default=1, metadata={"help": "Optimizer updates per pass over a rollout batch."})
    kl_coef: float = field(default=0.05, metadata={"help": "β of the per-token KL penalty toward the reference "
                                                           "(the starting β when target_kl is set)."})
    kl_estimator: str = field(default="k1", metadata={"help": "'k1' (log-ratio, TRL's default) or 'k3' (never "
                                                              "negative, lower variance)."})
    target_kl: float | None = field(
        default=None, metadata={"help": "Adaptive KL controller: β is steered so the per-answer KL approaches this "
                                        "value. None: β stays at kl_coef."})
    kl_horizon: int = field(default=10_000, metadata={"help": "Adaptive KL: the controller's horizon in answers "
                                                              "(larger = slower changes of β)."})
    cliprange: float = field(default=0.2, metadata={"help": "ε of the clipped policy ratio."})
    cliprange_value: float = field(default=0.2, metadata={"help": "How far a value may move from its rollout "
                                                                  "estimate before its loss is clipped."})
    vf_coef: float = field(default=0.1, metadata={"help": "Weight of the value loss in the total loss."})
    gamma: float = field(default=1.0, metadata={"help": "Discount factor."})
    lam: float = field(default=0.95, metadata={"help": "λ of generalised advantage estimation."})
    whiten_rewards: bool = field(default=False, metadata={"help": "Whiten the per-token rewards (scale only) "
                                                                  "before GAE."})
    value_learning_rate: float | None = field(
        default=None, metadata={"help": "Learning rate of the value head (a linear layer on the policy's last "
                                        "hidden state). None: 10 × learning_rate, since it starts from zero."})
    reward_weights: list[float] | None = field(
        default=None, metadata={"help": "One weight per reward (rule rewards in order, then the reward model). "
                                        "None: all 1."})
    disable_dropout: bool = field(default=True, metadata={"help": "Turn dropout off in the policy, so rollout and "
                                                                  "update see the same probabilities."})

    def __post_init__(self):
        super().__post_init__()
        checks = [
            (self.num_ppo_epochs >= 1, "num_ppo_epochs must be at least 1."),
            (self.num_mini_batches >= 1, "num_mini_batches must be at least 1."),
            (self.max_completion_length >= 1, "max_completion_length must be at least 1."),
            (self.temperature > 0, "temperature must be above 0 (PPO needs sampled answers)."),
            (self.kl_estimator in ("k1", "k3"), f"kl_estimator must be 'k1' or 'k3', got {self.kl_estimator!r}."),
            (self.kl_coef >= 0, "kl_coef must be 0 or more."),
            (self.target_kl is None or self.target_kl > 0, "target_kl must be above 0, or None for a fixed β."),
            (self.kl_horizon >= 1, "kl_horizon must be at least 1."),
            (self.cliprange > 0 and self.cliprange_value > 0, "cliprange and cliprange_value must be above 0."),
            (0 <= self.gamma <= 1 and 0 <= self.lam <= 1, "gamma and lam must lie between 0 and 1."),
            (self.local_rollout_forward_batch_size >= 1, "local_rollout_forward_batch_size must be at least 1."),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def mini_batch_size(self) -> int:
        return self.per_device_train_batch_size * self.gradient_accumulation_steps

    @property
    def rollout_batch_size(self) -> int:
        return self.mini_batch_size * self.num_mini_batches
