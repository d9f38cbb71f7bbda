"""Judges: given a prompt and two answers (the base model's and the aligned model's), which is better?

- `RewardsJudge`: the run's own rewards — rule rewards, custom rewards where allowed, a reward model — weighted
  as training weighed them (GRPO, PPO): for prompts with checkable answers.
- `RewardModelJudge`: a sequence-classification checkpoint (a reward run's folder, the reward model the studio
  trains on the training split of the user's preference pairs, or any such checkpoint, local or hub) scores each
  answer; the higher score wins.
- `PairwiseJudge`: an instruct model (a local folder or a hub id; a 7B instruct on a GPU, say) is asked which of
  the two answers is better, in both orders; a win counts only when both orders agree, so a judge that prefers
  whatever comes first calls it a tie. Its prompt template is `PAIRWISE_TEMPLATE`, and can be replaced.
- `ReferenceJudge`: for instructions with a reference answer and nothing better: the answer whose words overlap
  the reference more (token F1) wins.
Identical answers are a tie under every judge, without asking it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

PAIRWISE_TEMPLATE = """You are judging two answers to the same request.

Request:
{prompt}

Answer A:
{answer_a}

Answer B:
{answer_b}

Which answer is more helpful, correct and appropriate? Reply with one letter: A or B."""


@dataclass(frozen=True)
class Judged:
    base_score: float | None
    aligned_score: float | None
    outcome: str  # "win" (the aligned answer is better), "tie" or "loss"


def outcome_of(base: float, aligned: float, tolerance: float = 1e-6) -> str:
    if abs(aligned - base) <= tolerance:
        return "tie"
    return "win" if aligned > base else "loss"


def prompt_text(prompt) -> str:
    if isinstance(prompt, list):
        return "\n".join(str(m.get("content", "")) for m in prompt if isinstance(m, dict))
    return str(prompt)


class Judge:
    name = "judge"
    needs_reference = False

    def scores(self, prompts: list, answers: list[str], rows: list[dict]) -> list[float]:
        raise NotImplementedError

    def judge(self, prompts: list, base: list[str], aligned: list[str], rows: list[dict]) -> list[Judged]:
        """Score both sides (identical answers are ties without a score of their own)."""
        base_scores = self.scores(prompts, base, rows)
        aligned_scores = self.scores(prompts, aligned, rows)
        return [Judged(b, a, "tie" if x == y else outcome_of(b, a))
                for b, a, x, y in zip(base_scores, aligned_scores, base, aligned)]

    def describe(self) -> dict:
        return {"judge": self.name}


class RewardsJudge(Judge):
    """The run's own rewards, weighted as in training; `funcs` take TRL's reward signature."""

    def __init__(self, funcs: list, weights: list[float] | None = None):
        self.funcs = funcs
        self.weights = weights if weights and len(weights) == len(funcs) else [1.0] * len(funcs)
        self.name = "rewards (" + ", ".join(getattr(f, "__name__", "reward model") +
                                            (f" ×{w:g}" if float(w) != 1.0 else "")
                                            for f, w in zip(funcs, self.weights)) + ")"

    def scores(self, prompts, answers, rows):
        columns = {k: [row.get(k) for row in rows] for k in (rows[0] if rows else {}) if k != "prompt"}
        completions = [[{"role": "assistant", "content": a}] for a in answers]
        totals = [0.0] * len(answers)
        for func, weight in zip(self.funcs, self.weights):
            values = func(completions=completions, prompts=list(prompts), **columns)
            totals = [t + float(weight) * float(v or 0) for t, v in zip(totals, values)]
        return totals


class RewardModelJudge(Judge):
    """A sequence-classification checkpoint's score of prompt + answer (formatted as its reward training saw it)."""

    def __init__(self, path: str, where=None, label: str = ""):
        from ..methods.ppo_trainer import RewardModelScorer
        from ..models import placement

        self.path = path
        self.scorer = RewardModelScorer(path, where or placement())
        self.name = f"reward model ({label or path})"

    def scores(self, prompts, answers, rows):
        completions = [[{"role": "assistant", "content": a}] for a in answers]
        return [float(s) for s in self.scorer(completions=completions, prompts=list(prompts))]

    def describe(self) -> dict:
        return {"judge": self.name, "judge_path": self.path}


class ReferenceJudge(Judge):
    """Token-F1 overlap with the reference answer: a rough judge, used only when nothing better is at hand."""

    name = "overlap with the reference answer (token F1)"
    needs_reference = True

    def __init__(self, references: list[str]):
        self.references = references

    def scores(self, prompts, answers, rows):
        return [token_f1(answer, reference) for answer, reference in zip(answers, self.references)]


_WORD = re.compile(r"\w+", re.UNICODE)


def token_f1(answer: str, reference: str) -> float:
    a, r = Counter(_WORD.findall(answer.lower())), Counter(_WORD.findall(reference.lower()))
    common = sum((a & r).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(r.values())
    return 2 * precision * recall / (precision + recall)


class PairwiseJudge(Judge):
    """An instruct model asked, in both orders, which answer is better (reads its next-token odds of A vs B)."""

    def __init__(self, model: str, template: str = PAIRWISE_TEMPLATE, where=None):
        import torch  # noqa: F401

        from ..models import load_causal_lm, load_tokenizer, placement, resolve_model

        if "{answer_a}" not in template or "{answer_b}" not in template or "{prompt}" not in template:
            raise ValueError("the judge's template must hold {prompt}, {answer_a} and {answer_b}.")
        self.where = where or placement()
        path = resolve_model(model)
        self.tokenizer = load_tokenizer(path)
        self.model = load_causal_lm(path, self.where)
        self.template, self.model_name = template, model
        self.name = f"pairwise judge ({model}, both orders)"
        self.letters = [self._letter_id(letter) for letter in ("A", "B")]

    def _letter_id(self, letter: str) -> list[int]:
        ids = {self.tokenizer.encode(variant, add_special_tokens=False)[-1] for variant in (letter, f" {letter}")}
        return sorted(ids)

    def _prefers_first(self, prompt, first: str, second: str) -> float:
        """The judge's probability that answer A (here `first`) is the better one, from its next-token odds."""
        import torch

        text = self.template.format(prompt=prompt_text(prompt), answer_a=first, answer_b=second)
        messages = [{"role": "user", "content": text}]
        if self.tokenizer.chat_template:
            encoded = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                         return_dict=True)
        else:
            encoded = self.tokenizer(text + "\nAnswer:", return_tensors="pt")
        with torch.no_grad():
            logits = self.model(**{k: v.to(self.where.device) for k, v in encoded.items()}).logits[0, -1].float()
        probs = torch.softmax(logits, dim=-1)
        a, b = (float(probs[ids].sum()) for ids in self.letters)
        return a / (a + b) if a + b > 0 else 0.5

    def judge(self, prompts, base, aligned, rows):
        verdicts = []
        for prompt, b, a in zip(prompts, base, aligned):
            if a == b:
                verdicts.append(Judged(None, None, "tie"))
                continue
            aligned_first = self._prefers_first(prompt, a, b)  # A = aligned
            base_first = self._prefers_first(prompt, b, a)  # A = base
            aligned_wins_1, aligned_wins_2 = aligned_first > 0.5, base_first < 0.5
            outcome = "win" if aligned_wins_1 and aligned_wins_2 else \
                "loss" if not aligned_wins_1 and not aligned_wins_2 else "tie"
            verdicts.append(Judged(round(1 - (aligned_first + 1 - base_first) / 2, 4),
                                   round((aligned_first + 1 - base_first) / 2, 4), outcome))
        return verdicts

    def describe(self) -> dict:
        return {"judge": self.name, "judge_model": self.model_name, "judge_template": self.template}
