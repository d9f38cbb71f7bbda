"""`Method`: everything the studio needs to know about one training method, declared in one place.

Each method module (sft.py, dpo.py, …) defines one `METHOD = Method(...)`; the registry finds them, and the
comparison table, the decision tree's leaves, the trainable list, the curve panels, the verdict and the Train
tab's fields are all read from these descriptors. Adding a method is one module plus its two presets
(presets/<id>.yaml for a GPU, presets/demo/<id>.yaml for the bundled model on a CPU).

A method may also offer named values of one of its TRL fields as a choice (DPO's `loss_type`): `options` maps
the field to its `Option`s, each saying when it fits and its β guidance; the Train tab offers them, the Method
tab lists them, and a preset naming a value that isn't one is refused with the nearest valid one.

The callables take plain values and import their heavy libraries (torch, trl) only when called, so reading
the registry stays fast.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

VERDICTS = ("preference", "feedback", "answers", "instructions", "reward_model")


@dataclass(frozen=True)
class Option:
    """One value a method offers for one of its TRL fields (a DPO loss), with when it fits and its β guidance."""
    value: str  # the TRL value, as written in a preset
    label: str  # what the Train tab's picker shows
    fits: str  # one line: when it fits
    beta: str = ""  # its β guidance, in words
    needs: dict = field(default_factory=dict)  # settings it can't run without, written when picked if unset


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
    # Named values it offers for some of its TRL fields: field → its options, the TRL default first
    options: dict[str, tuple[Option, ...]] = field(default_factory=dict)
    retired: dict[str, dict[str, str]] = field(default_factory=dict)  # field → value TRL dropped → what to do

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"method {self.id}: verdict must be one of {VERDICTS}, not {self.verdict!r}")
        if not self.panels:
            raise ValueError(f"method {self.id} declares no curve panels")

    def option(self, key: str, value: str) -> Option | None:
        return next((o for o in self.options.get(key, ()) if o.value == value), None)

    def check_options(self, training: dict) -> None:
        """ValueError naming the nearest valid value when a field with options holds a value that isn't one
        (a list field, like DPO's loss_type, is checked item by item)."""
        for key, options in self.options.items():
            if key not in training:
                continue
            value = training[key]
            for item in value if isinstance(value, (list, tuple)) else [value]:
                valid = [o.value for o in options]
                if item in valid:
                    continue
                if item in self.retired.get(key, {}):
                    raise ValueError(f"{key}: '{item}' is gone from TRL. {self.retired[key][item]}")
                near = difflib.get_close_matches(str(item), valid, n=1, cutoff=0.4)
                hint = f" Did you mean '{near[0]}'?" if near else ""
                raise ValueError(f"{key}: '{item}' is not one of {self.name}'s choices.{hint} The choices are: "
                                 f"{', '.join(valid)}.")
