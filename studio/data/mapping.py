"""Column mapping: which of a file's columns play TRL's roles (prompt, completion, chosen, …).

Columns named otherwise are guessed from common names (question → prompt, response → completion,
accepted → chosen, thumbs → label, conversation → messages, …); a user's explicit mapping
{target: source_column} overrides the guess. Guesses are cautious:
- a guess only fills a target the file doesn't already have, and is kept only when it gives the file a
  more complete shape than its own names do (a `text` file with a stray `response` column stays as it is);
- `answer` next to a real `prompt` column is a reference answer (GRPO's layout), not a completion;
- a label is guessed only from a column whose values are boolean-like (a 1–5 `score` is not a label);
- a guess that would leave prompts alone next to other, unexplained text columns is not made (those
  probably hold the answers, under a name we don't know): the user maps them.
Score columns (`score_chosen`/`score_rejected` and other spellings) are found by `score_columns`; they are
not a mapping target but are shown on the report and can drop near-ties (`min_score_gap`).
"""

from __future__ import annotations

import re

from . import formats

TARGETS = ("prompt", "completion", "chosen", "rejected", "label", "messages", "text")

# Names a column may go by, per target, most telling first. Compared lower-cased, with spaces and dashes
# read as underscores.
ALIASES: dict[str, tuple[str, ...]] = {
    "prompt": ("question", "instruction", "query", "input", "prompt_text", "user", "user_input", "request",
               "problem", "context", "prompt_messages", "prompt_conversation", "user_message", "human"),
    "completion": ("answer", "response", "output", "completion_text", "target", "assistant",
                   "solution", "generation", "completion_messages", "response_messages", "assistant_message"),
    "chosen": ("accepted", "preferred", "good", "winner", "chosen_response", "response_chosen", "better",
               "positive", "chosen_text", "win", "chosen_messages", "chosen_conversation", "chosen_chat",
               "preferred_response", "chosen_answer", "answer_chosen", "preferred_messages"),
    "rejected": ("dispreferred", "worse", "bad", "loser", "rejected_response", "response_rejected",
                 "negative", "rejected_text", "lose", "dispreferred_response", "rejected_messages",
                 "rejected_conversation", "rejected_chat", "rejected_answer", "answer_rejected",
                 "dispreferred_messages"),
    "label": ("thumbs", "thumbs_up", "rating", "score", "feedback", "is_good", "kto_tag", "good_bad",
              "is_helpful", "approved", "desirable", "kto_label", "is_desirable", "is_preferred"),
    "messages": ("conversation", "conversations", "dialog", "dialogue", "chat", "turns", "messages_list",
                 "chat_messages", "conversation_messages"),
    "text": ("content", "document", "body", "passage", "raw_text", "sentence"),
}
# In a file that has its own `prompt`, these hold reference answers for rewards, not completions.
REFERENCE_ANSWER_NAMES = {"answer", "solution", "ground_truth", "reference"}
# Columns that score each side of a pair (UltraFeedback's score_chosen/score_rejected and other spellings).
SCORE_ALIASES = {
    "chosen": ("score_chosen", "chosen_score", "chosen_rating", "rating_chosen", "chosen_reward", "reward_chosen",
               "chosen_scores"),
    "rejected": ("score_rejected", "rejected_score", "rejected_rating", "rating_rejected", "rejected_reward",
                 "reward_rejected", "rejected_scores"),
}


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def validate_mapping(mapping: dict | None, columns: list[str], source: str) -> dict[str, str | None]:
    """Check a user's mapping against the file's columns; None (or "") for a target means 'don't map it'."""
    if not mapping:
        return {}
    if not isinstance(mapping, dict):
        raise ValueError(f"{source}: a column mapping is {{target: column}}, e.g. {{'prompt': 'question'}}; "
                         f"got {type(mapping).__name__}.")
    clean: dict[str, str | None] = {}
    used: dict[str, str] = {}
    for target, column in mapping.items():
        if target not in TARGETS:
            raise ValueError(f"{source}: unknown mapping target '{target}'; the targets are {', '.join(TARGETS)}.")
        if column in (None, "", "(none)"):
            clean[target] = None
            continue
        if column not in columns:
            raise ValueError(f"{source}: the mapping gives '{target}' from column '{column}', but the file has no such "
                             f"column; its columns are {columns}. Pick one of those.")
        if column in used:
            raise ValueError(f"{source}: column '{column}' is mapped to both '{used[column]}' and '{target}'; "
                             "map each column to one target.")
        used[column] = target
        clean[target] = column
    return clean


def guess_mapping(columns: list[str], sample: list[dict]) -> dict[str, str]:
    """{target: column} for targets the file lacks, from the columns' names (and, for labels, values)."""
    present = set(columns)
    by_norm = {}
    for column in columns:
        by_norm.setdefault(_norm(column), column)
    guess: dict[str, str] = {}
    taken: set[str] = set()
    for target in TARGETS:
        if target in present:
            continue
        for alias in ALIASES[target]:
            column = by_norm.get(alias)
            if column is None or column in taken or column in TARGETS:
                continue
            if target == "completion" and "prompt" in present and _norm(column) in REFERENCE_ANSWER_NAMES:
                continue
            if not _values_fit(target, [row.get(column) for row in sample]):
                continue
            guess[target] = column
            taken.add(column)
            break
    return guess


def _values_fit(target: str, values: list) -> bool:
    values = [v for v in values if v not in (None, "")]
    if not values:
        return True
    if target == "label":
        from .checks import parse_label

        return sum(parse_label(v) is not None for v in values) >= 0.9 * len(values)
    if target in ("messages",):
        return sum(isinstance(v, list) for v in values) >= 0.5 * len(values)
    return sum(isinstance(v, (str, list, dict)) for v in values) >= 0.5 * len(values)


def choose_mapping(columns: list[str], sample: list[dict], explicit: dict[str, str | None]) -> tuple[dict, dict]:
    """The mapping to apply and the name-based suggestion: (applied {target: column}, suggested).

    The user's choices win; guesses fill the targets the user left alone, and are kept only when they
    give the file a more complete shape than it has without them."""
    suggested = guess_mapping(columns, sample)
    chosen = {t: c for t, c in explicit.items() if c}
    claimed = set(chosen.values())
    merged = {} if formats.community_format(columns, sample) else \
        {t: c for t, c in suggested.items() if c not in claimed and t not in explicit}
    merged.update(chosen)
    after = formats.converted_columns(renamed_columns(columns, merged))
    if formats.shape_rank(after) >= formats.shape_rank(formats.converted_columns(renamed_columns(columns, chosen))):
        merged = chosen
    elif formats.detect_shape(after) == "prompt_only" and merged != chosen and _leftover_text(columns, merged, sample):
        merged = chosen  # prompts plus unexplained text columns: those probably hold answers the names don't reveal
    return {t: c for t, c in merged.items() if t != c}, suggested


def _leftover_text(columns: list[str], mapping: dict[str, str], sample: list[dict]) -> bool:
    used = set(mapping.values()) | set(TARGETS)
    return any(isinstance(row.get(c), str) for c in columns if c not in used for row in sample[:20])


def renamed_columns(columns: list[str], mapping: dict[str, str]) -> list[str]:
    sources = {c: t for t, c in mapping.items()}
    out = [sources.get(c, c) for c in columns if c not in mapping or c in sources]
    return list(dict.fromkeys(out))


def apply_mapping(rows: list[dict], mapping: dict[str, str]) -> list[dict]:
    """Rename columns: each target takes its source column's value (a column already named like the target
    is replaced). Rows are new dicts only when there is something to rename."""
    if not mapping:
        return rows
    pairs = list(mapping.items())
    moved = set(mapping.values()) | set(mapping)
    out = []
    for row in rows:
        new = {k: v for k, v in row.items() if k not in moved}
        for target, column in pairs:
            if column in row:
                new[target] = row[column]
        out.append(new)
    return out


def mapping_note(mapping: dict[str, str], explicit: dict[str, str | None], columns: list[str]) -> str:
    if not mapping:
        return ""
    yours = [f"'{c}' → {t}" for t, c in mapping.items() if explicit.get(t) == c]
    guessed = [f"'{c}' → {t}" for t, c in mapping.items() if explicit.get(t) != c]
    parts = []
    if yours:
        parts.append(f"{', '.join(yours)} (as you chose)")
    if guessed:
        parts.append(f"{', '.join(guessed)} (guessed from the column names; change the mapping if a guess is wrong)")
    replaced = [t for t, c in mapping.items() if t in columns and t != c]
    extra = f", replacing the file's own {', '.join(repr(t) for t in replaced)}" if replaced else ""
    return f"Mapped columns {'; '.join(parts)}{extra}."


def score_columns(columns: list[str], sample: list[dict]) -> dict[str, str]:
    """{"chosen": column, "rejected": column} for a pair of numeric score columns, or {} when there is none."""
    by_norm = {}
    for column in columns:
        by_norm.setdefault(_norm(column), column)
    found = {}
    for side, aliases in SCORE_ALIASES.items():
        for alias in aliases:
            column = by_norm.get(alias)
            values = [row.get(column) for row in sample if row.get(column) is not None] if column else []
            if column and values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                found[side] = column
                break
    return found if len(found) == 2 else {}
