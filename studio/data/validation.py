"""`inspect_dataset`: the one call the UI and the CLI make, and the hand-over of checked rows to `datasets`.

load (file or hub id) → map columns (guessed or the user's) → convert community formats → detect the
shape → check every row (checks.py) → `DatasetReport`. Any input, however hostile, ends in a report or
a ValueError whose message names the file and says what to do; nothing else escapes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import formats, mapping as colmap
from .checks import MAX_FINDINGS, MIN_ROWS, VALID_ROLES, check_rows, parse_label  # noqa: F401 (re-exported)
from .loading import MAX_FILE_BYTES, LoadedFile, load_rows
from .report import DatasetReport, Finding

PREVIEW_ROWS = 20
MIN_EVAL_ROWS = 8  # a held-out evaluation set smaller than this says little


def inspect_dataset(path: str | Path, mapping: dict | None = None, max_bytes: int = MAX_FILE_BYTES, *,
                    config: str | None = None, split: str | None = None,
                    holdout_rows: int = 0, max_rows: int | None = None) -> tuple[DatasetReport, list[dict]]:
    """Load, map, convert, detect and check a dataset file or hub dataset id.

    `mapping` is {target: source_column} (targets: prompt, completion, chosen, rejected, label, messages, text);
    it overrides the columns guessed from their names, and a target mapped to None is left unmapped.
    `config`/`split` choose a hub dataset's configuration and split. `holdout_rows` > 0 also checks what a
    run that keeps that many rows out for evaluation would leave. Raises ValueError only when nothing usable
    can be read (or the mapping names a column the file lacks).
    """
    from .hub import hub_id, load_hub_rows

    name = Path(str(path)).name or str(path)
    try:
        repo = hub_id(str(path))
        if repo:
            loaded = load_hub_rows(repo, config, split, **({"max_rows": max_rows} if max_rows else {}))
            name = repo + (f" [{config}]" if config else "") + (f" ({split})" if split else "")
        else:
            loaded = load_rows(path, max_bytes=max_bytes, max_rows=max_rows)
        return inspect_rows(loaded, name, mapping, path=str(path), holdout_rows=holdout_rows)
    except ValueError:
        raise
    except RecursionError as exc:
        raise ValueError(f"{name}: values are nested too deeply to check; flatten them.") from exc
    except MemoryError as exc:
        raise ValueError(f"{name}: too large to check in memory; use a smaller sample of it.") from exc
    except Exception as exc:  # a bug or an input nobody foresaw: still a message, never a traceback
        raise ValueError(f"{name}: could not be checked ({type(exc).__name__}: {str(exc)[:200]}). "
                         "Check the file's format; if it looks right, please report this.") from exc


def column_counts(rows: list[dict]) -> tuple[list[str], Counter]:
    """All columns in order of first appearance, and how many rows have each."""
    keysets = Counter(tuple(r) for r in rows)
    columns = list(dict.fromkeys(k for keys in keysets for k in keys))
    per_column: Counter = Counter()
    for keys, count in keysets.items():
        for key in keys:
            per_column[key] += count
    return columns, per_column


def detect(columns: list[str], per_column: Counter, total: int) -> str | None:
    """The shape most rows have (columns in over half the rows), else whatever the columns make together."""
    common = [c for c in columns if per_column[c] * 2 > total]
    return formats.detect_shape(common) or formats.detect_shape(columns)


def inspect_rows(loaded: LoadedFile, name: str, mapping: dict | None = None, path: str = "",
                 holdout_rows: int = 0) -> tuple[DatasetReport, list[dict]]:
    rows = loaded.rows
    source_columns, source_counts = column_counts(rows)
    explicit = colmap.validate_mapping(mapping, source_columns, name)
    applied, suggested = colmap.choose_mapping(source_columns, rows[:50], explicit)
    conversions = []
    if applied:
        rows = colmap.apply_mapping(rows, applied)
        conversions.append(colmap.mapping_note(applied, explicit, source_columns))
    rows, note = formats.convert_rows(rows, colmap.renamed_columns(source_columns, applied))
    if note:
        conversions.append(note)
    columns, per_column = column_counts(rows) if (applied or note) else (source_columns, source_counts)
    shape = detect(columns, per_column, len(rows))
    findings = list(loaded.findings)
    if shape is None:
        hint = f" They look like {_describe(suggested)}." if suggested else ""
        findings.append(Finding(
            "error",
            f"no known dataset shape in columns {columns}.{hint} Expected e.g. 'messages', 'text', "
            "'prompt'+'completion', 'prompt'+'chosen'+'rejected' or 'prompt'+'completion'+'label'; "
            "rename the columns, or map them (the Data tab's column mapping, or --map TARGET=COLUMN).",
        ))
        conversational = False
    else:
        conversational = formats.is_conversational(rows, shape)
        findings.extend(check_rows(rows, shape, conversational, loaded.numbers, loaded.unit, columns))
        findings.extend(check_split(len(rows), holdout_rows))
    report = DatasetReport(
        source=name, file_format=loaded.file_format, rows=len(rows), columns=columns,
        shape=shape or "unknown", conversational=conversational, findings=findings[:MAX_FINDINGS],
        preview=[shorten(r) for r in rows[:PREVIEW_ROWS]], path=path, source_columns=source_columns,
        column_mapping=applied, suggested_mapping=suggested, conversions=conversions,
    )
    return report, rows


def _describe(mapping: dict[str, str]) -> str:
    return ", ".join(f"'{c}' → {t}" for t, c in mapping.items())


def check_split(total: int, holdout_rows: int) -> list[Finding]:
    """What keeping `holdout_rows` out for evaluation (at most a tenth of the rows, as runs do) leaves."""
    if holdout_rows <= 0 or total < MIN_ROWS:
        return []
    held = min(holdout_rows, total // 10)
    findings = []
    if held < min(holdout_rows, MIN_EVAL_ROWS):
        findings.append(Finding("warning", f"of the {holdout_rows} rows asked for, only {held} can be kept out for "
                                f"the end-of-run evaluation (at most a tenth of {total}); the before/after comparison "
                                "will say little. Add rows, or set holdout_rows to 0."))
    if total - held < MIN_ROWS:
        findings.append(Finding("warning", f"keeping {held} rows out for evaluation leaves {total - held} to train "
                                f"on, under the {MIN_ROWS} training needs."))
    return findings


def to_dataset(rows: list[dict], report: DatasetReport):
    """Checked rows → `datasets.Dataset` in the detected TRL shape (labels become real booleans)."""
    if not report.usable:
        first = report.errors[0].describe(report.source)
        raise ValueError(f"{report.source} has {len(report.errors)} error(s) to fix before training; first: {first}")
    from datasets import Dataset

    if report.shape == "unpaired_preference":
        rows = [{**r, "label": parse_label(r["label"])} for r in rows]
    return Dataset.from_list(rows)


def shorten(row: dict, limit: int = 400, items: int = 20, levels: int = 6) -> dict:
    """A copy of `row` small enough to show: long text cut, long lists cut, deep nesting elided."""
    def cut(value, level):
        if isinstance(value, str):
            return value[:limit] + "…" if len(value) > limit else value
        if isinstance(value, (list, dict)) and level >= levels:
            return "…"
        if isinstance(value, list):
            return [cut(v, level + 1) for v in value[:items]]
        if isinstance(value, dict):
            return {str(k): cut(v, level + 1) for k, v in list(value.items())[:items]}
        return value

    return {k: cut(v, 0) for k, v in row.items()}
