"""What the page shows is what Start runs: for every method the decision tree can recommend, a new user's path
(Data tab sample → "Use this dataset → Method" → answers → "Train with this method → Train" → Start at once,
no edit) starts a run of exactly that method, and the Train tab shows that method in its picker and config."""

from __future__ import annotations

import json
import time

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

# sample dataset, the Method tab's answers (question → answer), the method the tree recommends
PATHS = [
    ("sft_pirate_chats.jsonl", {}, "sft"),
    ("dpo_helpful_pairs.jsonl", {}, "dpo"),
    ("dpo_helpful_pairs.jsonl", {"Want single-stage training (no separate SFT)?": "yes"}, "orpo"),
    ("kto_feedback.jsonl", {}, "kto"),
    ("grpo_arithmetic.jsonl", {}, "grpo"),
    ("grpo_arithmetic.jsonl", {"Rule-based rewards, or a reward model?": "a reward model"}, "ppo"),
    ("dpo_helpful_pairs.jsonl", {"Reference-free offline training (no frozen reference model)?": "yes"}, "cpo"),
    ("grpo_arithmetic.jsonl", {"Rule-based rewards, or a reward model?": "a reward model",
                               "Train a value model beside the policy?": "no, leave-one-out baseline (RLOO)"}, "rloo"),
]


@pytest.fixture(scope="module")
def app(tiny_model, tmp_path_factory):
    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path_factory.mktemp("method-runs")
    proc, url = start_app(tiny_model, runs, shared=False, timeout=90)
    yield url + "/", runs
    stop_app(proc)


@pytest.fixture(scope="module")
def page(app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(app[0])
        yield page
        browser.close()


def _runs(runs_dir) -> set:
    return {p for p in runs_dir.iterdir() if (p / "status.json").is_file()}


@pytest.mark.parametrize("sample, answers, expected", PATHS, ids=[p[2] for p in PATHS])
def test_start_right_after_train_with_this_method_runs_that_method(app, page, sample, answers, expected):
    url, runs_dir = app
    page.get_by_role("tab", name="1 · Data").click()
    page.locator("#dataset-sample input").click()
    page.get_by_role("option", name=sample).click()
    page.locator("#dataset-summary").get_by_text(sample).wait_for()
    page.get_by_role("button", name="Use this dataset → Method").click()
    recommendation = page.locator("#method-recommendation")
    recommendation.get_by_text("Recommended:").wait_for()
    for question, answer in answers.items():
        page.locator(".block", has_text=question).get_by_label(answer, exact=True).check()
    name = {"sft": "SFT", "dpo": "DPO", "orpo": "ORPO", "kto": "KTO", "grpo": "GRPO", "ppo": "RLHF (PPO)",
            "cpo": "SimPO / CPO", "rloo": "RLOO"}[expected]
    recommendation.get_by_text(f"Recommended: {name}").wait_for()
    before = _runs(runs_dir)
    page.get_by_role("button", name="Train with this method → Train").click()
    page.locator("#train-start").click()  # at once: no edit, no wait
    deadline = time.time() + 30
    while not (_runs(runs_dir) - before) and time.time() < deadline:
        time.sleep(0.2)
    (run_dir,) = _runs(runs_dir) - before
    status = json.loads((run_dir / "status.json").read_text())
    assert status["method"] == expected, f"Start ran {status['method']} after the page showed {expected}"
    assert status["dataset"].endswith(sample)
    assert page.locator("#train-method input").input_value() == name
    page.get_by_text("Full config (YAML)").click()
    assert f"method: {expected}" in page.locator("#train-config").inner_text()
    page.get_by_text("Full config (YAML)").click()
    page.locator("#train-stop").click()
    page.locator("#train-status").get_by_text(run_dir.name).wait_for()
    deadline = time.time() + 120
    while json.loads((run_dir / "status.json").read_text())["state"] in ("starting", "running") and \
            time.time() < deadline:
        time.sleep(0.3)
    assert json.loads((run_dir / "status.json").read_text())["state"] != "running"
