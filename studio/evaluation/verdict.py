"""The verdict: did the run make the model better, judged on what it says, on a scale every method shares?

Base and aligned each answer the held-out prompts (in batches, the same decoding for both; the base's
answers are kept and reused by runs that share base, prompts and decoding). A judge (judges.py), chosen from
what the run and the data offer, decides which answer of each prompt is better:

- the run's own rewards, for online RL with rule rewards or a reward model (GRPO, PPO);
- a reward model the studio trains once on the *training* split of the user's preference pairs (never on the
  held-out rows) and keeps in runs/.judges/, for runs on pairs (DPO, ORPO, …) and on thumbs up/down feedback
  with both kinds of answer to the same prompts — or one given (`reward-model:PATH`), or a pairwise judge model
  (`pairwise:MODEL`);
- the overlap with the reference answer, for instructions with references and nothing better;
- checkable answers (numeric match) for prompts with an answer column.

From the outcomes: win / tie / loss, the win rate with a 95% interval, and *improved* / *no clear change* /
*regressed* (stats.py). Beside it: on held-out preference pairs, how often the per-token log-likelihood
prefers chosen over rejected (base and aligned) — a likelihood scale all offline methods share; the
method's own quantities (DPO's margin, KTO's shift, SFT's reference likelihood) as extra columns; the mean
answer length change, an estimate of KL(aligned ‖ base) on the aligned answers, and the share of empty and
cut-off answers. A reward model run is judged by its pair accuracy on held-out pairs against chance.

`evaluate_run` writes eval.jsonl (one row per prompt, the ones that moved most first) and eval_summary.json.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..data.checks import parse_label
from ..methods import METHODS
from ..training.runs import RunFolder, write_jsonl
from . import stats
from .generate import BaseAnswers, ComparePair, DecodeSettings
from .judges import Judge, ReferenceJudge, RewardModelJudge, RewardsJudge, prompt_text

PROMPT_LIMIT = 32  # prompts both models answer by default (generation is the slow part on a CPU)
ANSWER_LIMIT = 40  # prompts with checkable answers: accuracy needs enough rows to mean much
VERDICT_TOKENS = 64  # new tokens per answer by default
MIN_JUDGE_PAIRS = 16  # fewer training pairs than this train no judge


def _messages(value, role: str) -> list[dict]:
    return [{"role": role, "content": value}] if isinstance(value, str) else list(value)


def _text(value) -> str:
    if isinstance(value, list):
        return "\n".join(str(m.get("content", "")) for m in value if isinstance(m, dict))
    return str(value)


# Likelihoods --------------------------------------------------------------------------------------------------

def completion_logprobs(pair: ComparePair, prompt, completion, aligned: bool) -> tuple[float, float]:
    """(sum, mean) of the completion tokens' log-probabilities after the chat-templated prompt (one pass)."""
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
    if len(full_ids) <= len(prompt_ids):
        return 0.0, 0.0
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
    picked = logprobs.gather(1, ids[0, 1:].unsqueeze(1)).squeeze(1)[start - 1:]
    return float(picked.sum()), float(picked.mean())


def completion_logprob(pair: ComparePair, prompt, completion, aligned: bool, per_token: bool = False) -> float:
    total, mean = completion_logprobs(pair, prompt, completion, aligned)
    return mean if per_token else total


# Rows ---------------------------------------------------------------------------------------------------------

def row_kind(rows: list[dict], answer_column: str = "answer") -> str:
    columns = set(rows[0]) if rows else set()
    if {"chosen", "rejected"} <= columns:
        return "pairs"
    if {"prompt", "completion", "label"} <= columns:
        return "feedback"
    if "messages" in columns or {"prompt", "completion"} <= columns:
        return "instructions"
    if "prompt" in columns and answer_column in columns:
        return "answers"
    if "prompt" in columns:
        return "prompts"
    raise ValueError(f"can't evaluate rows with columns {sorted(columns)}: give rows with a prompt.")


def prompt_of(row: dict):
    if "prompt" in row:
        return row["prompt"]
    if "messages" in row:
        messages = row["messages"]
        last = max(i for i, m in enumerate(messages) if m.get("role") == "assistant")
        return messages[:last]
    return _messages(row["chosen"], "assistant")[:-1]  # implicit prompt: what chosen and rejected share


def reference_of(row: dict) -> str | None:
    if "messages" in row:
        messages = row["messages"]
        last = max(i for i, m in enumerate(messages) if m.get("role") == "assistant")
        return _text(messages[last]["content"])
    if "completion" in row and "label" not in row:
        return _text(row["completion"])
    return None


def _pair_parts(row: dict):
    if "prompt" in row:
        return row["prompt"], row["chosen"], row["rejected"]
    return (_messages(row["chosen"], "assistant")[:-1], _messages(row["chosen"], "assistant")[-1:],
            _messages(row["rejected"], "assistant")[-1:])


# The judge -------------------------------------------------------------------------------------------------------

def training_pairs(config: dict) -> list[dict]:
    """The run's training rows as preference pairs, the held-out rows left out as in training: its pairs, or
    thumbs up/down feedback paired by prompt (a good and a bad answer to the same prompt)."""
    from ..data import inspect_dataset
    from ..methods.common import split_holdout
    from ..training.spec import resolve_path

    report, rows = inspect_dataset(resolve_path(str(config.get("dataset", ""))))
    seed = config.get("seed")
    rows, _ = split_holdout(rows, int(config.get("holdout_rows", 32) or 0), int(42 if seed is None else seed))
    if report.shape == "preference":
        return [r for r in rows if r.get("chosen") and r.get("rejected")]
    if report.shape == "unpaired_preference":
        good, bad = {}, {}
        for row in rows:
            label = parse_label(row.get("label"))
            (good if label else bad).setdefault(_text(row["prompt"]), []).append(row["completion"])
        return [{"prompt": prompt, "chosen": chosen, "rejected": rejected}
                for prompt in good if prompt in bad
                for chosen, rejected in zip(good[prompt], bad[prompt])]
    return []


def judge_reward_model(folder: RunFolder, config: dict, train: bool = True, log=None) -> str | None:
    """The reward model that judges runs on this data: trained once on the training split of its pairs (the
    demo reward preset on the run's base model), kept in runs/.judges/ and reused by every run on the same data,
    split and base. None when the data holds no pairs; with `train` False, only an existing one."""
    from ..training.spec import resolve_path

    dataset = resolve_path(str(config.get("dataset", "")))
    try:
        stat = dataset.stat()
    except OSError:
        return None
    base = str(config.get("model_name_or_path") or "")
    key = hashlib.sha256(f"{dataset.resolve()}|{stat.st_size}|{int(stat.st_mtime)}|{base}|"
                         f"{config.get('holdout_rows', 32)}|{config.get('seed', 42)}".encode()).hexdigest()[:16]
    home = folder.path.parent / ".judges" / key
    run = RunFolder(home / "run")
    if run.state == "finished" and run.has_model():
        return str(run.path)
    if not train:
        return None
    pairs = training_pairs(config)
    if len(pairs) < MIN_JUDGE_PAIRS:
        return None
    home.mkdir(parents=True, exist_ok=True)
    lock = home / ".training"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:  # another process trains it: wait for it
        deadline = time.time() + 1800
        while lock.exists() and time.time() < deadline:
            time.sleep(1)
        return str(run.path) if run.state == "finished" and run.has_model() else None
    try:
        os.close(fd)
        write_jsonl(home / "pairs.jsonl", pairs)
        from ..training.execute import open_run, run as train_run
        from ..training.spec import load_spec, preset_path

        spec = load_spec(preset_path("reward"), {"dataset": str(home / "pairs.jsonl"), "holdout_rows": 0,
                                                 **({"model_name_or_path": base} if base else {})})
        if log:
            log(f"training the judge: a reward model on {len(pairs)} training pairs ({run.path})")
        if run.path.exists():
            import shutil

            shutil.rmtree(run.path)
        open_run(run, spec)
        state = train_run(run, spec)
        return str(run.path) if state.state == "finished" else None
    finally:
        lock.unlink(missing_ok=True)


def choose_judge(spec: str, folder: RunFolder, config: dict, kind: str, rows: list[dict], train: bool = True,
                 template: str | None = None, log=None) -> Judge | None:
    """`spec`: "auto", "rewards", "reward-model:PATH", "pairwise:MODEL", "reference", "answers" or "none"."""
    from ..methods.rewards import numeric_match, reward_sources
    from ..models import resolve_model

    spec = (spec or "auto").strip()
    method = METHODS.get(str(config.get("method", "")))
    column = str(config.get("reward_answer_column") or "answer")
    if spec == "none":
        return None
    if spec.startswith("reward-model:") or spec.startswith("reward:"):
        path = spec.split(":", 1)[1]
        return RewardModelJudge(resolve_model(path), label=Path(path).name or path)
    if spec.startswith("pairwise:"):
        from .judges import PAIRWISE_TEMPLATE, PairwiseJudge

        return PairwiseJudge(spec.split(":", 1)[1], template or PAIRWISE_TEMPLATE)
    if spec in ("rewards", "auto") and method is not None and method.takes_rewards:
        try:
            funcs, reward_model = reward_sources(config, method.name)
        except ValueError:
            funcs, reward_model = [], None
        if reward_model:
            from ..methods.ppo_trainer import RewardModelScorer
            from ..models import placement

            funcs.append(RewardModelScorer(resolve_model(reward_model), placement()))
        if funcs:
            return RewardsJudge(funcs, config.get("reward_weights"))
    if spec in ("answers", "auto") and kind == "answers":
        return RewardsJudge([numeric_match(column)])
    if spec == "auto" and kind in ("pairs", "feedback", "prompts"):
        path = judge_reward_model(folder, config, train=train, log=log)
        if path:
            return RewardModelJudge(resolve_model(path), label="trained on this data's training pairs")
    if spec in ("reference", "auto"):
        references = [reference_of(r) for r in rows]
        if all(r is not None for r in references) and references:
            return ReferenceJudge(references)
    if spec != "auto":
        raise ValueError(f"the judge {spec!r} can't judge these rows; pick auto, rewards, reward-model:PATH, "
                         "pairwise:MODEL, reference, answers or none.")
    return None


# The verdict ------------------------------------------------------------------------------------------------------

def _kl(pair: ComparePair, prompts: list, answers: list[str]) -> dict:
    """KL(aligned ‖ base), estimated on the aligned model's own answers: the mean over answers of
    Σ log p_aligned(token) − log p_base(token) (nats per answer, and per token)."""
    totals, tokens = [], 0
    for prompt, answer in zip(prompts, answers):
        if not answer:
            continue
        aligned_sum, aligned_mean = completion_logprobs(pair, prompt, answer, True)
        base_sum, _ = completion_logprobs(pair, prompt, answer, False)
        totals.append(aligned_sum - base_sum)
        tokens += round(aligned_sum / aligned_mean) if aligned_mean else 0
    if not totals:
        return {"kl_per_answer": None, "kl_per_token": None}
    return {"kl_per_answer": round(sum(totals) / len(totals), 4),
            "kl_per_token": round(sum(totals) / tokens, 5) if tokens else None}


def _likelihood_scale(pair: ComparePair, rows: list[dict]) -> tuple[list[dict], dict]:
    """Held-out pairs: does the per-token log-likelihood prefer chosen (base, aligned)? And DPO's own margin."""
    columns, before, after, margins = [], [], [], {False: [], True: []}
    for row in rows:
        prompt, chosen, rejected = _pair_parts(row)
        margin, per_token = {}, {}
        for side in (False, True):
            (c_sum, c_mean), (r_sum, r_mean) = (completion_logprobs(pair, prompt, a, side) for a in (chosen, rejected))
            margin[side], per_token[side] = c_sum - r_sum, c_mean - r_mean
            margins[side].append(margin[side])
        before.append(per_token[False] > 0)
        after.append(per_token[True] > 0)
        columns.append({"chosen": _text(chosen), "rejected": _text(rejected),
                        "base_prefers_chosen": per_token[False] > 0, "aligned_prefers_chosen": per_token[True] > 0,
                        "base_margin": round(margin[False], 4), "aligned_margin": round(margin[True], 4)})
    n = len(rows)
    return columns, {"preference": {**stats.flips(before, after), "n": n},
                     "own": {"mean_base_margin": sum(margins[False]) / n,
                             "mean_aligned_margin": sum(margins[True]) / n}}


def _feedback_shift(pair: ComparePair, rows: list[dict]) -> tuple[list[dict], dict]:
    columns, good, bad = [], [], []
    for row in rows:
        base = completion_logprob(pair, row["prompt"], row["completion"], False)
        aligned = completion_logprob(pair, row["prompt"], row["completion"], True)
        label = bool(parse_label(row["label"]))
        (good if label else bad).append(aligned - base)
        columns.append({"completion": _text(row["completion"]), "label": label,
                        "logp_change": round(aligned - base, 4)})
    return columns, {"own": {"mean_change_good": sum(good) / len(good) if good else None,
                             "mean_change_bad": sum(bad) / len(bad) if bad else None}}


def _reference_change(pair: ComparePair, rows: list[dict]) -> tuple[list[dict], dict]:
    columns, changes = [], []
    for row in rows:
        reference = reference_of(row)
        change = completion_logprob(pair, prompt_of(row), reference, True) - \
            completion_logprob(pair, prompt_of(row), reference, False)
        changes.append(change)
        columns.append({"reference": reference, "reference_logp_change": round(change, 4)})
    return columns, {"own": {"mean_reference_logp_change": sum(changes) / len(changes)}}


def _reward_model_verdict(folder: RunFolder, rows: list[dict]) -> tuple[list[dict], dict]:
    """A reward model run: how often it ranks the held-out pair's chosen answer above the rejected one."""
    from ..methods.ppo_trainer import RewardModelScorer
    from ..models import placement, run_checkpoint

    scorer = RewardModelScorer(str(run_checkpoint(folder.path)), placement())
    parts = [_pair_parts(r) for r in rows if {"chosen", "rejected"} <= set(r)]
    if not parts:
        raise ValueError("a reward model is judged on preference pairs; these rows hold none.")
    prompts = [p for p, _, _ in parts]
    chosen = scorer(prompts=prompts, completions=[_messages(c, "assistant") for _, c, _ in parts])
    rejected = scorer(prompts=prompts, completions=[_messages(r, "assistant") for _, _, r in parts])
    records = [{"prompt": _text(p), "chosen": _text(c), "rejected": _text(r), "chosen_score": round(cs, 4),
                "rejected_score": round(rs, 4), "win": cs > rs, "tie": False, "outcome": "win" if cs > rs else "loss"}
               for (p, c, r), cs, rs in zip(parts, chosen, rejected)]
    accuracy = stats.proportion(sum(r["win"] for r in records), len(records))
    summary = {"judge": "held-out pairs (chance is 50%)", "metric": "reward model pair accuracy on held-out pairs",
               "pair_accuracy": accuracy, "verdict": accuracy["verdict"], "win_rate": accuracy["rate"],
               "ci_low": accuracy["ci_low"], "ci_high": accuracy["ci_high"], "wins": accuracy["successes"],
               "ties": 0, "losses": len(records) - accuracy["successes"], "n": len(records),
               "mean_margin": sum(r["chosen_score"] - r["rejected_score"] for r in records) / len(records)}
    return records, summary


def _side_effects(base: list, aligned: list) -> dict:
    n = len(base)
    mean = lambda answers: sum(a.tokens for a in answers) / n  # noqa: E731
    return {"lengths": {"base_mean_tokens": round(mean(base), 2), "aligned_mean_tokens": round(mean(aligned), 2),
                        "change_tokens": round(mean(aligned) - mean(base), 2)},
            "empty": {"base": round(sum(not a.text for a in base) / n, 4),
                      "aligned": round(sum(not a.text for a in aligned) / n, 4)},
            "cut_off": {"base": round(sum(not a.ended for a in base) / n, 4),
                        "aligned": round(sum(not a.ended for a in aligned) / n, 4)}}


def evaluate_run(run_dir: str | Path, rows: list[dict] | None = None, settings: DecodeSettings | None = None,
                 generate: int | None = None, pair: ComparePair | None = None, write: bool = True,
                 judge: str | Judge = "auto", judge_template: str | None = None, train_judge: bool = True,
                 deadline: float | None = None, log=None) -> tuple[list[dict], dict]:
    """Judge a run on `rows` (default: its held-out rows): see the module docstring. `generate`: prompts both
    models answer; `judge`: see `choose_judge`; `train_judge`: may train the data's judge reward model here
    (never in the web server: the page passes False and uses one a run already trained); `deadline`: stop
    generating then and judge what was answered; `write`: store eval.jsonl and eval_summary.json."""
    folder = RunFolder(run_dir)
    config = folder.values()
    held_out = rows is None or bool(config.get("verdict_rows"))
    if rows is None:
        if not folder.holdout.is_file():
            raise ValueError(f"run {folder.name} kept no held-out rows (holdout_rows was 0 or the data too small); "
                             "give prompts to evaluate on.")
        rows = folder.read_holdout()
    if not rows:
        raise ValueError("no rows to evaluate on.")
    method = METHODS.get(str(config.get("method", "")))
    settings = settings or DecodeSettings(max_new_tokens=VERDICT_TOKENS)
    if method is not None and method.verdict == "reward_model":
        records, summary = _reward_model_verdict(folder, rows)
    else:
        records, summary = _judged(folder, config, rows, settings, generate, pair, judge, judge_template,
                                   train_judge, deadline, log)
    summary.update(method=config.get("method"), decoding=vars(settings), held_out=held_out)
    if write:
        folder.write_verdict(records, summary)
    return records, summary


def _judged(folder, config, rows, settings, generate, pair, judge_spec, template, train_judge, deadline, log):
    column = str(config.get("reward_answer_column") or "answer")
    kind = row_kind(rows, column)
    limit = max(1, generate or (ANSWER_LIMIT if kind == "answers" else PROMPT_LIMIT))
    answered = rows[:limit]
    prompts = [prompt_of(r) for r in answered]
    pair = pair or ComparePair(folder.path)
    judge = judge_spec if isinstance(judge_spec, Judge) else \
        choose_judge(judge_spec, folder, config, kind, answered, train=train_judge, template=template, log=log)
    cache = BaseAnswers(folder.path.parent)
    key = cache.key(str(pair.base_path), pair.tokenizer, [prompt_text(p) for p in prompts], settings)
    base = cache.get(key)
    if base is None or len(base) != len(prompts):
        base = pair.answers(prompts, settings, aligned=False, deadline=deadline)
        if all(a is not None for a in base):
            cache.put(key, base)
    aligned = pair.answers(prompts, settings, aligned=True, deadline=deadline)
    done = [i for i, (b, a) in enumerate(zip(base, aligned)) if b is not None and a is not None]
    answered, prompts = [answered[i] for i in done], [prompts[i] for i in done]
    base, aligned = [base[i] for i in done], [aligned[i] for i in done]
    if not done:
        raise ValueError("no prompt was answered before the run's time budget ran out.")
    records = [{"prompt": prompt_text(p), "base": b.text, "aligned": a.text, "base_tokens": b.tokens,
                "aligned_tokens": a.tokens} for p, b, a in zip(prompts, base, aligned)]
    summary: dict = {"prompts_answered": len(records), "prompts_given": len(rows)}
    if judge is not None:
        verdicts = judge.judge(prompts, [b.text for b in base], [a.text for a in aligned], answered)
        for record, v in zip(records, verdicts):
            record.update(base_score=v.base_score, aligned_score=v.aligned_score, outcome=v.outcome,
                          win=v.outcome == "win", tie=v.outcome == "tie")
        summary.update(stats.tally([v.outcome for v in verdicts]).to_dict(), **judge.describe(),
                       metric=f"{judge.name} of each model's own answer")
    else:
        for record in records:
            record.update(outcome=None, win=False, tie=False)
        summary.update(judge=None, verdict="not judged", metric="answers side by side (no judge for this data)",
                       n=len(records))
    if kind == "answers":
        from ..methods.rewards import numeric_match

        match = numeric_match(column)
        for side, answers in (("base", base), ("aligned", aligned)):
            hits = match([a.text for a in answers], **{column: [r[column] for r in answered]})
            summary[f"{side}_accuracy"] = sum(hits) / len(hits)
        for record, row in zip(records, answered):
            record["reference"] = str(row.get(column, ""))
    extra_rows, extra = [], {}
    if kind == "pairs":
        extra_rows, extra = _likelihood_scale(pair, rows)
    elif kind == "feedback":
        extra_rows, extra = _feedback_shift(pair, rows)
    elif kind == "instructions":
        extra_rows, extra = _reference_change(pair, answered)
    for index, columns in enumerate(extra_rows):
        if index < len(records):
            records[index].update(columns)
        else:  # held-out rows scored by likelihood only (no answers)
            records.append({"prompt": prompt_text(prompt_of(rows[index])), **columns, "outcome": None, "win": False,
                            "tie": False})
    summary.update(extra)
    summary.update(_side_effects(base, aligned), **_kl(pair, prompts, [a.text for a in aligned]))
    summary["rows"] = summary.get("n", len(records))
    return _moved_first(records), summary


def _moved_first(records: list[dict]) -> list[dict]:
    """The prompts whose judged score moved most, either way, first; then ties; then unjudged rows."""
    def rank(record):
        if record.get("outcome") is None:
            return (2, 0)
        a, b = record.get("aligned_score"), record.get("base_score")
        moved = abs(a - b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else 0.0
        return (1, -moved) if record["outcome"] == "tie" else (0, -moved)
    return sorted(records, key=rank)


def summary_line(summary: dict) -> str:
    """One sentence for status messages and the Runs tab."""
    if not summary:
        return ""
    if summary.get("verdict") == "not judged":
        return f"answers side by side on {summary.get('n', 0)} prompts (no judge for this data)"
    if "pair_accuracy" in summary:
        acc = summary["pair_accuracy"]
        return (f"{acc['verdict']}: ranks {acc['rate']:.0%} of {acc['n']} held-out pairs right "
                f"(95% CI {acc['ci_low']:.0%}–{acc['ci_high']:.0%}; chance is 50%)")
    if "verdict" not in summary:  # a verdict stored by an older version of the studio
        rate = summary.get("win_rate")
        return f"aligned wins {rate:.0%} of {summary.get('rows')} held-out rows" if rate is not None else ""
    prompts = "held-out prompts" if summary.get("held_out", True) else "prompts"
    text = (f"{summary['verdict']}: aligned wins {summary['wins']}, ties {summary['ties']}, loses "
            f"{summary['losses']} of {summary['n']} {prompts} ({summary['win_rate']:.0%}, 95% CI "
            f"{summary['ci_low']:.0%}–{summary['ci_high']:.0%}); judge: {summary['judge']}")
    if "aligned_accuracy" in summary:
        text += f"; accuracy {summary['base_accuracy']:.0%} → {summary['aligned_accuracy']:.0%}"
    preference = summary.get("preference")
    if preference and preference.get("before") is not None:
        text += f"; prefers chosen {preference['before']:.0%} → {preference['after']:.0%}"
    return text


def read_summary(run_dir: str | Path) -> dict:
    return RunFolder(run_dir).read_summary() or {}
