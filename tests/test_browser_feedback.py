"""Human feedback in a real browser: start a queue on a file of ten prompts (two samples of the tiny model), judge
every pair with the keyboard (a thumb, an undo, a tie and a both-bad among them), reload half-way (the progress is
still there), finish, train DPO on what was collected, and see the run start with the collected file as its
dataset. The screenshot goes to tests/screenshots/9-feedback.png."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS

pytestmark = pytest.mark.browser

KEYS = ["1", "2", "1", "2", "3", "1", "4", "2", "1", "2"]  # 8 pairs with a winner, a tie, both bad


def wait_text(page, selector: str, needle: str, timeout: float = 30) -> str:
    deadline = time.time() + timeout
    shown = ""
    while time.time() < deadline:
        shown = page.locator(selector).inner_text()
        if needle in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared in {selector}: {shown!r}")


def test_label_ten_pairs_by_keyboard_reload_midway_then_train_dpo_on_them(tiny_model, tmp_path):
    from playwright.sync_api import sync_playwright

    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path / "runs"
    runs.mkdir()
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"prompt": f"Name one thing about topic number {i}."}) + "\n"
                               for i in range(10)))
    proc, url = start_app(tiny_model, runs, shared=False, timeout=90)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(url + "/")
            page.get_by_role("tab", name="6 · Feedback").click()
            wait_text(page, "#fb-status", "No feedback queue yet")
            page.locator("#fb-title").locator("textarea, input").first.fill("keyboard round")
            page.locator("#fb-file input[type=file]").set_input_files(str(prompts))
            page.locator("#fb-tokens input[type=number]").fill("8")
            page.locator("#fb-tokens input[type=number]").press("Tab")
            page.locator("#fb-generate").click()
            wait_text(page, "#fb-status", "you judged 0 of 10", timeout=60)
            assert page.locator("#fb-prompt textarea").input_value().startswith("Name one thing about topic")

            page.keyboard.press("q")  # a thumb up on A doesn't move on
            wait_text(page, "#fb-last", "thumbs up on A")
            wait_text(page, "#fb-status", "you judged 0 of 10")
            for index, key in enumerate(KEYS):
                if index == 5:  # half-way: a reload keeps what was chosen
                    page.reload()
                    page.get_by_role("tab", name="6 · Feedback").click()
                    wait_text(page, "#fb-status", "you judged 5 of 10")
                shown = page.locator("#fb-prompt textarea").input_value()
                if index == 7:  # a pair on screen, with the last choice revealed and the counts
                    page.screenshot(path=str(SHOTS / "9-feedback.png"), full_page=True)
                page.keyboard.press(key)
                wait_text(page, "#fb-status", f"you judged {index + 1} of 10")
                if index == 2:  # take it back and choose again: the same prompt comes back
                    page.keyboard.press("u")
                    wait_text(page, "#fb-status", "you judged 2 of 10")
                    wait_text(page, "#fb-last", "Took back")
                    assert page.locator("#fb-prompt textarea").input_value() == shown
                    page.keyboard.press(key)
                    wait_text(page, "#fb-status", "you judged 3 of 10")
            wait_text(page, "#fb-status", "You have judged every item")
            collected = wait_text(page, "#fb-collected", "8 pairs")
            assert "1 ties" in collected and "1 both bad" in collected
            assert "you" in page.locator("#fb-stats").inner_text()

            page.locator("#fb-steps input").fill("2")
            page.locator("#fb-steps input").press("Tab")
            page.locator("#fb-train-dpo").click()
            note = wait_text(page, "#fb-train-status", "Dataset:", timeout=60)
            run_id = re.search(r"Run (\S+):", note).group(1)
            browser.close()

        queue = next((runs / ".feedback").iterdir())
        labels = [json.loads(line) for line in (queue / "labels.jsonl").read_text().splitlines()]
        assert sum(r["kind"] == "label" for r in labels) == 12 and sum(r["kind"] == "undo" for r in labels) == 1
        assert len({r["annotator"] for r in labels}) == 1
        config = (runs / run_id / "config.yaml").read_text()
        dataset = re.search(r"^dataset: (.+)$", config, re.M).group(1).strip().strip("'\"")
        assert dataset.startswith(str(queue / "exports" / "pairs-")) and dataset.endswith("-8.jsonl"), dataset
        rows = [json.loads(line) for line in open(dataset)]
        assert len(rows) == 8 and all(set(r) == {"prompt", "chosen", "rejected"} for r in rows)
    finally:
        stop_app(proc)
