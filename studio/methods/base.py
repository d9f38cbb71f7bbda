"""`Method`: everything the studio needs to know about one training method, declared in one place.

Each method module (sft.py, dpo.py, …) defines one `METHOD = Method(...)`; the registry finds them, and the
comparison table, the decision tree's leaves, the trainable list, the curve panels, the verdict and the Train
tab's fields are all read from these descriptors. Adding a method is one module plus its two presets
(presets/<id>.yaml for a GPU, presets/demo/<id>.yaml for the bundled model on a CPU).

The callables take plain values and import their heavy libraries (torch, trl) only when called, so reading
the registry stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

VERDICTS = ("preference", "feedback", "answers", "instructions", "reward_model")


@dataclass(frozen=True)
class Method:
    # The seed's comparison table
    id: str
    name: str
    kind: str  # "Supervised", "Offline", "Online RL", …
    models_in_memory: str
    needs_reward_model: str
    needs_reference_model: str
    data_requirement: str
    trainer: str  # the trainer it builds, as the table shows it
    summary: str
    order: int  # its row in the table (the seed's order)
    # What it trains on and how
    shapes: tuple[str, ...]  # dataset shapes (data.formats.SHAPES) it accepts
    config_class: Callable[[], type]
    prepare_rows: Callable[[list[dict], Any, Any], list[dict]]  # rows, report, tokenizer → trainer rows
    build_trainer: Callable[[Any], Any]  # a TrainContext → the trainer
    panels: dict[str, list[str]]  # live curves: panel title → metric keys ("rewards/*/mean" matches a family)
    verdict: str  # how the end-of-run verdict judges it (VERDICTS)
    online: bool = False  # writes its own answers during training (GRPO, PPO, RLOO)
    takes_rewards: bool = False  # rule rewards and/or a reward model (the reward_* keys)
    studio_keys: dict = field(default_factory=dict)  # its own preset keys beyond TRL's, with defaults
    model_kind: str = "causal_lm"  # or "sequence_classification"
    model_overrides: dict = field(default_factory=dict)  # ModelConfig values it always uses
    # β guidance (the seed's hyperparameter table)
    beta_name: str = ""
    beta_range: str = ""
    beta_default: float | None = None
    beta_note: str = ""
    # Where the decision tree leads to it: a leaf of its own, or a stage of another method's pipeline
    stage_of: str = ""
    cost: str = ""  # what it costs, in words, for the Method tab (online RL)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"method {self.id}: verdict must be one of {VERDICTS}, not {self.verdict!r}")
        if not self.panels:
            raise ValueError(f"method {self.id} declares no curve panels")
