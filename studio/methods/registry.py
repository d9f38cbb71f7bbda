"""The method table and the decision tree, as data, plus `recommend_method` that walks the tree.

The facts (type, models in memory, reward/reference model needs, data requirement, β guidance) are the
seed article's comparison and hyperparameter tables, declared by each method module's `METHOD` descriptor
and collected here. The tree is the seed's: preference data? → paired or
unpaired? → single stage? → offline or online? → rule-based rewards or a reward model?
with two questions of the DPO family's own, each defaulting to the seed's answer: after ORPO's, whether to
train reference-free offline (SimPO/CPO), and after "a reward model", whether to train a value model beside
the policy (PPO) or none (RLOO).
Answers the dataset already gives (its detected shape) are filled in from the data; the user answers
the rest, and unanswered questions take the default the seed recommends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .base import Method


def _discover() -> dict[str, Method]:
    """Every module of this package that declares a `METHOD`, in the table's order."""
    import importlib
    import pkgutil

    found = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name in ("base", "registry", "common", "rewards") or info.name.startswith("ppo_"):
            continue
        method = getattr(importlib.import_module(f"{__package__}.{info.name}"), "METHOD", None)
        if isinstance(method, Method):
            found.append(method)
    return {m.id: m for m in sorted(found, key=lambda m: m.order)}


METHODS: dict[str, Method] = _discover()


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: dict[str, str]  # answer label → next question id, or "method:<id>"
    default: str  # the seed's recommendation when the user has no preference


TREE: dict[str, Question] = {
    q.id: q
    for q in (
        Question("preference", "Do you have preference data?",
                 {"no, only instructions": "method:sft", "yes": "pairing"}, "yes"),
        Question("pairing", "Paired or unpaired?",
                 {"unpaired (thumbs up/down)": "method:kto", "paired (chosen/rejected)": "single_stage"},
                 "paired (chosen/rejected)"),
        Question("single_stage", "Want single-stage training (no separate SFT)?",
                 {"yes": "method:orpo", "no": "reference_free"}, "no"),
        Question("reference_free", "Reference-free offline training (no frozen reference model)?",
                 {"yes": "method:cpo", "no": "online"}, "no"),
        Question("online", "Online or offline RL?",
                 {"offline (fixed dataset)": "method:dpo", "online (model generates)": "rewards"},
                 "offline (fixed dataset)"),
        Question("rewards", "Rule-based rewards, or a reward model?",
                 {"rule-based rewards": "method:grpo", "a reward model": "value_model"}, "rule-based rewards"),
        Question("value_model", "Train a value model beside the policy?",
                 {"yes (PPO)": "method:ppo", "no, leave-one-out baseline (RLOO)": "method:rloo"}, "yes (PPO)"),
    )
}
TREE_ROOT = "preference"

# What each dataset shape already answers.
ANSWERS_FROM_SHAPE: dict[str, dict[str, str]] = {
    "language_modeling": {"preference": "no, only instructions"},
    "prompt_completion": {"preference": "no, only instructions"},
    "preference": {"preference": "yes", "pairing": "paired (chosen/rejected)"},
    "unpaired_preference": {"preference": "yes", "pairing": "unpaired (thumbs up/down)"},
    # Prompts alone: the model writes the answers and a reward judges them, so only online RL fits.
    "prompt_only": {"preference": "yes", "pairing": "paired (chosen/rejected)", "single_stage": "no",
                    "reference_free": "no", "online": "online (model generates)"},
}

SHAPE_REASONS = {
    "language_modeling": "the data holds instructions with answers and no preferences",
    "prompt_completion": "the data holds prompts with answers and no preferences",
    "preference": "the data pairs a chosen and a rejected answer for each prompt",
    "unpaired_preference": "the data marks single answers as good or bad, without pairs",
    "prompt_only": "the data holds prompts without answers, so the model must write them and a reward judge them",
}


@dataclass
class Step:
    question_id: str
    question: str
    answer: str
    source: str  # "data", "you" or "default"


@dataclass
class Recommendation:
    method: str
    path: list[Step] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)

    @property
    def spec(self) -> Method:
        return METHODS[self.method]

    @property
    def answers_taken(self) -> dict[str, str]:
        return {step.question_id: step.answer for step in self.path}

    def to_dict(self) -> dict:
        return {"method": self.method, "name": self.spec.name,
                "path": [vars(s) for s in self.path], "reasons": self.reasons, "alternatives": self.alternatives}


def recommend_method(shape: str | None, answers: dict[str, str] | None = None) -> Recommendation:
    """Walk the decision tree: data-given answers first, then the user's, then the seed's defaults."""
    answers = dict(answers or {})
    from_data = ANSWERS_FROM_SHAPE.get(shape or "", {})
    for key, value in answers.items():
        if key not in TREE:
            raise ValueError(f"unknown question '{key}'; the questions are: {', '.join(TREE)}")
        if value not in TREE[key].answers:
            raise ValueError(f"'{value}' is not an answer to '{TREE[key].text}'; pick one of: "
                             f"{', '.join(TREE[key].answers)}")
    path: list[Step] = []
    node = TREE_ROOT
    while not node.startswith("method:"):
        question = TREE[node]
        if node in from_data:
            answer, source = from_data[node], "data"
        elif node in answers:
            answer, source = answers[node], "you"
        else:
            answer, source = question.default, "default"
        path.append(Step(node, question.text, answer, source))
        node = question.answers[answer]
    method = node.removeprefix("method:")
    reasons = []
    if shape in SHAPE_REASONS:
        reasons.append(f"Your data fits: {SHAPE_REASONS[shape]}.")
    for step in path:
        how = {"data": "from your data", "you": "your answer", "default": "the usual choice; change it if needed"}
        reasons.append(f"{step.question} → {step.answer} ({how[step.source]}).")
    reasons.append(METHODS[method].summary)
    alternatives = [m.id for m in METHODS.values() if m.id != method and shape in m.shapes]
    return Recommendation(method, path, reasons, alternatives)


def comparison_rows() -> list[list[str]]:
    """The seed's comparison table, one row per method, for display."""
    return [[m.name, m.kind, m.models_in_memory, m.needs_reward_model, m.needs_reference_model,
             m.data_requirement, m.beta_range or "—"] for m in METHODS.values()]


COMPARISON_HEADERS = ["Method", "Type", "Models in memory", "Needs reward model", "Needs reference model",
                      "Data requirement", "β range"]
