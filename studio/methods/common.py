"""What every method needs before its trainer exists: model, tokenizer, precision, LoRA, TRL config, data.

`prepare(spec, folder, callbacks, method)` returns a `TrainContext`; the method's `build_trainer` turns it
into a trainer.
A dataset file of `STUDIO_MEMORY_MAPPED_MB` (256) MB or more never sits in memory as Python rows: validation
hands each good row to an Arrow file in the run folder (one JSON text per row, so rows of any shape share one
schema; `datasets` has no writer that takes rows whose keys and types vary), which `datasets` memory-maps; the
held-out rows, near-ties and the method's row preparation are applied to it batch by batch, with the results
written beside it.
With LoRA the trainers use the base weights with the adapter disabled as the reference model, so no
second copy of the weights is loaded.
"""

from __future__ import annotations

import dataclasses
import os
import json
import random
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data import inspect_file, to_dataset
from ..data.validation import blocked_message, drop_near_ties, parse_label
from ..data.formats import as_conversational  # noqa: F401 (methods call it from here)
from ..models import Placement, load_tokenizer, placement, resolve_model


@dataclass
class TrainContext:
    spec: Any  # training.spec.RunSpec
    model: Any
    tokenizer: Any
    args: Any  # the method's TRL config
    peft_config: Any
    train_dataset: Any
    eval_dataset: Any = None
    callbacks: list = field(default_factory=list)
    placement: Placement | None = None


class CountsPairTokens:
    """Mixed into a pair trainer that logs no `num_tokens` (TRL's experimental ORPO and CPO trainers: their
    batches hold chosen_/rejected_ inputs, not the `input_ids` that transformers' own counter,
    `include_num_input_tokens_seen`, looks for), so that their runs show tokens/s on the Train tab and in the
    arena like the other methods. It counts the non-padding tokens of prompt + chosen and prompt + rejected in
    each training batch (`training_step`, evaluation batches aren't counted) and adds the running total to each
    log record (`log`, so the trackers get it too). Both are the overriding points transformers' Trainer
    documents."""

    KEYS = ("chosen_attention_mask", "rejected_attention_mask")
    _pair_tokens = 0

    def training_step(self, model, inputs, *args, **kwargs):
        self._pair_tokens += sum(int(inputs[k].sum()) for k in self.KEYS if k in inputs)
        return super().training_step(model, inputs, *args, **kwargs)

    def log(self, logs, *args, **kwargs):
        if "num_tokens" not in logs and self._pair_tokens:
            logs["num_tokens"] = float(self._pair_tokens)
        return super().log(logs, *args, **kwargs)


def counting_pair_tokens(trainer_class):
    """`trainer_class` with CountsPairTokens mixed in (same name)."""
    return type(trainer_class.__name__, (CountsPairTokens, trainer_class), {})


def chat_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    """`prepare_rows` for methods that take the detected shape as it is: plain strings become one-message
    conversations when the model has a chat template."""
    if tokenizer.chat_template and not report.conversational and "prompt" in rows[0]:
        return as_conversational(rows)
    return rows


def messages_to_prompt_completion(rows: list[dict]) -> list[dict]:
    """Conversations → (everything before the last assistant turn, that turn), so loss falls on the answer
    only, whatever the chat template (many templates lack the markers TRL's assistant-only loss needs)."""
    out = []
    for row in rows:
        messages = row["messages"]
        last = max(i for i, m in enumerate(messages) if m.get("role") == "assistant")
        out.append({"prompt": messages[:last], "completion": [messages[last]]})
    return out


def build_config(method, spec, folder, where: Placement):
    cls = method.config_class()
    values = dict(spec.training)
    values.setdefault("logging_steps", 1)
    values.setdefault("gradient_checkpointing", False)  # small models: the ~20% slowdown buys nothing
    # Checkpoints (adapter, optimizer, scheduler) let a stopped or interrupted run resume where it was.
    values.setdefault("save_strategy", "steps")
    values.setdefault("save_steps", 50)
    values.setdefault("save_total_limit", 2)
    values.setdefault("dataloader_num_workers", 0)
    # transformers hides a NaN loss behind the running average by default; the health checks must see it.
    values.setdefault("logging_nan_inf_filter", False)
    values.update(where.trainer_kwargs())
    values.update(output_dir=str(folder.checkpoints), disable_tqdm=True)
    # Trackers beside metrics.jsonl, each writing into the run folder (studio/trackers.py).
    from .. import trackers

    names = trackers.parse(values.pop("report_to", None))
    os.environ.update(trackers.environment(names, folder.path))  # this is the run's own process
    values.update(trackers.config_values(names, folder.path))
    from ..limits import shared_mode

    if shared_mode():  # whatever slipped past the page's allowlist: no loader of this run runs a repo's code
        values.pop("model_init_kwargs", None)
        if any(f.name == "trust_remote_code" for f in dataclasses.fields(cls)):
            values["trust_remote_code"] = False
    # TRL turns gradient checkpointing on by default; turning it off trips a rename warning in transformers.
    warnings.filterwarnings("ignore", message=".*checkpointing.*deprecated", category=FutureWarning)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"invalid {spec.method} settings: {exc}") from exc


def model_settings(spec, method) -> dict:
    return {**spec.model, **method.model_overrides}


def build_peft_config(spec, method):
    settings = model_settings(spec, method)
    if not settings.get("use_peft", True):
        return None
    from trl import ModelConfig, get_peft_config

    return get_peft_config(ModelConfig(**settings))


def load_model_for_training(path: str, spec, where: Placement, method, tokenizer):
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    settings = model_settings(spec, method)
    kwargs = {"dtype": where.torch_dtype(), "trust_remote_code": False}  # the studio never runs a repo's code
    if settings.get("load_in_4bit") or settings.get("load_in_8bit"):
        from trl import ModelConfig, get_quantization_config

        kwargs["quantization_config"] = get_quantization_config(ModelConfig(**settings))
    if method.model_kind == "sequence_classification":
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1, **kwargs)
        model.config.pad_token_id = tokenizer.pad_token_id  # the head reads the last non-pad token
    else:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    return model.to(where.device) if "quantization_config" not in kwargs else model


def load_training_rows(spec, accepted_shapes: tuple[str, ...], with_skipped: bool = False):
    """(report, the rows to train on), bad rows left out unless the spec says `skip_bad_rows: false`; with
    `with_skipped`, also the rows left out ({row, line?, reasons, data} each). Raises ValueError when the
    data is blocked (unusable file, too many bad rows, or any error in strict mode) or of the wrong shape."""
    found = inspect_file(spec.dataset_path(), skip_bad_rows=getattr(spec, "skip_bad_rows", True),
                         collect_skipped=with_skipped)
    report, rows = found.report, found.rows
    _check_shape(report, spec, accepted_shapes)
    to_dataset(rows, report)  # raises with the reason and the first error when the data is blocked
    return (report, rows, found.skipped) if with_skipped else (report, rows)


def memory_mapped_bytes() -> int:
    """Dataset files of this size or more are trained from a memory-mapped Arrow copy (STUDIO_MEMORY_MAPPED_MB)."""
    try:
        return int(float(os.environ.get("STUDIO_MEMORY_MAPPED_MB", "256")) * 2**20)
    except ValueError:
        return 256 * 2**20


def memory_mapped(spec) -> bool:
    path = Path(str(spec.dataset_path()))
    try:
        return path.is_file() and path.stat().st_size >= memory_mapped_bytes()
    except OSError:
        return False


def memory_mapped_rows(spec, folder, method, tokenizer, log=print, batch_rows: int = 1000):
    """`load_training_rows` + the held-out split + near-ties + `method.prepare_rows` for a big file, with the
    rows in memory-mapped Arrow files under the run folder instead of Python lists:
    (report, the training Dataset, held-out rows, skipped rows, near-tie rows)."""
    import pyarrow as pa
    from datasets import Dataset

    data_dir = folder.rows_cache
    shutil.rmtree(data_dir, ignore_errors=True)  # a resumed run reads the file again: it may have changed
    data_dir.mkdir(parents=True)
    arrow_path = data_dir / "rows.arrow"
    schema = pa.schema([("row", pa.large_string())])
    pending: list[str] = []
    with pa.OSFile(str(arrow_path), "wb") as out, pa.ipc.new_stream(out, schema) as writer:
        def flush():
            writer.write_batch(pa.record_batch([pa.array(pending, type=pa.large_string())], schema=schema))
            pending.clear()

        def sink(row):
            pending.append(json.dumps(row, ensure_ascii=False))
            if len(pending) >= 4096:
                flush()

        found = inspect_file(spec.dataset_path(), skip_bad_rows=getattr(spec, "skip_bad_rows", True),
                             collect_skipped=True, keep_rows=0, sink=sink)
        if pending:
            flush()
    report = found.report
    _check_shape(report, spec, method.shapes)
    if not report.usable:
        raise ValueError(blocked_message(report))
    rows = Dataset.from_file(str(arrow_path))
    log(f"{report.source}: {len(rows):,} rows memory-mapped from {arrow_path.name} (the file is "
        f"{Path(str(spec.dataset_path())).stat().st_size / 2**20:,.0f} MB)")
    total = len(rows)
    held = holdout_indices(total, spec.holdout_rows, spec.training.get("seed", 42))  # the judge's split too
    count = len(held)
    holdout = [json.loads(text) for text in rows.select(held)["row"]] if held else []
    held_set, near_ties = set(held), []
    gap = getattr(spec, "min_score_gap", 0.0)
    unpaired = report.shape == "unpaired_preference"

    def keep(batch, indices):
        flags = []
        for index, text in zip(indices, batch["row"]):
            if index in held_set:
                flags.append(False)
                continue
            _, dropped = drop_near_ties([json.loads(text)], report, gap) if gap else ([], [])
            near_ties.extend(dropped)
            flags.append(not dropped)
        return flags

    def convert(batch):
        decoded = [json.loads(text) for text in batch["row"]]
        if unpaired:
            decoded = [{**r, "label": parse_label(r["label"])} for r in decoded]
        prepared = method.prepare_rows(decoded, report, tokenizer)
        keys = list(dict.fromkeys(k for r in prepared for k in r))
        return {k: [r.get(k) for r in prepared] for k in keys}

    kept = rows.filter(keep, batched=True, batch_size=batch_rows, with_indices=True, load_from_cache_file=False,
                       cache_file_name=str(data_dir / "kept.arrow"), new_fingerprint=f"kept-{total}-{count}")
    if len(kept) == 0:
        raise ValueError(f"{report.source}: no row is left to train on once the skipped rows are left out.")
    dataset = kept.map(convert, batched=True, batch_size=batch_rows, remove_columns=["row"],
                       load_from_cache_file=False, cache_file_name=str(data_dir / "prepared.arrow"),
                       new_fingerprint=f"prepared-{len(kept)}")  # a fingerprint given: no hashing of the tokenizer
    return report, dataset, holdout, found.skipped, near_ties


def _check_shape(report, spec, accepted_shapes) -> None:
    if report.shape not in accepted_shapes:
        raise ValueError(
            f"{report.source} has the shape '{report.shape}', but {spec.method.upper()} trains on "
            f"{' or '.join(accepted_shapes)} data. Pick another dataset or the method the Method tab recommends."
        )


def skipped_summary(report, skipped: list[dict]) -> str:
    """One log line: how many rows were left out and the commonest reasons."""
    from ..data.validation import reason_counts

    common = "; ".join(f"{count}× {reason[:120]}" for reason, count in reason_counts(skipped).most_common(3))
    return (f"left {len(skipped)} row(s) out of training (skipped.jsonl), of {report.rows + report.unreadable_rows}"
            f" in the file: {common}")


def holdout_indices(total: int, wanted: int, seed: int) -> list[int]:
    """The positions of the rows kept out of training (up to `wanted`, never more than a tenth), sorted; the
    same for a file's rows in memory, memory-mapped, or read again by the verdict's judge."""
    count = min(wanted, total // 10)
    if count <= 0:
        return []
    order = list(range(total))
    random.Random(seed).shuffle(order)
    return sorted(order[:count])


def split_holdout(rows: list[dict], wanted: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Keep up to `wanted` rows (never more than a tenth) out of training, the same ones on every resume."""
    held = holdout_indices(len(rows), wanted, seed)
    if not held:
        return rows, []
    chosen = set(held)
    return [r for i, r in enumerate(rows) if i not in chosen], [rows[i] for i in held]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def prepare(spec, folder, callbacks: list, method, log=print) -> TrainContext:
    """Everything but the trainer, for `spec` trained into `folder` (a training.runs.RunFolder)."""
    where = placement()
    log(f"device {where.device}, dtype {where.dtype}")
    path = resolve_model(spec.model_name)
    log(f"model {spec.model_name} → {path}")
    tokenizer = load_tokenizer(path)
    if memory_mapped(spec):
        report, dataset, holdout, skipped, near_ties = memory_mapped_rows(spec, folder, method, tokenizer, log)
    else:
        report, rows, skipped = load_training_rows(spec, method.shapes, with_skipped=True)
        # The held-out split is drawn from the same rows the verdict reads (the file's rows, bad ones left out);
        # near-ties are dropped from the training side only, so the split never moves.
        rows, holdout = split_holdout(rows, spec.holdout_rows, spec.training.get("seed", 42))
        rows, near_ties = drop_near_ties(rows, report, getattr(spec, "min_score_gap", 0.0))
        dataset = None
    if holdout:
        write_jsonl(folder.holdout, holdout)
        log(f"kept {len(holdout)} rows out of training for the end-of-run evaluation (holdout.jsonl)")
    if near_ties:
        log(f"left {len(near_ties)} pair(s) out of training whose score gap is below min_score_gap "
            f"{spec.min_score_gap:g}")
    skipped = skipped + near_ties
    if skipped:
        write_jsonl(folder.skipped, skipped)
        log(skipped_summary(report, skipped))
    elif folder.skipped.exists():
        folder.skipped.unlink()  # a resumed run whose data was fixed meanwhile
    if dataset is None:
        if not rows:
            raise ValueError(f"{report.source}: no row is left to train on once the skipped rows are left out.")
        from datasets import Dataset

        dataset = Dataset.from_list(method.prepare_rows(rows, report, tokenizer))
    args = build_config(method, spec, folder, where)
    eval_dataset = None
    if holdout and str(getattr(args, "eval_strategy", "no")) not in ("no", "IntervalStrategy.NO"):
        # An eval_strategy in the config evaluates on the held-out rows during training (the eval_loss curve).
        eval_dataset = Dataset.from_list(method.prepare_rows(holdout, report, tokenizer))
    log(f"dataset {report.source}: {len(dataset)} rows, shape {report.shape}")
    model = load_model_for_training(path, spec, where, method, tokenizer)
    generation_config = getattr(model, "generation_config", None)
    if generation_config is not None and generation_config.pad_token_id is None:
        generation_config.pad_token_id = tokenizer.pad_token_id
    return TrainContext(spec=spec, model=model, tokenizer=tokenizer, args=args,
                        peft_config=build_peft_config(spec, method), train_dataset=dataset,
                        eval_dataset=eval_dataset,
                        callbacks=callbacks, placement=where)
