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


def test_the_app_waits_for_its_own_slow_server_but_not_for_a_dead_one(monkeypatch):
    """Gradio's launch gives up on its own server after one 3-second timeout, which failed healthy starts on a
    busy machine: app.py's check asks again on timeouts and still fails at once when nothing listens."""
    import httpx
    from gradio import networking

    import app

    calls = []

    class Reply:
        status_code = 200

    def slow_then_up(url, timeout=None, verify=None):
        calls.append(timeout)
        if len(calls) <= 3:
            raise httpx.ReadTimeout("busy")
        return Reply()

    monkeypatch.setattr(networking, "url_ok", networking.url_ok)  # restored after the test
    monkeypatch.setattr(httpx, "head", slow_then_up)
    app.patient_self_check(seconds=30)
    assert networking.url_ok("http://127.0.0.1:1/") and len(calls) >= 4

    def refused(url, timeout=None, verify=None):
        raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx, "head", refused)
    assert not networking.url_ok("http://127.0.0.1:1/")
