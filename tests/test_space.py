"""The README's front matter is valid Hugging Face Space metadata that matches the pinned requirements."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def front_matter() -> dict:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "README.md must start with a --- front matter block"
    return yaml.safe_load(match.group(1))


def test_space_metadata_matches_the_project():
    meta = front_matter()
    assert meta["sdk"] == "gradio" and (ROOT / meta["app_file"]).is_file()
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert meta["sdk_version"] == pins["gradio"]
    assert tuple(int(p) for p in str(meta["python_version"]).split(".")) >= (3, 11)
    assert meta["title"] and meta["emoji"] and len(meta.get("short_description", "")) <= 60


def test_readme_keeps_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
