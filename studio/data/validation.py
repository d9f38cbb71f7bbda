"""Checks that turn loaded rows into a `DatasetReport`, and the hand-over of checked rows to `datasets`.

`inspect_dataset(path)` is the one call the UI and the CLI make: load → convert → detect → check.
Every finding names the row (first row = 1) and the column, and says what to do.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import formats
from .loading import MAX_FILE_BYTES, load_rows
from .report import DatasetReport, Finding

MAX_FINDINGS = 500
MIN_ROWS = 8
VALID_ROLES = {"system", "user", "assistant", "tool"}
_TRUE = {"true", "1", "yes", "y", "good", "up", "thumbs_up", "👍", "positive", "1.0"}
_FALSE = {"false", "0", "no", "n", "bad", "down", "thumbs_down", "👎", "negative", "0.0"}


def parse_label(value) -> bool | None:
    """Boolean-like label → bool; None when it is not boolean-like."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def inspect_dataset(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[DatasetReport, list[dict]]:
    """Load, convert, detect and check a dataset file. Raises ValueError only when nothing can be read."""
    path = Path(path)
    loaded = load_rows(path, max_bytes=max_bytes)
    rows, note = formats.convert_rows(loaded.rows)
    columns = list(dict.fromkeys(k for r in rows[:200] for k in r))
    shape = formats.detect_shape(columns)
    findings = list(loaded.findings)
    if shape is None:
        findings.append(Finding(
            "error",
            f"no known dataset shape in columns {columns}. Expected e.g. 'messages', 'text', "
            "'prompt'+'completion', 'prompt'+'chosen'+'rejected' or 'prompt'+'completion'+'label'; "
            "rename the columns to these names.",
        ))
        conversational = False
    else:
        conversational = formats.is_conversational(rows, shape)
        findings.extend(check_rows(rows, shape, conversational, loaded.numbers, loaded.unit))
    report = DatasetReport(
        source=path.name, file_format=loaded.file_format, rows=len(rows), columns=columns,
        shape=shape or "unknown", conversational=conversational, conversion_note=note,
        findings=findings[:MAX_FINDINGS], preview=[_shorten(r) for r in rows[:20]],
    )
    return report, rows


def check_rows(rows: list[dict], shape: str, conversational: bool, numbers: list[int] | None = None,
               unit: str = "row") -> list[Finding]:
    """Check every row. `numbers` are the rows' places in the file (JSONL: line numbers, unit "line")."""
    columns = list(dict.fromkeys(k for r in rows[:200] for k in r))
    needed = formats.required_columns(shape, columns)
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for index, row in enumerate(rows, start=1):
        place = numbers[index - 1] if numbers else index
        at = {"row": index, "line": place} if unit == "line" else {"row": place}
        found = []
        for column in needed:
            found.extend(_check_value(row.get(column), column, conversational))
        if shape == "preference" and row.get("chosen") is not None and row.get("chosen") == row.get("rejected"):
            found.append(Finding("error", "'chosen' and 'rejected' are identical, so there is nothing to prefer; "
                                 "fix the pair or delete the row.", column="rejected"))
        if shape == "unpaired_preference" and row.get("label") not in (None, "") and parse_label(row["label"]) is None:
            found.append(Finding("error", f"label {row['label']!r} is not boolean-like; use true/false (or 1/0, "
                                 "yes/no, up/down).", column="label"))
        key = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
        if key in seen:
            found.append(Finding("warning", f"duplicate of {seen[key]}; duplicates weigh that example twice."))
        else:
            seen[key] = f"{unit} {place}"
        for finding in found:
            finding.row, finding.line = at.get("row"), at.get("line")
        findings.extend(found)
        if len(findings) >= MAX_FINDINGS:
            break
    if len(rows) < MIN_ROWS:
        findings.append(Finding("warning", f"only {len(rows)} rows; training needs at least {MIN_ROWS} to show anything."))
    return findings


def _check_value(value, column: str, conversational: bool) -> list[Finding]:
    if column == "label":
        if value is None or value == "":
            return [Finding("error", "the label is missing; give true or false.", column=column)]
        return []
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Finding("error", "empty or missing; fill it in or delete the row.", column=column)]
    if isinstance(value, list):
        return _check_messages(value, column)
    if not isinstance(value, str):
        return [Finding("error", f"expected text, found {type(value).__name__}.", column=column)]
    if conversational and column != "text":
        return [Finding("error", "plain text in a conversational file; use a list of {role, content} messages.",
                        column=column)]
    return []


def _check_messages(messages: list, column: str) -> list[Finding]:
    if not messages:
        return [Finding("error", "an empty list of messages.", column=column)]
    for index, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            return [Finding("error", f"message {index} is not a {{role, content}} object.", column=column)]
        role = message.get("role")
        if role not in VALID_ROLES:
            return [Finding("error", f"message {index} has role {role!r}; use one of system, user, assistant, tool.",
                            column=column)]
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            return [Finding("error", f"message {index} ({role}) has empty content.", column=column)]
    if column == "messages" and not any(m.get("role") == "assistant" for m in messages):
        return [Finding("error", "the conversation has no assistant message to learn from.", column=column)]
    return []


def to_dataset(rows: list[dict], report: DatasetReport):
    """Checked rows → `datasets.Dataset` in the detected TRL shape (labels become real booleans)."""
    if not report.usable:
        first = report.errors[0].describe(report.source)
        raise ValueError(f"{report.source} has {len(report.errors)} error(s) to fix before training; first: {first}")
    from datasets import Dataset

    if report.shape == "unpaired_preference":
        rows = [{**r, "label": parse_label(r["label"])} for r in rows]
    return Dataset.from_list(rows)


def _shorten(row: dict, limit: int = 400) -> dict:
    def cut(value):
        if isinstance(value, str) and len(value) > limit:
            return value[:limit] + "…"
        if isinstance(value, list):
            return [cut(v) for v in value[:20]]
        if isinstance(value, dict):
            return {k: cut(v) for k, v in value.items()}
        return value

    return {k: cut(v) for k, v in row.items()}
