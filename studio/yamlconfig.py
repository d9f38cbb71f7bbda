"""YAML a person wrote (a preset, a config typed on the page, a run's config.yaml), read safely.

PyYAML's safe loader still expands anchors and aliases, so a few hundred bytes can become gigabytes (an
"alias bomb"); a config never needs them, so they are refused, and so is a config over MAX_CONFIG_BYTES.
"""

from __future__ import annotations

import re

import yaml

from .redact import brief

MAX_CONFIG_BYTES = 64 * 1024  # a config is a few dozen lines; this leaves room for long comments
EXPONENT_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


class _NoAliases(Exception):
    def __init__(self, line: int):
        self.line = line


class _PlainLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _NoAliases(event.start_mark.line + 1)
        return super().compose_node(parent, index)


def parse_yaml_config(text: str, where: str = "the config") -> dict:
    """A mapping of keys to values from YAML text; ValueError naming `where` and what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"{where}: expected YAML text.")
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_CONFIG_BYTES:
        raise ValueError(f"{where}: the config is {size / 1024:,.0f} KB; a config may be at most "
                         f"{MAX_CONFIG_BYTES // 1024} KB.")
    try:
        values = yaml.load(text, Loader=_PlainLoader)  # noqa: S506 (a SafeLoader without aliases)
    except _NoAliases as exc:
        raise ValueError(f"{where}: line {exc.line} uses a YAML anchor or alias (&name / *name); write the "
                         "values out instead.") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: not valid YAML ({brief(str(exc), 300)[1:-1]}).") from None
    except RecursionError:
        raise ValueError(f"{where}: the YAML is nested too deeply; a config is a flat list of keys.") from None
    if not isinstance(values, dict):
        raise ValueError(f"{where}: expected a mapping of keys to values.")
    return values


def yaml_value(raw: str, pair: str):
    """One `--set KEY=VALUE` value read as a YAML scalar (1e-4, without a dot, is a number, as people mean)."""
    raw = raw.strip()
    if not raw:
        return ""
    if EXPONENT_FLOAT.match(raw):
        return float(raw)
    try:
        return yaml.load(raw, Loader=_PlainLoader)  # noqa: S506 (a SafeLoader without aliases)
    except _NoAliases:
        raise ValueError(f"--set {pair}: YAML anchors and aliases are not accepted.") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"--set {pair}: the value is not valid YAML ({exc.problem or exc}).") from exc


def yaml_scalar(value) -> str:
    """One value on one line (lists in flow style), as a preset writes it."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()  # a lone scalar ends with YAML's document-end marker
