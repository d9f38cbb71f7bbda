"""A run outlives the app in a real browser: start a run, kill -9 the app server, start the app again, reload
the page: the same run is live, its curve keeps gaining points, Stop works, and it resumes afterwards.
And a run whose process aborts mid-run fails in one sentence while the app keeps serving the next run."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, set_quick_fields, wait_for_points

pytestmark = pytest.mark.browser


def _status(run_dir) -> dict:
    return json.loads((run_dir / "status.json").read_text())


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(url + "/")
    page.get_by_role("tab", name="3 · Train").click()
    return page


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _start_a_long_run(browser, url, runs, steps: int = 1):
    """The Train tab's Start with 3000 steps; returns (page, the status element, the run's folder) once the run
    has trained `steps` steps."""
    page = _open(browser, url)
    set_quick_fields(page, {"Steps": "3000"})
    page.locator("#train-start").click()
    status = page.locator("#train-status")
    status.get_by_text("running", exact=True).wait_for(timeout=60_000)
    run_dir = runs / status.locator("code").first.inner_text()
    while _status(run_dir)["step"] < steps:
        time.sleep(0.2)
    return page, status, run_dir


def test_a_run_outlives_a_killed_app_and_the_restarted_app_follows_it(tiny_model, tmp_path, browser):
    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path / "runs"
    runs.mkdir()
    proc, url = start_app(tiny_model, runs, shared=False, timeout=90)
    try:
        _, _, run_dir = _start_a_long_run(browser, url, runs, steps=2)
        run_id = run_dir.name
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # the server dies without a word
        proc.wait()
    step = _status(run_dir)["step"]
    deadline = time.time() + 60
    while _status(run_dir)["step"] <= step + 1 and time.time() < deadline:
        time.sleep(0.3)
    assert _status(run_dir)["step"] > step + 1, "the run stopped when the app died"

    proc, url = start_app(tiny_model, runs, shared=False, timeout=90)  # the app starts again
    try:
        page = _open(browser, url)  # a reload, on the new server
        status = page.locator("#train-status")
        status.get_by_text(run_id).wait_for()
        status.get_by_text("running", exact=True).wait_for()
        first = wait_for_points(page, 1)
        assert first >= 2, "the curve of the adopted run did not show"
        assert wait_for_points(page, first) > first, "the adopted run's curve did not gain points"

        page.locator("#train-stop").click()
        status.get_by_text("stopped", exact=True).wait_for(timeout=90_000)
        assert _status(run_dir)["state"] == "stopped"
        page.locator("#train-resume").click()
        status.get_by_text("running", exact=True).wait_for(timeout=60_000)
        assert run_id in status.inner_text()
        page.locator("#train-stop").click()
        status.get_by_text("stopped", exact=True).wait_for(timeout=90_000)
    finally:
        stop_app(proc)


def test_a_run_that_aborts_fails_in_one_sentence_and_the_app_trains_the_next(tiny_model, tmp_path, browser):
    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path / "runs"
    runs.mkdir()
    proc, url = start_app(tiny_model, runs, shared=False, timeout=90)
    try:
        page, status, run_dir = _start_a_long_run(browser, url, runs)
        os.kill(_status(run_dir)["pid"], signal.SIGABRT)  # the training process aborts mid-run
        status.get_by_text("failed", exact=True).wait_for(timeout=30_000)
        text = status.inner_text()
        assert "crashed" in text and "Traceback" not in text
        message = _status(run_dir)["message"]
        assert "\n" not in message and len(message) < 400
        set_quick_fields(page, {"Steps": "3"})  # the app answers, and the next run trains to the end
        page.locator("#train-start").click()
        status.get_by_text("finished", exact=True).wait_for(timeout=120_000)
        assert proc.poll() is None
    finally:
        stop_app(proc)
