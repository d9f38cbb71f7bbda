"""The measured verdict: base vs aligned on held-out rows, scored by what the run has.

- preference pairs (DPO, ORPO): the log-likelihood margin log p(chosen) − log p(rejected) under each model;
  a pair is won when the aligned model's margin beats the base's.
- unpaired feedback (KTO): how the completion's log-likelihood moved; won when good answers got likelier
  and bad ones less likely.
- prompts with a reference answer (GRPO): both models answer greedily; the run's rule rewards (or
  numeric match) score them; won when the aligned answer scores higher.
- instructions with answers (SFT): both models answer; won when the reference answer became likelier.
- a reward model run: its pair accuracy on held-out pairs (chance is 50%).
`evaluate_run` writes eval.jsonl (one row per prompt) and eval_summary.json into the run folder.
"""

from __future__ import annotations

import json
from pathlib import Path


from ..data.checks import parse_label
from ..methods import METHODS
from ..training.runs import RunFolder
from .generate import ComparePair, DecodeSettings

# Prompts answered by both models in the automatic evaluation: generation is the slow part on a CPU
# (about a minute for 8 prompts × 2 models × 32 tokens with the bundled model); likelihood scores cover every row.
GENERATE_LIMIT = 8  # chats: rows answered by both models (the likelihood change is measured on every row)
ANSWER_LIMIT = 40  # prompts with reference answers: short answers, and accuracy needs enough rows to mean much
EXAMPLES = 4  # answered examples shown beside likelihood-scored rows (preference and feedback data)


def _messages(value, role: str) -> list[dict]:
    return [{"role": role, "content": value}] if isinstance(value, str) else list(value)


def _text(value) -> str:
    if isinstance(value, list):
        return "\n".join(str(m.get("content", "")) for m in value if isinstance(m, dict))
    return str(value)


def completion_logprob(pair: ComparePair, prompt, completion, aligned: bool, per_token: bool = False) -> float:
    """Sum (or mean, `per_token`) of the completion tokens' log-probabilities after the chat-templated prompt."""
    total, mean = completion_logprobs(pair, prompt, completion, aligned)
    return mean if per_token else total


def completion_logprobs(pair: ComparePair, prompt, completion, aligned: bool) -> tuple[float, float]:
    """(sum, mean) of the completion tokens' log-probabilities, from one forward pass."""
    import torch

    tokenizer = pair.tokenizer
    prompt_msgs, completion_msgs = _messages(prompt, "user"), _messages(completion, "assistant")
    if tokenizer.chat_template:
        prompt_ids = tokenizer.apply_chat_template(prompt_msgs, add_generation_prompt=True,
                                                   return_dict=True)["input_ids"]
        full_ids = tokenizer.apply_chat_template(prompt_msgs + completion_msgs, return_dict=True)["input_ids"]
    else:
        prompt_ids = tokenizer(_text(prompt_msgs))["input_ids"]
        full_ids = prompt_ids + tokenizer(_text(completion_msgs))["input_ids"]
    ids = torch.tensor([full_ids], device=pair.device)
    start = len(prompt_ids)
    with pair.lock, torch.no_grad():
        if aligned:
            logits = pair.model(ids).logits
        elif pair.base is not None:
            logits = pair.base(ids).logits
        else:
            with pair.model.disable_adapter():  # the base is the same weights with the adapter off
                logits = pair.model(ids).logits
    logprobs = torch.log_softmax(logits[0, :-1].float(), dim=-1)
    targets = ids[0, 1:]
    picked = logprobs.gather(1, targets.unsqueeze(1)).squeeze(1)[start - 1:]
    return float(picked.sum()), float(picked.mean())


def _preference_rows(pair, rows, settings, generate: int):
    records = []
    for index, row in enumerate(rows):
        if "prompt" in row:
            prompt, chosen, rejected = row["prompt"], row["chosen"], row["rejected"]
        else:  # implicit prompt: the conversations share everything but their last answer
            prompt = _messages(row["chosen"], "assistant")[:-1]
            chosen, rejected = _messages(row["chosen"], "assistant")[-1:], _messages(row["rejected"], "assistant")[-1:]
        # The summed margin is DPO's own quantity (its implicit reward); the per-token one is fair to pairs whose
        # answers differ in length, so "which answer does the model prefer" reads it.
        margins, per_token = {}, {}
        for side in (False, True):
            (chosen_sum, chosen_mean), (rejected_sum, rejected_mean) = (
                completion_logprobs(pair, prompt, answer, side) for answer in (chosen, rejected))
            margins[side], per_token[side] = chosen_sum - rejected_sum, chosen_mean - rejected_mean
        record = {"prompt": _text(prompt), "chosen": _text(chosen), "rejected": _text(rejected),
                  "base_margin": round(margins[False], 4), "aligned_margin": round(margins[True], 4),
                  "base_prefers_chosen": per_token[False] > 0, "aligned_prefers_chosen": per_token[True] > 0,
                  "win": margins[True] > margins[False]}
        if index < generate:
            record["base"], record["aligned"] = pair.answer_both(prompt, settings)
        records.append(record)
    n = len(records)
    summary = {"metric": "log-likelihood margin of chosen over rejected",
               "base_prefers_chosen": sum(r["base_prefers_chosen"] for r in records) / n,
               "aligned_prefers_chosen": sum(r["aligned_prefers_chosen"] for r in records) / n,
               "mean_base_margin": sum(r["base_margin"] for r in records) / n,
               "mean_aligned_margin": sum(r["aligned_margin"] for r in records) / n}
    return records, summary


def _unpaired_rows(pair, rows, settings, generate: int):
    records = []
    for index, row in enumerate(rows):
        good = parse_label(row["label"])
        base, aligned = (completion_logprob(pair, row["prompt"], row["completion"], side) for side in (False, True))
        record = {"prompt": _text(row["prompt"]), "completion": _text(row["completion"]), "label": good,
                  "logp_change": round(aligned - base, 4), "win": (aligned > base) == bool(good)}
        if index < generate:
            record["base"], record["aligned"] = pair.answer_both(row["prompt"], settings)
        records.append(record)
    good = [r["logp_change"] for r in records if r["label"]]
    bad = [r["logp_change"] for r in records if not r["label"]]
    summary = {"metric": "log-likelihood change of good vs bad answers",
               "mean_change_good": sum(good) / len(good) if good else None,
               "mean_change_bad": sum(bad) / len(bad) if bad else None}
    return records, summary


def _reward_functions(run_dir: Path, config: dict):
    """The run's own rewards (GRPO and PPO: rule rewards, custom code where allowed, a reward model), else the
    numeric match against the reference column."""
    from ..methods.rewards import numeric_match

    if METHODS.get(config.get("method", "")) is not None and METHODS[config["method"]].takes_rewards:
        from ..methods.rewards import reward_sources

        try:
            funcs, reward_model = reward_sources(config)
        except ValueError:
            funcs, reward_model = [], None
        if reward_model:
            from ..methods.ppo_trainer import RewardModelScorer
            from ..models import placement, resolve_model

            funcs.append(RewardModelScorer(resolve_model(reward_model), placement()))
        if funcs:
            return funcs
    return [numeric_match(config.get("reward_answer_column", "answer"))]


def _answer_rows(pair, rows, settings, config, run_dir):
    funcs = _reward_functions(run_dir, config)
    weights = config.get("reward_weights")
    if not isinstance(weights, list) or len(weights) != len(funcs):
        weights = [1.0] * len(funcs)  # the run's weights when they match its rewards, as in training
    column = config.get("reward_answer_column", "answer")
    records = []
    for row in rows:
        base, aligned = pair.answer_both(row["prompt"], settings)
        extra = {k: [v] for k, v in row.items() if k != "prompt"}
        scores = {}
        for side, text in (("base", base), ("aligned", aligned)):
            completion = [{"role": "assistant", "content": text}]
            scores[side] = sum(float(w) * float(f(completions=[completion], prompts=[row["prompt"]], **extra)[0] or 0)
                               for f, w in zip(funcs, weights))
        record = {"prompt": _text(row["prompt"]), "reference": str(row.get(column, "")), "base": base,
                  "aligned": aligned, "base_score": scores["base"], "aligned_score": scores["aligned"],
                  "win": scores["aligned"] > scores["base"], "tie": scores["aligned"] == scores["base"]}
        records.append(record)
    n = len(records)
    summary = {"metric": "reward of each model's own answer (" + ", ".join(
                   getattr(f, "__name__", "reward model") + (f" ×{w:g}" if float(w) != 1.0 else "")
                   for f, w in zip(funcs, weights)) + ")",
               "base_mean_score": sum(r["base_score"] for r in records) / n,
               "aligned_mean_score": sum(r["aligned_score"] for r in records) / n,
               "tie_rate": sum(r["tie"] for r in records) / n}
    if column in rows[0]:
        from ..methods.rewards import numeric_match

        match = numeric_match(column)
        for side in ("base", "aligned"):
            hits = match([r[side] for r in records], **{column: [row[column] for row in rows]})
            summary[f"{side}_accuracy"] = sum(hits) / n
    return records, summary


def _instruction_rows(pair, rows, settings):
    records = []
    for row in rows:
        if "messages" in row:
            messages = row["messages"]
            last = max(i for i, m in enumerate(messages) if m.get("role") == "assistant")
            prompt, reference = messages[:last], [messages[last]]
        else:
            prompt, reference = row["prompt"], row["completion"]
        base, aligned = pair.answer_both(prompt, settings)
        change = completion_logprob(pair, prompt, reference, True) - completion_logprob(pair, prompt, reference, False)
        records.append({"prompt": _text(prompt), "reference": _text(reference), "base": base, "aligned": aligned,
                        "reference_logp_change": round(change, 4), "win": change > 0,
                        "base_length": len(base), "aligned_length": len(aligned)})
    n = len(records)
    summary = {"metric": "log-likelihood change of the reference answer",
               "mean_reference_logp_change": sum(r["reference_logp_change"] for r in records) / n,
               "mean_base_length": sum(r["base_length"] for r in records) / n,
               "mean_aligned_length": sum(r["aligned_length"] for r in records) / n}
    return records, summary


def _reward_model_rows(run_dir: Path, rows):
    import torch
    from transformers import AutoModelForSequenceClassification

    from ..models import load_tokenizer, run_checkpoint

    path = run_checkpoint(run_dir)
    tokenizer = load_tokenizer(str(path))
    model = AutoModelForSequenceClassification.from_pretrained(str(path), num_labels=1).eval()
    model.config.pad_token_id = tokenizer.pad_token_id

    def score(prompt, answer) -> float:
        messages = _messages(prompt, "user") + _messages(answer, "assistant")
        ids = tokenizer.apply_chat_template(messages, return_tensors="pt", return_dict=True) \
            if tokenizer.chat_template else tokenizer(_text(messages), return_tensors="pt")
        with torch.no_grad():
            return float(model(**ids).logits[0, 0])

    records = []
    for row in rows:
        chosen, rejected = score(row["prompt"], row["chosen"]), score(row["prompt"], row["rejected"])
        records.append({"prompt": _text(row["prompt"]), "chosen_score": round(chosen, 4),
                        "rejected_score": round(rejected, 4), "win": chosen > rejected})
    summary = {"metric": "reward model pair accuracy on held-out pairs (chance is 0.5)",
               "mean_margin": sum(r["chosen_score"] - r["rejected_score"] for r in records) / len(records)}
    return records, summary


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate_run(run_dir: str | Path, rows: list[dict] | None = None, settings: DecodeSettings | None = None,
                 generate: int | None = None, pair: ComparePair | None = None,
                 write: bool = True) -> tuple[list[dict], dict]:
    """Evaluate a run on `rows` (default: its holdout.jsonl); `write` stores eval.jsonl and eval_summary.json."""
    folder = RunFolder(run_dir)
    run_dir = folder.path
    config = folder.values()
    if rows is None:
        if not folder.holdout.is_file():
            raise ValueError(f"run {run_dir.name} kept no held-out rows (holdout_rows was 0 or the data too small); "
                             "give prompts to evaluate on.")
        rows = folder.read_holdout()
    if not rows:
        raise ValueError("no rows to evaluate on.")
    settings = settings or DecodeSettings(max_new_tokens=32)
    columns = set(rows[0])
    method = METHODS.get(config.get("method", ""))
    if method is not None and method.verdict == "reward_model":
        records, summary = _reward_model_rows(run_dir, rows)
    else:
        pair = pair or ComparePair(run_dir)
        paired = {"chosen", "rejected"} <= columns
        # Prompts without answers are answered by both models and scored; so are any prompts of an online-RL
        # run, which is judged by what it optimised (its own rewards), not by the pairs' likelihoods.
        online = method is not None and method.online
        if "prompt" in columns and (online or not (paired or "completion" in columns)):
            records, summary = _answer_rows(pair, rows[:max(generate or ANSWER_LIMIT, 1)], settings, config, run_dir)
        elif paired:
            records, summary = _preference_rows(pair, rows, settings, min(generate or EXAMPLES, EXAMPLES))
        elif {"prompt", "completion", "label"} <= columns:
            records, summary = _unpaired_rows(pair, rows, settings, min(generate or EXAMPLES, EXAMPLES))
        elif "messages" in columns or {"prompt", "completion"} <= columns:
            records, summary = _instruction_rows(pair, rows[:max(generate or GENERATE_LIMIT, 1)], settings)
        else:
            raise ValueError(f"can't evaluate rows with columns {sorted(columns)}.")
    summary.update(rows=len(records), win_rate=sum(bool(r["win"]) for r in records) / len(records),
                   method=config.get("method"), decoding=vars(settings))
    if write:
        folder.write_verdict(records, summary)
    return records, summary


def read_summary(run_dir: str | Path) -> dict:
    return RunFolder(run_dir).read_summary() or {}


def summary_line(summary: dict) -> str:
    """One sentence for status messages and the Runs tab."""
    if not summary:
        return ""
    text = f"aligned wins {summary['win_rate']:.0%} of {summary['rows']} held-out rows ({summary['metric']})"
    if "aligned_accuracy" in summary:
        text += f"; accuracy {summary['base_accuracy']:.0%} → {summary['aligned_accuracy']:.0%}"
    if "aligned_prefers_chosen" in summary:
        text += (f"; prefers chosen {summary['base_prefers_chosen']:.0%} → "
                 f"{summary['aligned_prefers_chosen']:.0%}")
    return text
