"""Dataset shapes: detect which TRL shape rows have, and convert common community formats into it.

TRL's shapes (standard = strings, conversational = lists of {"role", "content"} messages):
  language_modeling    text | messages
  prompt_only          prompt
  prompt_completion    prompt, completion
  preference           prompt, chosen, rejected (prompt may be implicit in chosen/rejected)
  unpaired_preference  prompt, completion, label
Converted on import, with a note saying so:
  Alpaca (instruction/input/output; Dolly's instruction/context/response too) → conversational prompt-completion
  ShareGPT (conversations of from/value) → conversational messages; with single-message chosen/rejected →
    conversational preference; with a label (LLaMA-Factory's kto_tag) → conversational unpaired preference
  Anthropic HH (chosen/rejected strings of "\\n\\nHuman: … \\n\\nAssistant: …") → conversational preference with
    the shared prompt split out
  chosen/rejected given as one {role, content} message instead of a list → wrapped in a list
"""

from __future__ import annotations

import re

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
# The column that tells standard from conversational data, per shape.
CONVERSATIONAL_KEY = {"language_modeling": "messages", "prompt_only": "prompt", "prompt_completion": "prompt",
                      "preference": "chosen", "unpaired_preference": "prompt"}

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "system": "system", "chatgpt": "assistant", "bing": "assistant", "bard": "assistant",
                   "model": "assistant", "tool": "tool", "function_call": "assistant", "observation": "tool"}
_HH_TURN = re.compile(r"(?:^|\n\n)(Human|Assistant):[ \t]?")
_SAMPLE = 50


def is_messages(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(m, dict) and "role" in m for m in value)


def detect_shape(columns: list[str]) -> str | None:
    present = set(columns)
    for shape, needed in SHAPE_COLUMNS:
        if set(needed) <= present:
            return shape
    return None


def shape_rank(columns: list[str]) -> int:
    """Index of the most specific shape the columns make (lower is more complete); len(SHAPE_COLUMNS) if none."""
    present = set(columns)
    return next((i for i, (_, needed) in enumerate(SHAPE_COLUMNS) if set(needed) <= present), len(SHAPE_COLUMNS))


def required_columns(shape: str, columns: list[str]) -> tuple[str, ...]:
    for candidate, needed in SHAPE_COLUMNS:
        if candidate == shape and set(needed) <= set(columns):
            return needed
    return ()


def _mostly(rows: list[dict], test) -> bool:
    sample = rows[:_SAMPLE]
    return bool(sample) and sum(1 for r in sample if test(r)) * 2 > len(sample)


def _is_hh(text) -> bool:
    return isinstance(text, str) and "Human:" in text and "Assistant:" in text


def _is_turn(value) -> bool:
    return isinstance(value, dict) and ("from" in value or "role" in value)


def community_format(columns: list[str], rows: list[dict]) -> str | None:
    """Which community format the rows are in, if any: alpaca, sharegpt, sharegpt_preference,
    sharegpt_unpaired, sharegpt_messages, hh or single_message_pairs."""
    present = set(columns)
    if "instruction" in present and ({"output", "response"} & present) and not ({"prompt", "completion"} <= present):
        return "alpaca"
    if "conversations" in present and "messages" not in present and "prompt" not in present:
        if {"chosen", "rejected"} <= present:
            return "sharegpt_preference"
        if ({"label", "kto_tag"} & present) and "completion" not in present:
            return "sharegpt_unpaired"
        return "sharegpt"
    if ("messages" in present and ({"label", "kto_tag"} & present) and not ({"prompt", "completion"} & present)
            and _mostly(rows, lambda r: isinstance(r.get("messages"), list)) and _boolean_labels(rows)):
        return "messages_unpaired"
    if "messages" in present and _mostly(rows, lambda r: isinstance(r.get("messages"), list)
                                         and any(isinstance(m, dict) and "from" in m for m in r["messages"][:3])):
        return "sharegpt_messages"
    if {"chosen", "rejected"} <= present:
        if "prompt" not in present and _mostly(rows, lambda r: _is_hh(r.get("chosen"))):
            return "hh"
        if _mostly(rows, lambda r: _is_turn(r.get("chosen")) or _is_turn(r.get("rejected"))):
            return "single_message_pairs"
        if "prompt" in present and _mostly(rows, lambda r: _starts_with_prompt(r.get("chosen"))):
            return "pairs_with_prompt_inside"
    return None


def _boolean_labels(rows: list[dict]) -> bool:
    """Whether the label (or kto_tag) column holds thumbs up/down, not a category such as "math"."""
    from .checks import parse_label  # checks imports this module

    values = [r.get("label", r.get("kto_tag")) for r in rows[:_SAMPLE]]
    values = [v for v in values if v not in (None, "")]
    return bool(values) and sum(parse_label(v) is not None for v in values) >= 0.9 * len(values)


def _starts_with_prompt(value) -> bool:
    """A chosen/rejected message list that starts with the user's turn: the prompt is inside it."""
    if not is_messages(value):
        return False
    first = next((m.get("role") for m in value if m.get("role") != "system"), None)
    return first in ("user", "human")


def converted_columns(columns: list[str]) -> list[str]:
    """The columns a file will have once its community format is converted (for ranking column guesses)."""
    present = set(columns)
    if "messages" in present and ({"label", "kto_tag"} & present) and not ({"prompt", "completion"} & present):
        return [c for c in columns if c not in ("messages", "kto_tag")] + ["prompt", "completion", "label"]
    return columns


NOTES = {
    "alpaca": "Converted from Alpaca (instruction/input/output) to conversational prompt → completion.",
    "sharegpt": "Converted from ShareGPT (conversations of from/value) to conversational messages.",
    "sharegpt_messages": "Converted ShareGPT-style messages (from/value) to {role, content} messages.",
    "sharegpt_preference": "Converted from ShareGPT preference (conversations + chosen/rejected messages) to "
                           "conversational preference (prompt, chosen, rejected).",
    "sharegpt_unpaired": "Converted from ShareGPT with labels (conversations + label) to conversational unpaired "
                         "preference: the last assistant turn is the completion.",
    "hh": "Converted from Anthropic HH transcripts (\"Human: … Assistant: …\") to conversational preference, "
          "with the turns both answers share split out as the prompt.",
    "single_message_pairs": "Wrapped single-message chosen/rejected values into message lists.",
    "messages_unpaired": "Converted messages + label (LLaMA-Factory's KTO layout) to conversational unpaired "
                         "feedback: the last assistant turn is the completion the label judges, the turns before "
                         "it the prompt (trained with KTO, never as SFT targets).",
    "pairs_with_prompt_inside": "chosen/rejected held the whole conversation, prompt included (UltraFeedback's "
                                "layout): the turns both share became the prompt, the rest the two answers.",
}


def convert_rows(rows: list[dict], columns: list[str] | None = None) -> tuple[list[dict], str]:
    """Convert a known community format to a TRL shape; returns (rows, note). Unknown formats pass through."""
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows[:200] for k in r))
    convert, note = converter(columns, rows)
    if convert is None:
        return rows, ""
    return [convert(row) for row in rows], note


def converter(columns: list[str], sample: list[dict]):
    """(the function converting one row, its note) for the community format `sample` is in; (None, "")
    when the rows are in a TRL shape already."""
    kind = community_format(columns, sample)
    if kind is None:
        return None, ""
    return CONVERTERS[kind], NOTES[kind]


def _rest(row: dict, *drop: str) -> dict:
    return {k: v for k, v in row.items() if k not in drop}


def _alpaca(row: dict) -> dict:
    prompt = row.get("instruction")
    prompt = "" if prompt is None else str(prompt)
    extra = row.get("input", row.get("context"))
    if extra:
        prompt = f"{prompt}\n\n{extra}"
    answer = row.get("output", row.get("response"))
    return {**_rest(row, "instruction", "input", "context", "output", "response"),
            "prompt": [{"role": "user", "content": prompt}],
            "completion": [{"role": "assistant", "content": "" if answer is None else str(answer)}]}


def turns(value) -> list:
    """ShareGPT turns ({from, value} or {role, content}) → {role, content} messages; unknown speakers get role ''."""
    if isinstance(value, dict):
        value = [value]
    messages = []
    for turn in value if isinstance(value, list) else []:
        if isinstance(turn, dict):
            role = _SHAREGPT_ROLES.get(str(turn.get("from", turn.get("role", ""))).lower(), "")
            messages.append({"role": role, "content": turn.get("value", turn.get("content"))})
        else:
            messages.append(turn)  # left for the checks to name
    return messages


def _sharegpt(row: dict) -> dict:
    return {**_rest(row, "conversations"), "messages": turns(row.get("conversations") or [])}


def _sharegpt_messages(row: dict) -> dict:
    return {**row, "messages": turns(row.get("messages"))}


def _sharegpt_preference(row: dict) -> dict:
    return {**_rest(row, "conversations"), "prompt": turns(row.get("conversations") or []),
            "chosen": turns(row.get("chosen")), "rejected": turns(row.get("rejected"))}


def _sharegpt_unpaired(row: dict) -> dict:
    messages = turns(row.get("conversations") or [])
    last = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"),
               default=len(messages))
    label = row.get("label", row.get("kto_tag"))
    return {**_rest(row, "conversations", "kto_tag"), "prompt": messages[:last], "completion": messages[last:],
            "label": label}


def _messages_unpaired(row: dict) -> dict:
    messages = turns(row.get("messages") or [])
    last = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"),
               default=len(messages))
    label = row.get("label", row.get("kto_tag"))
    return {**_rest(row, "messages", "kto_tag"), "prompt": messages[:last], "completion": messages[last:],
            "label": label}


def _pairs_with_prompt_inside(row: dict) -> dict:
    chosen, rejected = row.get("chosen"), row.get("rejected")
    if not (is_messages(chosen) and is_messages(rejected)):
        return row  # left for the checks to name
    prompt, chosen, rejected = split_shared(chosen, rejected)
    return {**row, "prompt": prompt, "chosen": chosen, "rejected": rejected}


def split_shared(chosen: list, rejected: list) -> tuple[list, list, list]:
    """Two conversations → (the turns both share, ending with the user's turn; chosen's rest; rejected's rest)."""
    shared = 0
    while shared < min(len(chosen), len(rejected)) and chosen[shared] == rejected[shared]:
        shared += 1
    while shared and isinstance(chosen[shared - 1], dict) and chosen[shared - 1].get("role") == "assistant":
        shared -= 1  # the prompt ends with the user's turn; the answers start with the assistant's
    return chosen[:shared], chosen[shared:], rejected[shared:]


def _single_message_pairs(row: dict) -> dict:
    out = dict(row)
    for key in ("chosen", "rejected"):
        if _is_turn(row.get(key)):
            out[key] = turns(row[key])
    if _is_turn(row.get("prompt")):
        out["prompt"] = turns(row["prompt"])
    return out


def parse_transcript(text: str) -> list[dict] | None:
    """"\\n\\nHuman: … \\n\\nAssistant: …" → messages; None when the text holds no such turns."""
    parts = _HH_TURN.split(text)
    if len(parts) < 3:
        return None
    messages = []
    if parts[0].strip():
        messages.append({"role": "system", "content": parts[0].strip()})
    for speaker, content in zip(parts[1::2], parts[2::2]):
        messages.append({"role": "user" if speaker == "Human" else "assistant", "content": content.strip()})
    return messages


def _hh(row: dict) -> dict:
    chosen, rejected = row.get("chosen"), row.get("rejected")
    chosen_m = parse_transcript(chosen) if isinstance(chosen, str) else None
    rejected_m = parse_transcript(rejected) if isinstance(rejected, str) else None
    if chosen_m is None or rejected_m is None:
        return row  # left as text; the checks report it as plain text in a conversational file
    prompt, chosen_m, rejected_m = split_shared(chosen_m, rejected_m)
    return {**_rest(row, "chosen", "rejected"), "prompt": prompt, "chosen": chosen_m, "rejected": rejected_m}


CONVERTERS = {"alpaca": _alpaca, "sharegpt": _sharegpt, "sharegpt_messages": _sharegpt_messages,
              "sharegpt_preference": _sharegpt_preference, "sharegpt_unpaired": _sharegpt_unpaired,
              "hh": _hh, "single_message_pairs": _single_message_pairs, "messages_unpaired": _messages_unpaired,
              "pairs_with_prompt_inside": _pairs_with_prompt_inside}


SYSTEM_NOTE = ("Kept the 'system' column as each conversation's system message (the first message), so the chat "
               "template shows it to the model as the system prompt.")


def system_merger(columns: list[str], sample: list[dict]):
    """(the function folding a `system` column into the row's messages, its note), or (None, "") when the
    rows have no such column or nothing to fold it into."""
    present = set(columns)
    if "system" not in present or not (present & {"messages", "prompt", "chosen"}):
        return None, ""
    if not _mostly([r for r in sample if r.get("system") is not None] or sample,
                   lambda r: isinstance(r.get("system"), str)):
        return None, ""
    return _merge_system, SYSTEM_NOTE


def _with_system(messages, system: str):
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not isinstance(messages, list) or (messages and isinstance(messages[0], dict)
                                          and messages[0].get("role") == "system"):
        return messages
    return [{"role": "system", "content": system}, *messages]


def _merge_system(row: dict) -> dict:
    system = row.get("system")
    out = _rest(row, "system")
    has_system = isinstance(system, str) and bool(system.strip())
    if "messages" in out:
        if has_system:
            out["messages"] = _with_system(out["messages"], system)
        return out
    if "prompt" in out:
        prompt = out["prompt"]
        # Plain prompts become conversations (with or without a system message), so the whole file keeps one form.
        out["prompt"] = _with_system(prompt, system) if has_system else _to_messages(prompt, "user")
        for key in ("completion", "chosen", "rejected"):
            if key in out:
                out[key] = _to_messages(out[key], "assistant")
        return out
    if has_system:
        for key in ("chosen", "rejected"):
            if isinstance(out.get(key), list):
                out[key] = _with_system(out[key], system)
    return out


def is_conversational(rows: list[dict], shape: str) -> bool:
    key = CONVERSATIONAL_KEY.get(shape)
    return any(is_messages(r.get(key)) for r in rows[:_SAMPLE]) if key else False


def _to_messages(value, role: str):
    return [{"role": role, "content": value}] if isinstance(value, str) else value


def as_conversational(rows: list[dict]) -> list[dict]:
    """Plain-string prompts/answers → one-message conversations, so the model's chat template is applied
    in training exactly as it is when the studio chats with the model afterwards."""
    out = []
    for row in rows:
        row = dict(row)
        if "prompt" in row:
            row["prompt"] = _to_messages(row["prompt"], "user")
        for key in ("completion", "chosen", "rejected"):
            if key in row:
                row[key] = _to_messages(row[key], "assistant")
        out.append(row)
    return out
