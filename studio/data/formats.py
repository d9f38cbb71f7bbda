"""Dataset shapes: detect which TRL shape rows have, and convert common community formats into it.

TRL's shapes (standard = strings, conversational = lists of {"role", "content"} messages):
  language_modeling    text | messages
  prompt_only          prompt
  prompt_completion    prompt, completion
  preference           prompt, chosen, rejected (prompt may be implicit in chosen/rejected)
  unpaired_preference  prompt, completion, label
Converted on import, with a note saying so: Alpaca (instruction/input/output) and ShareGPT
(conversations of from/value).
"""

from __future__ import annotations

SHAPES = ("language_modeling", "prompt_only", "prompt_completion", "preference", "unpaired_preference")

SHAPE_LABELS = {
    "language_modeling": "Instruction chats / plain text (language modeling)",
    "prompt_only": "Prompts only (for online RL: the model writes the answers)",
    "prompt_completion": "Prompt → completion pairs",
    "preference": "Preference pairs (prompt, chosen, rejected)",
    "unpaired_preference": "Unpaired feedback (prompt, completion, thumbs up/down label)",
}

# The columns each shape needs; the first matching entry wins, so more specific shapes come first.
SHAPE_COLUMNS = [
    ("unpaired_preference", ("prompt", "completion", "label")),
    ("preference", ("prompt", "chosen", "rejected")),
    ("preference", ("chosen", "rejected")),
    ("prompt_completion", ("prompt", "completion")),
    ("language_modeling", ("messages",)),
    ("language_modeling", ("text",)),
    ("prompt_only", ("prompt",)),
]

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "system": "system", "chatgpt": "assistant", "bing": "assistant", "bard": "assistant"}


def is_messages(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(m, dict) and "role" in m for m in value)


def detect_shape(columns: list[str]) -> str | None:
    present = set(columns)
    for shape, needed in SHAPE_COLUMNS:
        if set(needed) <= present:
            return shape
    return None


def required_columns(shape: str, columns: list[str]) -> tuple[str, ...]:
    for candidate, needed in SHAPE_COLUMNS:
        if candidate == shape and set(needed) <= set(columns):
            return needed
    return ()


def convert_rows(rows: list[dict]) -> tuple[list[dict], str]:
    """Convert a known community format to a TRL shape; returns (rows, note). Unknown formats pass through."""
    columns = set(rows[0]) if rows else set()
    if {"instruction", "output"} <= columns:
        converted = []
        for row in rows:
            prompt = str(row.get("instruction") or "")
            extra = row.get("input")
            if extra:
                prompt = f"{prompt}\n\n{extra}"
            converted.append({"prompt": [{"role": "user", "content": prompt}],
                              "completion": [{"role": "assistant", "content": str(row.get("output") or "")}]})
        return converted, "Converted from Alpaca (instruction/input/output) to conversational prompt → completion."
    if "conversations" in columns and "messages" not in columns:
        converted = []
        for row in rows:
            turns = row.get("conversations") or []
            messages = []
            for turn in turns if isinstance(turns, list) else []:
                if isinstance(turn, dict):
                    role = _SHAREGPT_ROLES.get(str(turn.get("from", turn.get("role", ""))).lower(), "")
                    messages.append({"role": role, "content": turn.get("value", turn.get("content"))})
            converted.append({"messages": messages})
        return converted, "Converted from ShareGPT (conversations of from/value) to conversational messages."
    return rows, ""


def is_conversational(rows: list[dict], shape: str) -> bool:
    key = {"language_modeling": "messages", "prompt_only": "prompt", "prompt_completion": "prompt",
           "preference": "chosen", "unpaired_preference": "prompt"}.get(shape)
    return any(is_messages(r.get(key)) for r in rows[:50]) if key else False
