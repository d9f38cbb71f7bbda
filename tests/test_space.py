"""The README's front matter is valid Hugging Face Space metadata that matches the pinned requirements."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
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


def test_the_server_yields_the_cpu_to_training_and_its_runs_keep_their_priority(tmp_path):
    """app.py lowers the web server's priority after create_app has started the fork server's thread: the server's
    threads run niced, the processes that thread starts (the fork server, so every run) do not."""
    import subprocess
    import sys

    script = (
        "import os, subprocess, sys, threading\n"
        "import app\n"
        "go, seen = threading.Event(), {}\n"
        "def warm_up():\n"
        "    go.wait()\n"
        "    child = subprocess.run([sys.executable, '-c', 'import os; print(os.nice(0))'], capture_output=True, "
        "text=True)\n"
        "    seen['child'] = int(child.stdout)\n"
        "thread = threading.Thread(target=warm_up)\n"
        "thread.start()\n"
        "app.lower_server_priority()\n"
        "later = threading.Thread(target=lambda: seen.update(server_thread=os.nice(0)))\n"
        "later.start(); later.join()\n"
        "go.set(); thread.join()\n"
        "print(os.nice(0), seen['server_thread'], seen['child'])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    base = os.nice(0)
    import app

    server, server_thread, child = map(int, done.stdout.split()[-3:])
    assert server == server_thread == min(19, base + app.SERVER_NICE) and child == base


@pytest.mark.app
def test_an_idle_app_hardly_uses_the_cpu_its_runs_train_on(tmp_path):
    """Gradio's queue looks for events every 1 ms when idle (4-6% of a core, measured): app.py slows it to
    studio.ui.QUEUE_POLL_S. Measured on a real app: over 5 s with nothing to do, the server's process uses
    under 3% of a core (about 1% once paced; 5.5-6.5% before)."""
    import time

    import psutil

    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path / "runs"
    runs.mkdir()
    proc, _ = start_app("my-org/my-model", runs)
    try:
        time.sleep(2)  # past the start-up's own work
        process = psutil.Process(proc.pid)
        before, began = process.cpu_times(), time.monotonic()
        time.sleep(5)
        after = process.cpu_times()
        cores = (after.user + after.system - before.user - before.system) / (time.monotonic() - began)
    finally:
        stop_app(proc)
    assert cores < 0.03, f"the idle app used {cores:.3f} of a core"
