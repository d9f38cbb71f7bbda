"""Row checks: every finding names the row (first = 1, or the JSONL line) and the column, and says what to do.

Checked per row: missing or empty fields, wrong types, plain text and message lists mixed in one column,
messages with bad roles or order, `chosen` identical to `rejected`, labels that aren't boolean-like,
duplicates, rows of another shape than the rest of the file, huge values, deeply nested values, and
extra columns that mix types (the trainer's Arrow table can't hold those).

Written for speed (100,000 rows in well under a second): strings take a fast path, duplicates are found
by a 64-bit hash of each row's JSON (xxhash of orjson's bytes), and nothing is copied.
"""

from __future__ import annotations

import hashlib
import json

from . import formats
from .content import scan_text
from .report import Finding

MAX_FINDINGS = 500
MIN_ROWS = 8
HUGE_CHARS = 100_000  # one row's text beyond this is far past any training context
MAX_DEPTH = 16  # nesting beyond this is no dataset the trainers can read
VALID_ROLES = {"system", "user", "assistant", "tool"}
_TRUE = {"true", "1", "yes", "y", "good", "up", "thumbs_up", "👍", "positive", "1.0", "desirable"}
_FALSE = {"false", "0", "no", "n", "bad", "down", "thumbs_down", "👎", "negative", "0.0", "undesirable"}


def parse_label(value) -> bool | None:
    """Boolean-like label → bool; None when it is not boolean-like."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def depth(value, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of lists/dicts (text = 0), counted without recursion and no further than `limit` + 1."""
    level = 0
    frontier = [value] if isinstance(value, (list, dict)) else []
    while frontier and level <= limit:
        level += 1
        deeper = []
        for item in frontier:
            deeper.extend(v for v in (item.values() if isinstance(item, dict) else item) if isinstance(v, (list, dict)))
        frontier = deeper
    return level


try:  # both ship with the studio's dependencies (gradio, datasets)
    import orjson as _orjson
    from xxhash import xxh3_64_intdigest as _digest
except ImportError:  # pragma: no cover
    _orjson = _digest = None
_KEY_OPTIONS = (_orjson.OPT_SORT_KEYS | _orjson.OPT_NON_STR_KEYS) if _orjson is not None else 0


def row_key(row: dict) -> int | None:
    """A 64-bit hash of the row's content (key order ignored) that is the same in every process, so that
    parts of a file checked in other processes (parts.py) find each other's duplicates; None if the row
    can't be written as JSON. Python's own hash() of strings differs from process to process."""
    try:
        if _orjson is not None:
            try:
                return _digest(_orjson.dumps(row, option=_KEY_OPTIONS, default=repr))
            except (TypeError, _orjson.JSONEncodeError):  # past orjson's limits (depth, 64-bit integers)
                pass
        text = json.dumps(row, sort_keys=True, default=repr, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")
    except (TypeError, ValueError, RecursionError):
        return None


def _rules(shape: str, columns: list[str]) -> dict[str, str]:
    """How each needed column's message list is checked: as a whole conversation, a prompt or an answer."""
    explicit_prompt = "prompt" in columns
    rules = {"messages": "conversation", "prompt": "prompt"}
    for column in ("completion", "chosen", "rejected"):
        rules[column] = "answer" if explicit_prompt else "transcript"
    return rules


def check_rows(rows: list[dict], shape: str, conversational: bool, numbers: list[int] | None = None,
               unit: str = "row", columns: list[str] | None = None) -> list[Finding]:
    """Check every row. `numbers` are the rows' places in the file (JSONL: line numbers, unit "line")."""
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows[:200] for k in r))
    checker = RowChecker(shape, conversational, columns, unit)
    findings: list[Finding] = []
    for index, row in enumerate(rows, start=1):
        found = checker.check(row, numbers[index - 1] if numbers else index, index)
        if found:
            findings.extend(found)
            if len(findings) >= MAX_FINDINGS:
                break
    findings.extend(checker.finish(len(rows)))
    return findings


class RowChecker:
    """The checks of one file, one row at a time (so a file can be checked while it streams past).

    `check(row, place, index)` returns the row's findings with their row (and line) set; what it learns on
    the way (the first type each extra column holds, the rows seen for duplicates) it keeps. Duplicates are
    remembered by a hash of the row, not the row itself, so memory stays small for large files. After a
    call, `marker` names a media marker (`<image>`) found in the row's text and `placeholder` says whether
    a template placeholder was left in it, and `duplicate_of` the place of the row it repeats (else None)."""

    def __init__(self, shape: str, conversational: bool, columns: list[str], unit: str = "row"):
        self.shape, self.conversational, self.unit = shape, conversational, unit
        self.needed = formats.required_columns(shape, columns)
        self.needed_set = set(self.needed)
        self.rules = _rules(shape, list(self.needed))
        self.text_columns = tuple(c for c in self.needed if c != "label")
        self.check_label = "label" in self.needed
        self.pair = shape == "preference"
        self.extra_kinds: dict[str, tuple[str, str]] = {}  # column → (kind, where first seen)
        self.seen: dict = {}  # hash of a row → where it was first seen
        self.mixed: set[str] = set()  # extra columns found holding another type than where first seen
        self.marker: str | None = None
        self.placeholder = False
        self.duplicate_of: int | None = None

    def check(self, row: dict, place: int, index: int) -> list[Finding]:
        needed, conversational = self.needed, self.conversational
        found: list[Finding] = []
        size = 0
        self.marker, self.placeholder, self.duplicate_of = None, False, None
        missing = None if row.keys() >= self.needed_set else [c for c in needed if c not in row]
        other = formats.detect_shape(list(row)) if missing else None
        if other is not None and not set(formats.required_columns(other, list(row))) <= self.needed_set:
            found.append(Finding(
                "error", f"this row has the columns {list(row)}, the shape of {other.replace('_', ' ')} data, not "
                f"the {list(needed)} most rows have; one file holds one shape: split it or fix the row.",
                column=missing[0]))
        else:
            for column in self.text_columns:
                value = row.get(column)
                if type(value) is str:  # the fast path: most values are plain text
                    if not value or value.isspace():
                        found.append(Finding("error", "empty or missing; fill it in or delete the row.", column=column))
                    elif conversational and column != "text":
                        found.append(Finding("error", "plain text in a conversational file; use a list of "
                                             "{role, content} messages.", column=column))
                    elif "<" in value or ("{" in value and "{{" in value):  # "{" first: a 1-char search is cheaper
                        self._scan(value)
                    size += len(value)
                    continue
                problem, chars = _check_value(value, column, conversational, self.rules.get(column, "conversation"))
                found.extend(problem)
                size += chars
                if type(value) is list:
                    for message in value:
                        content = message.get("content") if isinstance(message, dict) else None
                        if type(content) is str and ("<" in content or ("{" in content and "{{" in content)):
                            self._scan(content)
            if self.check_label:
                label = row.get("label")
                if label is None or label == "":
                    found.append(Finding("error", "the label is missing; give true or false.", column="label"))
                elif parse_label(label) is None:
                    shown = repr(label) if len(repr(label)) < 60 else repr(label)[:60] + "…"
                    found.append(Finding("error", f"label {shown} is not boolean-like; use true/false (or 1/0, "
                                         "yes/no, up/down).", column="label"))
            if self.pair and row.get("chosen") is not None and row.get("chosen") == row.get("rejected"):
                found.append(Finding("error", "'chosen' and 'rejected' are identical, so there is nothing to prefer; "
                                     "fix the pair or delete the row.", column="rejected"))
        if size > HUGE_CHARS:
            found.append(Finding("warning", f"this row holds {size:,} characters (about {size // 4:,} tokens), far "
                                 "beyond any training context; it will be cut short. Shorten it or delete the row."))
        for column, value in (row.items() if len(row) > len(needed) or missing else ()):
            if value is None or column in self.needed_set:
                continue
            kind = _kind(value)
            if kind in ("list", "dict") and depth(value) > MAX_DEPTH:
                found.append(Finding("error", f"the value is nested more than {MAX_DEPTH} levels deep; the trainer "
                                     "can't read it. Flatten it or drop the column.", column=column))
                continue
            first = self.extra_kinds.get(column)
            if first is None:
                self.extra_kinds[column] = (kind, f"{self.unit} {place}")
            elif first[0] != kind:
                self.mixed.add(column)
                # Every such row is named (and left out of training): the trainer's table can't hold any of them.
                found.append(Finding("error", f"holds a {kind} here but a {first[0]} in {first[1]}; a column must "
                                     "hold one type (the trainer's table can't mix them). Fix the values or drop "
                                     "the column.", column=column))
        key = row_key(row)
        if key is not None:
            first_place = self.seen.setdefault(key, place)
            if first_place != place:
                found.append(duplicate_finding(self.unit, first_place))
                self.duplicate_of = first_place
        if found:
            for finding in found:
                if self.unit == "line":
                    finding.row, finding.line = index, place
                else:
                    finding.row = place
        return found

    def _scan(self, text: str) -> None:
        marker, placeholder = scan_text(text)
        self.marker = self.marker or marker
        self.placeholder = self.placeholder or placeholder

    def finish(self, rows: int) -> list[Finding]:
        """The findings about the file as a whole, once `rows` rows were checked."""
        if rows < MIN_ROWS:
            return [Finding("warning", f"only {rows} rows; training needs at least {MIN_ROWS} to show anything.")]
        return []


def duplicate_finding(unit: str, first_place: int) -> Finding:
    """The warning on a row that repeats the one at `first_place` (its row and line are set by the caller)."""
    return Finding("warning", f"duplicate of {unit} {first_place}; duplicates weigh that example twice.")


def _check_value(value, column: str, conversational: bool, rule: str) -> tuple[list[Finding], int]:
    """Findings for one non-string value, and how many characters of text it holds."""
    if value is None:
        return [Finding("error", "empty or missing; fill it in or delete the row.", column=column)], 0
    if isinstance(value, list):
        if not conversational and value and column != "text":
            return [Finding("error", "a list of messages here, but plain text in the rest of the file; use one "
                            "form for the whole column.", column=column)], 0
        return _check_messages(value, column, rule)
    if isinstance(value, dict) and depth(value) > MAX_DEPTH:
        return [Finding("error", f"the value is nested more than {MAX_DEPTH} levels deep; expected text"
                        + (" or a list of messages." if column != "text" else "."), column=column)], 0
    if isinstance(value, dict) and ("role" in value or "from" in value):
        return [Finding("error", "a single message object; wrap it in a list: [{\"role\": …, \"content\": …}].",
                        column=column)], 0
    what = "a list of {role, content} messages" if conversational and column != "text" else "text"
    return [Finding("error", f"expected {what}, found {type(value).__name__}.", column=column)], 0


def _check_messages(messages: list, column: str, rule: str) -> tuple[list[Finding], int]:
    if not messages:
        return [Finding("error", "an empty list of messages.", column=column)], 0
    chars = 0
    roles = []
    for index, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            return [Finding("error", f"message {index} is not a {{role, content}} object.", column=column)], chars
        role = message.get("role")
        if role not in VALID_ROLES:
            shown = repr(role) if len(repr(role)) < 40 else repr(role)[:40] + "…"
            return [Finding("error", f"message {index} has role {shown}; use one of system, user, assistant, tool.",
                            column=column)], chars
        content = message.get("content")
        if isinstance(content, (list, dict)):
            return [Finding("error", f"message {index} ({role}) has content of type {type(content).__name__}; "
                            "expected text.", column=column)], chars
        if not isinstance(content, str) or not content.strip():
            if not (role == "assistant" and message.get("tool_calls")):
                return [Finding("error", f"message {index} ({role}) has empty content.", column=column)], chars
        else:
            chars += len(content)
        roles.append(role)
    problem = _order_problem(roles, rule)
    if problem:
        level, text = problem
        return [Finding(level, text, column=column)], chars
    return [], chars


def _order_problem(roles: list[str], rule: str) -> tuple[str, str] | None:
    """The first problem with the order of roles, as (level, message), or None."""
    for index, role in enumerate(roles[1:], start=2):
        if role == "system":
            return "error", f"message {index} is a system message after the conversation began; put it first."
    turns = [(i, r) for i, r in enumerate(roles, start=1) if r != "system"]
    if not turns:
        return "error", "only a system message; add the user's turn" + (" and the answer." if rule != "prompt" else ".")
    for (i, a), (_, b) in zip(turns, turns[1:]):
        if a == b and a in ("user", "assistant"):
            return "error", (f"messages {i} and {i + 1} are both {a} turns; merge them or add the missing "
                             f"{'assistant' if a == 'user' else 'user'} turn between them.")
        if b == "tool" and a not in ("assistant", "tool"):
            return "error", (f"message {i + 1} is a tool result that follows a {a} turn; tool results answer an "
                             "assistant's tool call.")
    first_index, first = turns[0]
    if rule == "answer":
        if first != "assistant":
            return "error", f"the answer starts with a {first} message; it must be the assistant's reply."
        return None
    if first == "assistant":
        return "error", (f"the conversation starts with the assistant (message {first_index}); it must start with "
                         "a user turn.")
    if rule == "prompt":
        return None
    if "assistant" not in roles:
        return "error", "the conversation has no assistant message to learn from."
    if roles[-1] != "assistant":
        if rule == "transcript":
            return "error", f"the conversation ends with a {roles[-1]} turn; it must end with the assistant's answer."
        return "warning", (f"the conversation ends with a {roles[-1]} turn; turns after the last assistant answer "
                           "are not trained on.")
    return None
