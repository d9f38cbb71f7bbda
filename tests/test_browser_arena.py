"""The arena in a real browser: start it on the sample pairs (tiny model, a small budget), watch rows fill in,
reload mid-arena (it is still there, still filling), and read the final table, sentence and chart."""

from __future__ import annotations

import time

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS

pytestmark = pytest.mark.browser


def _cells(page) -> str:
    return page.locator("#arena-table").inner_text()


def test_an_arena_fills_its_table_survives_a_reload_and_ends_with_a_chart(tiny_model, tmp_path):
    from playwright.sync_api import sync_playwright

    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path / "runs"
    runs.mkdir()
    proc, url = start_app(tiny_model, runs, shared=False, timeout=90)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(30_000)
            page.goto(url + "/")
            page.get_by_role("tab", name="5 · Arena").click()
            for name in ("KTO", "RLHF (PPO)", "SimPO / CPO", "RLOO"):  # a smaller arena: SFT, DPO and ORPO
                page.locator("#arena-methods").get_by_label(name).uncheck()
            budget = page.get_by_label("Training examples per method")
            budget.fill("8")
            budget.press("Tab")
            held = page.get_by_label("Held-out rows (judged)")
            held.fill("8")
            held.press("Tab")
            page.locator("#arena-start").click()
            page.get_by_text("Arena ").first.wait_for()
            sentence = page.locator("#arena-sentence")
            sentence.get_by_text("running").wait_for(timeout=60_000)
            assert "SFT" in _cells(page) and "ORPO" in _cells(page)

            deadline = time.time() + 300
            while "improved" not in _cells(page) and "no clear change" not in _cells(page) and \
                    "regressed" not in _cells(page) and time.time() < deadline:
                time.sleep(1)
            filled = sum(word in _cells(page) for word in ("improved", "no clear change", "regressed"))
            assert filled >= 1, "no row of the table got its verdict"

            page.reload()  # mid-arena: the arena is still there
            page.get_by_role("tab", name="5 · Arena").click()
            page.locator("#arena-picker input").click()
            page.get_by_role("option").first.click()
            page.locator("#arena-sentence").get_by_text("Arena ").wait_for()
            deadline = time.time() + 600
            while "finished ·" not in page.locator("#arena-sentence").inner_text() and time.time() < deadline:
                time.sleep(2)
            text = page.locator("#arena-sentence").inner_text()
            assert "the same 8 held-out rows" in text, text
            assert "finished" in text and ("did best" in text or "No method beat the base" in text), text
            table = _cells(page)
            assert table.count("finished") >= 3
            assert page.locator("#arena-chart .js-plotly-plot").count() == 1
            page.screenshot(path=str(SHOTS / "8-arena.png"), full_page=True)
            browser.close()
        assert list((runs / "arenas").glob("*/report.md"))
        (held_out,) = (runs / "arenas").glob("*/holdout.jsonl")
        assert len(held_out.read_text().splitlines()) == 8  # the held-out rows typed on the page
    finally:
        stop_app(proc)
