"""Text from users inside the page's Markdown: shown as text, never as HTML, links or images.

Gradio renders Markdown with raw HTML and GitHub-style autolinks, so a run's message that echoes a model
name like `<img src=…>` or `https://evil.example` would otherwise load that image, or show that link, in
every visitor's browser. Every user-supplied string that lands in a Markdown component goes through `text`
(inline, escaped) or `code` (a code span).
"""

from __future__ import annotations

import html
import re

# Markdown that could turn text into markup: emphasis, code, links and images ([…](…), ![…](…)), tables,
# strikethrough and math. ':' and '@' are escaped too, so "https://…" and "name@host" don't become links.
_INLINE = re.compile(r"([\\`*_\[\]|~:@$])")
_BLOCK_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))")


def text(value, limit: int = 2000) -> str:
    """`value` as literal text inside Markdown (HTML escaped, Markdown escaped, one paragraph)."""
    value = str(value)
    if len(value) > limit:
        value = value[:limit] + "…"
    value = " ".join(value.split())  # no line breaks: a message can't start a heading, a list or a table
    value = _INLINE.sub(r"\\\1", html.escape(value, quote=False))
    value = re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:-1] + "\\.", value)
    return _BLOCK_START.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else
                                                    f"{m.group(3)}\\{m.group(4)}"), value)


def code(value, limit: int = 300) -> str:
    """`value` as an inline code span (backticks inside it can't close the span)."""
    value = " ".join(str(value).split())
    if len(value) > limit:
        value = value[:limit] + "…"
    return "`" + value.replace("`", "ʼ") + "`" if value else "``"
