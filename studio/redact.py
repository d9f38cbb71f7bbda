"""Secrets and untrusted text on their way out: token-like values never reach a run folder, a log line or a
message, and no text taken from a visitor reaches a log or a page unbounded.

Our own code because no library in the stack offers it: transformers masks `*_token` fields in its own
`TrainingArguments.to_dict`, but not in our config files, logs and status lines.
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"
# Hugging Face, OpenAI-style, GitHub and Slack tokens, and bearer credentials.
TOKEN_VALUE = re.compile(
    r"\bhf_[A-Za-z0-9]{16,}|\b(?:sk|ghp|gho|ghs|github_pat|xox[abprs])[-_][A-Za-z0-9_-]{16,}"
    r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]{12,}")
SECRET_KEY = re.compile(r"(?:token|api_?key|secret|password|passwd|credentials?)$", re.IGNORECASE)
# Keys ending in "token" that name a vocabulary token, not a credential (SFTConfig.eos_token, pad_token …).
VOCABULARY_KEYS = frozenset({"pad_token", "eos_token", "bos_token", "unk_token", "sep_token", "cls_token",
                             "mask_token"})
MAX_LOG_CHARS = 4000


def redact_text(text) -> str:
    """`text` with every token-like value replaced by REDACTED."""
    return TOKEN_VALUE.sub(REDACTED, str(text))


def bounded(text, limit: int = MAX_LOG_CHARS) -> str:
    """At most `limit` characters of `text`, saying how much was left out."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def brief(value, limit: int = 60) -> str:
    """A short repr of a value from untrusted input, for messages that echo it."""
    return bounded(repr(value), limit)


def _holds_token(value) -> bool:
    if isinstance(value, str):
        return bool(TOKEN_VALUE.search(value))
    if isinstance(value, (list, tuple)):
        return any(_holds_token(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_token(k) or _holds_token(v) for k, v in value.items())
    return False


def is_secret(key: str, value) -> bool:
    """A credential: a key named like one holding a value, or any value shaped like a token."""
    named = bool(SECRET_KEY.search(str(key))) and str(key) not in VOCABULARY_KEYS
    return (named and value not in (None, "", False, REDACTED)) or _holds_token(value)


def secret_keys(values: dict) -> list[str]:
    return [key for key, value in values.items() if is_secret(key, value)]


def redact_values(values: dict) -> dict:
    return {key: (REDACTED if is_secret(key, value) else value) for key, value in values.items()}


class RedactingFilter(logging.Filter):
    """Installed on the studio's log handlers: tokens redacted, every line bounded."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments don't format: leave it to the handler
            return True
        cleaned = bounded(redact_text(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
