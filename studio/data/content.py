"""What a row holds besides plain text: content parts, media and template placeholders.

- Content parts (`[{"type": "text", "text": …}]`, the form chat templates and OpenAI-style exports use; some
  tools write "value" for "text") become one string per message: the text parts joined with a blank line.
  Parts of another type (image, audio, video, file) are named, not silently dropped.
- Media: the studio trains text only. A row with a non-empty image/audio/video column, a non-text content
  part, or an `<image>`-style marker in its text is left out of training (the caller says so in a finding).
- Placeholders left from a template (`{{name}}`, `<NAME>`) are counted for a warning; the rows still train.
- A tool result given as an object (`{"role": "tool", "content": {...}}`) becomes its JSON text, as chat
  templates expect text there.

Everything here is per row and cheap for rows of plain strings: the scans look for `<` and `{{` first.
"""

from __future__ import annotations

import json
import re

MEDIA_COLUMNS = {"image": "image", "images": "image", "image_url": "image", "image_path": "image",
                 "image_paths": "image", "img": "image", "pixel_values": "image", "audio": "audio",
                 "audios": "audio", "audio_path": "audio", "audio_url": "audio", "video": "video", "videos": "video",
                 "video_path": "video", "video_url": "video"}
_PART_KINDS = {"text": "text", "input_text": "text", "output_text": "text", "image": "image", "image_url": "image",
               "input_image": "image", "audio": "audio", "input_audio": "audio", "audio_url": "audio",
               "video": "video", "video_url": "video", "file": "file", "input_file": "file"}
MESSAGE_COLUMNS = ("messages", "prompt", "completion", "chosen", "rejected")
MEDIA_MARKER = re.compile(r"<\s*(image|video|audio)\s*>", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][\w.\-]*\s*\}\}|<[A-Z][A-Z0-9_]{2,}>")


def media_columns(columns) -> dict[str, str]:
    """{column: media kind} for the columns whose names say they hold images, audio or video."""
    return {c: MEDIA_COLUMNS[c.lower()] for c in columns if isinstance(c, str) and c.lower() in MEDIA_COLUMNS}


def has_media_value(value) -> bool:
    """Whether a media column's value holds something (not None, "", [] or {})."""
    if value is None:
        return False
    if isinstance(value, (str, list, dict, tuple, bytes)):
        return bool(value)
    return True


def _part_text(part) -> tuple[str | None, str | None]:
    """(text, None) for a text part, (None, kind) for a media part, (None, None) when it isn't a part."""
    if isinstance(part, str):
        return part, None
    if not isinstance(part, dict):
        return None, None
    kind = part.get("type")
    text = part.get("text", part.get("value"))
    if kind is None:
        if isinstance(text, str):
            return text, None
        found = next((k for k in part if k in _PART_KINDS and _PART_KINDS[k] != "text"), None)
        return (None, _PART_KINDS[found]) if found else (None, None)
    mapped = _PART_KINDS.get(str(kind).lower())
    if mapped == "text":
        return (text if isinstance(text, str) else ""), None
    return None, mapped or str(kind)


def is_parts(content) -> bool:
    """A list of content parts: every item a string or a part object ({type, …} or {text|value: …})."""
    return isinstance(content, list) and bool(content) and all(
        isinstance(p, str) or (isinstance(p, dict) and ("type" in p or "text" in p or "value" in p)) for p in content)


def join_parts(content: list) -> tuple[str, list[str]]:
    """Content parts → (their text joined by blank lines, the kinds of the non-text parts)."""
    texts, media = [], []
    for part in content:
        text, kind = _part_text(part)
        if text is not None:
            if text.strip():
                texts.append(text)
        elif kind:
            media.append(kind)
    return "\n\n".join(texts), media


class RowContent:
    """What normalising one row found: parts joined, media kinds, tool results turned into text."""

    __slots__ = ("joined", "media", "tool_json")

    def __init__(self):
        self.joined = False
        self.media: list[str] = []
        self.tool_json = False


def normalize_messages(messages: list, found: RowContent) -> list:
    """A message list with content parts joined into text (a new list only when something changed)."""
    out = None
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if content is None or type(content) is str:
            continue
        if is_parts(content):
            text, media = join_parts(content)
            found.joined = True
            found.media.extend(media)
            new = {**message, "content": text}
        elif message.get("role") in ("tool", "function", "ipython") and isinstance(content, (dict, list)):
            found.tool_json = True
            new = {**message, "content": json.dumps(content, ensure_ascii=False)}
        else:
            continue  # left for the checks to name
        if out is None:
            out = list(messages)
        out[index] = new
    return messages if out is None else out


def normalize_row(row: dict, media: dict[str, str], found: RowContent) -> dict:
    """The row with content parts joined; media columns with a value are recorded in `found`."""
    changed = None
    for column in MESSAGE_COLUMNS:
        value = row.get(column)
        if type(value) is list and value:
            new = normalize_messages(value, found)
            if new is not value:
                changed = changed or dict(row)
                changed[column] = new
    for column, kind in media.items():
        if has_media_value(row.get(column)):
            found.media.append(kind)
    return row if changed is None else changed


def scan_text(text: str) -> tuple[str | None, bool]:
    """(the media kind of an `<image>`-style marker, whether a template placeholder is left) in one text."""
    if "<" not in text and "{{" not in text:
        return None, False
    marker = MEDIA_MARKER.search(text)
    return (marker.group(1).lower() if marker else None), PLACEHOLDER.search(text) is not None


def describe_media(kinds) -> str:
    names = sorted(set(kinds))
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
