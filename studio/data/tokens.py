"""Token statistics with the chosen model's tokenizer and chat template: the rows as the trainer will see them.

`measure_tokens(report, rows, model, max_length)` runs each row through the method's own `prepare_rows`
(the one the trainer uses: plain strings become one-message chats when the model has a chat template,
SFT conversations split at the last answer, …), then TRL's `maybe_extract_prompt` and
`maybe_apply_chat_template`, exactly as TRL's trainers do, and tokenizes the rendered prompt and completion.
It measures a random sample of rows (1,000 by default; `exact=True` measures all), counts rows longer
than `max_length` (a warning on the report, not an error) and keeps a few rendered rows for the preview.
"""

from __future__ import annotations

import functools
import random
from dataclasses import asdict, dataclass, field

from .formats import required_columns
from .report import DatasetReport, Finding

SAMPLE_ROWS = 1000
DEFAULT_MAX_LENGTH = 1024  # TRL's default max_length for SFT, DPO, KTO and ORPO
PREVIEW_ROWS = 3
_TRL_KEYS = ("prompt", "completion", "chosen", "rejected", "messages", "label", "text")


@dataclass
class TokenStats:
    model: str
    method: str
    max_length: int
    rows_total: int
    rows_measured: int
    sampled: bool
    prompt_lengths: list[int] = field(default_factory=list)
    completion_lengths: list[int] = field(default_factory=list)  # preference: the longer of chosen/rejected
    total_lengths: list[int] = field(default_factory=list)
    truncated: int = 0  # measured rows whose prompt + completion exceeds max_length
    truncated_rows: list[int] = field(default_factory=list)  # their row numbers (first = 1), first few
    rendered: list[dict] = field(default_factory=list)  # the first rows as rendered text
    skipped: int = 0  # rows with errors that can't be rendered

    @property
    def truncated_estimate(self) -> int:
        """Rows over max_length in the whole dataset, scaled up from the sample."""
        if not self.rows_measured:
            return 0
        return round(self.truncated * self.rows_total / self.rows_measured)

    def percentile(self, which: str, q: float) -> int:
        values = sorted(getattr(self, f"{which}_lengths"))
        return values[min(len(values) - 1, int(q * len(values)))] if values else 0

    def summary(self) -> dict:
        return {which: {"mean": round(sum(v) / len(v), 1) if v else 0, "p50": self.percentile(which, 0.5),
                        "p95": self.percentile(which, 0.95), "max": max(v, default=0)}
                for which in ("prompt", "completion", "total") for v in [getattr(self, f"{which}_lengths")]}

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(truncated_estimate=self.truncated_estimate, summary=self.summary())
        return data


@functools.lru_cache(maxsize=4)
def _tokenizer(path: str):
    from ..models import load_tokenizer

    return load_tokenizer(path)


def load_model_tokenizer(model: str | None):
    """(tokenizer, name) for a model name, hub id or folder; ValueError when it can't be had."""
    from ..models import BUNDLED_MODEL, resolve_model

    name = (model or BUNDLED_MODEL).strip() or BUNDLED_MODEL
    path = resolve_model(name)
    try:
        return _tokenizer(path), name
    except Exception as exc:  # a folder without tokenizer files, a broken tokenizer.json …
        raise ValueError(f"could not load the tokenizer of {name} ({type(exc).__name__}: {str(exc)[:200]}).") from exc


def _generic_prepare(rows, report, tokenizer):
    from .formats import as_conversational

    if tokenizer.chat_template and not report.conversational and "text" not in rows[0]:
        return as_conversational(rows)
    return rows


def render_row(row: dict, tokenizer) -> dict:
    """One prepared row → its text as TRL renders it: {prompt, completion | chosen, rejected | text}."""
    from trl.data_utils import is_conversational, maybe_apply_chat_template, maybe_extract_prompt

    example = {k: v for k, v in row.items() if k in _TRL_KEYS}
    example = maybe_extract_prompt(example)
    if is_conversational(example):
        example.pop("text", None)
        return maybe_apply_chat_template(example, tokenizer)
    return example


def measure_tokens(report: DatasetReport, rows: list[dict], model: str | None = None,
                   max_length: int = DEFAULT_MAX_LENGTH, sample: int = SAMPLE_ROWS, exact: bool = False,
                   method: str = "", seed: int = 0, tokenizer=None, prepare=None) -> TokenStats:
    """Token lengths of (a sample of) the rows; adds a truncation warning to `report` and sets report.tokens.
    `prepare`: the method's own `prepare_rows` (the rows as its trainer gets them; `methods.token_view` picks
    it); without one, plain strings become one-message chats."""
    if report.shape == "unknown" or not rows:
        raise ValueError(f"{report.source}: no dataset shape was recognised, so there is nothing to tokenize yet.")
    if not isinstance(max_length, int) or max_length < 1:
        raise ValueError(f"max_length must be a whole number of tokens ≥ 1; got {max_length!r}.")
    if tokenizer is None:
        tokenizer, name = load_model_tokenizer(model)
    else:
        name = model or getattr(tokenizer, "name_or_path", "tokenizer")
    prepare = prepare or _generic_prepare
    indexes = list(range(len(rows)))
    sampled = (not exact and len(rows) > sample) or len(rows) < (report.training_rows or 0)
    if sampled:
        indexes = sorted(random.Random(seed).sample(indexes, sample))
    rendered, kept = [], []
    skipped = 0
    needed = set(required_columns(report.shape, report.columns))
    for index in indexes:
        if not needed <= rows[index].keys():
            skipped += 1  # a row of another shape (the checks name it)
            continue
        try:
            prepared = prepare([rows[index]], report, tokenizer)[0]
            rendered.append(render_row(prepared, tokenizer))
            kept.append(index)
        except Exception:  # a row with errors (the checks name them); it can't be rendered
            skipped += 1
    # The rows handed in may be the first of a larger file (validation streams it and keeps a pool of rows):
    # the estimate then scales to all the rows training reads.
    total = max(len(rows), report.training_rows or 0)
    stats = TokenStats(model=name, method=method, max_length=max_length, rows_total=total,
                       rows_measured=len(rendered), sampled=sampled, skipped=skipped,
                       rendered=[_show(r) for r in rendered[:PREVIEW_ROWS]])
    _count(stats, rendered, kept, tokenizer)
    report.findings = [f for f in report.findings if not f.message.startswith("token lengths:")]
    if stats.truncated:
        report.findings.append(Finding("warning", truncation_message(stats)))
    report.tokens = stats.to_dict()
    return stats


def _lengths(tokenizer, texts: list[str]) -> list[int]:
    if not texts:
        return []
    encoded = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return [len(ids) for ids in encoded]


def _count(stats: TokenStats, rendered: list[dict], kept: list[int], tokenizer) -> None:
    """Per row: prompt tokens, and completion tokens (the longer of chosen/rejected; all of `text`)."""
    lengths: dict[str, list[int]] = {}
    for key in ("prompt", "completion", "chosen", "rejected", "text"):
        texts = [str(r.get(key) or "") for r in rendered]
        lengths[key] = _lengths(tokenizer, texts) if any(key in r for r in rendered) else [0] * len(rendered)
    prompt, completion = [], []
    for i, row in enumerate(rendered):
        if "text" in row:
            prompt.append(0)
            completion.append(lengths["text"][i])
        else:
            prompt.append(lengths["prompt"][i])
            completion.append(max(lengths["chosen"][i], lengths["rejected"][i], lengths["completion"][i]))
    stats.prompt_lengths, stats.completion_lengths = prompt, completion
    stats.total_lengths = [p + c for p, c in zip(prompt, completion)]
    over = [index + 1 for index, total in zip(kept, stats.total_lengths) if total > stats.max_length]
    stats.truncated, stats.truncated_rows = len(over), over[:10]


def truncation_message(stats: TokenStats) -> str:
    share = 100 * stats.truncated / max(1, stats.rows_measured)
    rows = ", ".join(str(r) for r in stats.truncated_rows[:5]) + (" …" if stats.truncated > 5 else "")
    scope = (f"{stats.truncated:,} of the {stats.rows_measured:,} rows sampled ({share:.1f}%; about "
             f"{stats.truncated_estimate:,} of all {stats.rows_total:,})" if stats.sampled
             else f"{stats.truncated:,} of {stats.rows_measured:,} rows ({share:.1f}%)")
    return (f"token lengths: {scope} are longer than max_length {stats.max_length} tokens with {stats.model}'s chat "
            f"template (rows {rows}) and would be cut short in training. Raise max_length or shorten those rows.")


def _show(row: dict, limit: int = 4000) -> dict:
    return {k: (v[:limit] + "…" if isinstance(v, str) and len(v) > limit else v) for k, v in row.items()
            if k != "label"} | ({"label": row["label"]} if "label" in row else {})
