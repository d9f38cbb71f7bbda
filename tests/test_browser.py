"""The thin path in a real browser: the real app (tiny model) in headless Chromium, driven by Playwright.

upload → shape and findings → recommended method → start → the curve gains points → stop → compare.
A screenshot of each tab goes to tests/screenshots/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def app_url(tiny_model, tmp_path_factory):
    from benchmarks.polling_load import start_app, stop_app

    proc, url = start_app(tiny_model, tmp_path_factory.mktemp("browser-runs"), shared=False, timeout=90)
    yield url + "/"
    stop_app(proc)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, app_url):
    """Open a fresh tab on the app (several can be open at once, like a user's tabs)."""
    pages = []

    def opener():
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(app_url)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


@pytest.fixture
def page(open_page):
    return open_page()


def _preference_file(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.jsonl"
    topics = ["tea", "rain", "maps", "bread", "stars", "clocks", "rivers", "bees", "salt", "glass"]
    with open(path, "w") as handle:
        for i, topic in enumerate(topics * 3):
            handle.write(json.dumps({"prompt": f"Tell me one fact about {topic} (#{i}).",
                                     "chosen": f"Happy to help: here is a fact about {topic}.",
                                     "rejected": "Figure it out yourself."}) + "\n")
    return path


def set_quick_fields(page, fields: dict[str, str]) -> None:
    """Type into the Train tab's quick fields, leaving each one (so the config is rewritten), and let it settle."""
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
        page.get_by_label(label).press("Tab")
    time.sleep(0.5)


def _plot_points(page) -> int:
    return page.evaluate("""() => {
        const plot = document.querySelector('#train-plot .js-plotly-plot');
        return plot && plot.data && plot.data.length ? plot.data[0].x.length : 0;
    }""")


def wait_for_points(page, more_than: int, timeout: float = 30) -> int:
    """The live curve's number of points, once it holds more than `more_than` (or the timeout passed)."""
    deadline = time.time() + timeout
    while _plot_points(page) <= more_than and time.time() < deadline:
        time.sleep(0.3)
    return _plot_points(page)


def test_thin_path_in_the_browser(page, tmp_path):
    SHOTS.mkdir(exist_ok=True)
    # Data: upload, then the detected shape and the findings show.
    page.locator("#dataset-upload input[type=file]").set_input_files(str(_preference_file(tmp_path)))
    summary = page.locator("#dataset-summary")
    summary.get_by_text("Preference pairs").wait_for()
    assert "30 rows" in summary.inner_text()
    assert "Ready to train" in summary.inner_text()
    page.screenshot(path=str(SHOTS / "1-data.png"), full_page=True)

    # Method: the decision tree recommends DPO for paired preferences, with reasons.
    page.get_by_role("button", name="Use this dataset → Method").click()
    recommendation = page.locator("#method-recommendation")
    recommendation.get_by_text("Recommended: DPO").wait_for()
    assert "chosen and a rejected answer" in recommendation.inner_text()
    page.screenshot(path=str(SHOTS / "2-method.png"), full_page=True)

    # Train: start a long run, watch the curve gain points, then stop it.
    page.get_by_role("button", name="Train with this method → Train").click()
    set_quick_fields(page, {"Steps": "2000"})
    page.get_by_text("Full config (YAML)").click()
    page.locator("#train-config").get_by_text("max_steps: 2000").wait_for()  # the field rewrote the config
    assert "method: dpo" in page.locator("#train-config").inner_text()
    page.locator("#train-start").click()
    status = page.locator("#train-status")
    status.get_by_text("running", exact=True).wait_for(timeout=60_000)
    first = wait_for_points(page, 1, timeout=60)
    assert first >= 2, "the loss curve did not appear"
    assert wait_for_points(page, first) > first, "the curve did not gain points while training"
    page.screenshot(path=str(SHOTS / "3-train.png"), full_page=True)
    run_id = status.locator("code").first.inner_text()

    # A reload mid-run keeps the run: it lives in the process, not in the page.
    page.reload()
    page.get_by_role("tab", name="3 · Train").click()
    status.get_by_text(run_id).wait_for()
    status.get_by_text("running", exact=True).wait_for()
    deadline = time.time() + 30
    while _plot_points(page) < 2 and time.time() < deadline:
        time.sleep(0.3)
    assert _plot_points(page) >= 2, "the curve did not come back after a reload"

    # Stop after the current step, then resume from the checkpoint and stop again.
    page.locator("#train-stop").click()
    status.get_by_text("stopped", exact=True).wait_for(timeout=60_000)
    assert "adapter was saved" in status.inner_text()
    stopped_at = _plot_points(page)
    page.locator("#train-resume").click()
    status.get_by_text("running", exact=True).wait_for(timeout=60_000)
    deadline = time.time() + 60
    while _plot_points(page) <= stopped_at and time.time() < deadline:
        time.sleep(0.3)
    assert _plot_points(page) > stopped_at, "the resumed run did not add points to the same curve"
    page.locator("#train-stop").click()
    status.get_by_text("stopped", exact=True).wait_for(timeout=60_000)

    # Compare: the stopped run answers side by side with the base.
    page.get_by_role("tab", name="4 · Compare").click()
    run_input = page.locator("#compare-run input")
    deadline = time.time() + 30  # the run list refreshes when the tab opens
    while "stopped" not in run_input.input_value() and time.time() < deadline:
        time.sleep(0.3)
    assert "stopped" in run_input.input_value()
    page.locator("#compare-go").click()
    aligned = page.locator("#compare-aligned textarea")
    deadline = time.time() + 60
    pending = ("", "…")  # the aligned side shows "…" until its first tokens (or its empty answer) arrive
    while time.time() < deadline and aligned.input_value() in pending:
        time.sleep(0.5)
    assert aligned.input_value() not in pending and "generating" not in aligned.input_value()
    assert page.locator("#compare-base textarea").input_value()
    page.screenshot(path=str(SHOTS / "4-compare.png"), full_page=True)

    # Runs: the run is listed with its state.
    page.get_by_role("tab", name="Runs").click()
    table = page.locator("#runs-table")
    deadline = time.time() + 30
    while run_id not in table.inner_text() and time.time() < deadline:
        time.sleep(0.3)
    assert run_id in table.inner_text() and "stopped" in table.inner_text()
    page.screenshot(path=str(SHOTS / "5-runs.png"), full_page=True)


def test_a_bad_file_gets_a_clear_message_and_the_page_keeps_working(open_page, tmp_path):
    page = open_page()
    bad = tmp_path / "broken.jsonl"
    bad.write_bytes(b"\x00\x01\x02 not json at all")
    page.locator("#dataset-upload input[type=file]").set_input_files(str(bad))
    summary = page.locator("#dataset-summary")
    summary.get_by_text("Could not use this file").wait_for()
    assert "binary" in summary.inner_text() and "Traceback" not in page.content()
    page.get_by_role("button", name="Use this dataset → Method").wait_for()
    assert page.get_by_role("button", name="Use this dataset → Method").is_disabled()
    # The same tab keeps working: pick a sample dataset instead.
    page.locator("#dataset-sample input").click()
    page.get_by_role("option", name="sft_pirate_chats.jsonl").click()
    summary.get_by_text("Instruction chats").wait_for()
    assert page.get_by_role("button", name="Use this dataset → Method").is_enabled()


def _traces(page, selector: str) -> int:
    return page.evaluate(f"""() => {{
        const plot = document.querySelector('{selector} .js-plotly-plot');
        return plot && plot.data ? plot.data.length : 0;
    }}""")


def test_a_diverging_run_fails_plainly_the_next_finishes_and_runs_overlay(open_page, tmp_path):
    """An absurd learning rate: the run is reported failed in plain words; the next run starts, finishes with
    its verdict, and on the Runs tab its curve overlays another run's."""
    page = open_page()
    page.get_by_role("tab", name="3 · Train").click()
    status = page.locator("#train-status")
    set_quick_fields(page, {"Steps": "6", "Learning rate": "1e30"})
    page.locator("#train-start").click()
    status.get_by_text("failed", exact=True).wait_for(timeout=90_000)
    assert "NaN or infinite" in status.inner_text() and "Traceback" not in page.content()
    failed_id = status.locator("code").first.inner_text()

    set_quick_fields(page, {"Steps": "4", "Learning rate": "0.0001"})
    page.locator("#train-start").click()
    status.get_by_text("finished", exact=True).wait_for(timeout=180_000)
    finished_id = status.locator("code").first.inner_text()
    assert finished_id != failed_id and "held-out" in status.inner_text()  # the verdict is in the message

    page.get_by_role("tab", name="Runs").click()
    table = page.locator("#runs-table")
    deadline = time.time() + 30
    while finished_id not in table.inner_text() and time.time() < deadline:
        time.sleep(0.3)
    assert "failed" in table.inner_text() and "finished" in table.inner_text()
    picker = page.locator("#runs-picked input")
    for run_id in (finished_id, failed_id):
        picker.click()
        page.get_by_role("option", name=run_id, exact=False).first.click()
    deadline = time.time() + 30
    while _traces(page, "#runs-overlay") < 2 and time.time() < deadline:
        time.sleep(0.3)
    assert _traces(page, "#runs-overlay") == 2, "the two runs' curves are not overlaid"

    # Compare: the batch verdict on the finished run's held-out rows, then the export of a standalone model.
    page.get_by_role("tab", name="4 · Compare").click()
    run_input = page.locator("#compare-run input")
    deadline = time.time() + 30
    while finished_id not in run_input.input_value() and time.time() < deadline:
        time.sleep(0.3)
    assert finished_id in run_input.input_value()
    page.get_by_role("tab", name="Batch verdict").click()
    page.locator("#compare-evaluate").click()
    page.locator("#compare-verdict").get_by_text("Verdict:").wait_for(timeout=120_000)
    deadline = time.time() + 30
    while _traces(page, "#compare-chart") < 1 and time.time() < deadline:
        time.sleep(0.3)
    assert _traces(page, "#compare-chart") >= 1, "no win-rate chart"
    assert "aligned" in page.locator("#compare-table").inner_text()
    page.screenshot(path=str(SHOTS / "7-verdict.png"), full_page=True)
    page.get_by_text("Deploy: export a standalone model").click()
    out = tmp_path / "exported"
    page.locator("#deploy-folder textarea, #deploy-folder input").first.fill(str(out))
    page.locator("#deploy-export").click()
    page.locator("#deploy-note").get_by_text("Merged model:").wait_for(timeout=120_000)

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(out)  # plain transformers, no peft, no studio
    tokenizer = AutoTokenizer.from_pretrained(out)
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True,
                                        return_tensors="pt", return_dict=True)
    with torch.no_grad():
        generated = model.generate(**ids, max_new_tokens=3, do_sample=False)
    assert generated.shape[-1] > ids["input_ids"].shape[-1]  # it generates
