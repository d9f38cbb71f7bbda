"""Rule-based reward functions for GRPO (and quick PPO tries), chosen by name in a preset or the UI.

Each factory returns a function with TRL's reward signature `f(completions, **columns) -> list[float]`
and a readable `__name__` (TRL logs `rewards/<name>/mean`). Completions may be plain strings or, for
conversational data, lists of messages.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from collections.abc import Callable

# Custom reward code runs arbitrary Python: only on the user's own machine, after an explicit opt-in flag
# (`python app.py --allow-custom-code`, `python -m studio train --allow-custom-code`); never in shared mode.
CUSTOM_CODE_ENV = "STUDIO_ALLOW_CUSTOM_CODE"

THINK_ANSWER = re.compile(r"^<think>.*?</think>\s*<answer>.*?</answer>$", re.DOTALL)
ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def completion_text(completion) -> str:
    if isinstance(completion, list):
        return "".join(m.get("content", "") for m in completion if isinstance(m, dict))
    return str(completion)


def _answer_part(text: str) -> str:
    """The <answer> part when the model used the tags, else the whole text."""
    match = ANSWER_TAG.search(text)
    return match.group(1) if match else text


def _last_number(text: str) -> float | None:
    """The last number in the text: answers end with their result ("42 + 5 = 47"), not start with it."""
    matches = NUMBER.findall(text)
    if not matches:
        return None
    try:
        return float(matches[-1].replace(",", ""))
    except ValueError:
        return None


def _named(name: str, func: Callable) -> Callable:
    func.__name__ = name
    return func


def numeric_match(column: str = "answer") -> Callable:
    """1 when the answer's final number (inside <answer> tags if used) equals the reference in `column`, else 0."""
    def reward(completions, **kwargs):
        references = _column(kwargs, column, len(completions))
        scores = []
        for completion, reference in zip(completions, references):
            got, want = _last_number(_answer_part(completion_text(completion))), _last_number(str(reference))
            scores.append(1.0 if got is not None and want is not None and abs(got - want) < 1e-9 else 0.0)
        return scores
    return _named("numeric_match", reward)


def exact_match(column: str = "answer") -> Callable:
    """1 when the answer equals the reference text (case and surrounding space ignored), else 0."""
    def reward(completions, **kwargs):
        references = _column(kwargs, column, len(completions))
        return [1.0 if _answer_part(completion_text(c)).strip().lower() == str(r).strip().lower() else 0.0
                for c, r in zip(completions, references)]
    return _named("exact_match", reward)


def think_format() -> Callable:
    """The seed's format check: 1 for `<think>…</think><answer>…</answer>`, else 0."""
    def reward(completions, **kwargs):
        return [1.0 if THINK_ANSWER.match(completion_text(c).strip()) else 0.0 for c in completions]
    return _named("think_format", reward)


def length(target: int = 200) -> Callable:
    """Grows with the answer's length in characters up to `target`, then stays at 1."""
    def reward(completions, **kwargs):
        return [min(len(completion_text(c)) / max(target, 1), 1.0) for c in completions]
    return _named("length", reward)


def short(target: int = 40) -> Callable:
    """1 for answers up to `target` characters, falling linearly to 0 at twice that."""
    def reward(completions, **kwargs):
        return [max(0.0, min(1.0, 2.0 - len(completion_text(c)) / max(target, 1))) for c in completions]
    return _named("short", reward)


def keywords(words: list[str] | None = None) -> Callable:
    """The share of `words` that appear in the answer (case-insensitive)."""
    words = [w.lower() for w in (words or []) if w]
    if not words:
        raise ValueError("the keywords reward needs at least one keyword (reward_keywords).")
    def reward(completions, **kwargs):
        return [sum(w in completion_text(c).lower() for w in words) / len(words) for c in completions]
    return _named("keywords", reward)


def regex(pattern: str = "") -> Callable:
    """1 when the regular expression matches somewhere in the answer, else 0."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"reward_regex {pattern!r} is not a valid regular expression: {exc}") from exc
    if not pattern:
        raise ValueError("the regex reward needs a pattern (reward_regex).")
    def reward(completions, **kwargs):
        return [1.0 if compiled.search(completion_text(c)) else 0.0 for c in completions]
    return _named("regex", reward)


def _column(kwargs: dict, column: str, n: int) -> list:
    if column not in kwargs:
        raise ValueError(f"this reward compares against the column '{column}', which the dataset lacks; "
                         "set reward_answer_column to the column holding the reference answers.")
    return list(kwargs[column])[:n]


# name → (factory, the preset key whose value it takes, what it needs)
RULE_REWARDS = {
    "numeric_match": (numeric_match, "reward_answer_column", "a reference-answer column"),
    "exact_match": (exact_match, "reward_answer_column", "a reference-answer column"),
    "think_format": (think_format, None, "nothing"),
    "length": (length, "reward_target_length", "a target length"),
    "short": (short, "reward_target_length", "a target length"),
    "keywords": (keywords, "reward_keywords", "a list of keywords"),
    "regex": (regex, "reward_regex", "a regular expression"),
}


def build_rule_rewards(names: list[str], settings: dict) -> list[Callable]:
    """Reward names (+ the preset's reward_* settings) → reward functions. Unknown names raise ValueError."""
    funcs = []
    for name in names:
        if name not in RULE_REWARDS:
            raise ValueError(f"unknown reward '{name}'; rule rewards are: {', '.join(RULE_REWARDS)}.")
        factory, key, _ = RULE_REWARDS[name]
        value = settings.get(key) if key else None
        funcs.append(factory(value) if value not in (None, "", []) else factory())
    return funcs


def custom_code_allowed() -> bool:
    return os.environ.get(CUSTOM_CODE_ENV) == "1"


def load_custom_rewards(path: str, names: list[str]) -> list[Callable]:
    """Reward functions `names` from the Python file `path`, when custom code is allowed."""
    if not custom_code_allowed():
        raise ValueError(f"custom reward code is off, so {path} was not loaded. On your own machine, start the "
                         "studio with --allow-custom-code to use it (it is never allowed in shared mode).")
    file = Path(path).expanduser()
    if not file.is_file() or file.suffix != ".py":
        raise ValueError(f"reward_custom_file {path} is not a Python file on this machine.")
    spec = importlib.util.spec_from_file_location(f"studio_custom_rewards_{abs(hash(str(file)))}", file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ValueError(f"{file.name} failed to load: {type(exc).__name__}: {exc}") from exc
    funcs = []
    for name in names:
        func = getattr(module, name, None)
        if not callable(func):
            raise ValueError(f"{file.name} has no function named '{name}'.")
        funcs.append(func)
    if not funcs:
        raise ValueError("reward_custom_funcs is empty: name the functions to use from reward_custom_file.")
    return funcs


def reward_keys(default_funcs: list[str]) -> dict:
    """The preset keys of a method that takes rewards (GRPO, PPO, RLOO), with their defaults."""
    return {
        "reward_funcs": list(default_funcs),  # rule reward names, see RULE_REWARDS
        "reward_model": "",  # a reward run folder or a sequence-classification checkpoint
        "reward_answer_column": "answer",
        "reward_target_length": 200,
        "reward_keywords": [],
        "reward_regex": "",
        "reward_custom_file": "",  # a local .py file; needs --allow-custom-code (never in shared mode)
        "reward_custom_funcs": [],  # the function names to use from it
    }


def reward_sources(extras: dict, method: str = "PPO") -> tuple[list[Callable], str | None]:
    """A run's rewards from its reward_* keys: (rule and custom reward functions, reward-model folder or None).
    Shared by GRPO, PPO and the end-of-run verdict."""
    names = extras.get("reward_funcs") or []
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    funcs = build_rule_rewards(list(names), extras)
    if extras.get("reward_custom_file"):
        funcs += load_custom_rewards(extras["reward_custom_file"], list(extras.get("reward_custom_funcs") or []))
    model = str(extras.get("reward_model") or "").strip() or None
    if not funcs and model is None:
        raise ValueError(f"{method} needs a reward: set reward_model to a reward run's folder (or a "
                         "sequence-classification checkpoint), or name rule rewards in reward_funcs.")
    return funcs, model


def reward_callables(extras: dict, method: str) -> list:
    """What GRPO and RLOO hand TRL as `reward_funcs`: the rule rewards by name, then the reward model's path
    (TRL loads a path as a sequence-classification model)."""
    from ..models import resolve_model

    funcs, reward_model = reward_sources(extras, method)
    if reward_model:
        funcs.append(resolve_model(reward_model))
    return funcs

