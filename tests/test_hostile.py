"""A hostile visitor of a shared studio (a public Space), through the page's own HTTP API and, where a page
must render it, a real browser. The app runs in shared mode with the tiny model, the operator's HF_TOKEN in
its environment and a fake Hub on the loopback address that records every request.

Each test is one hole the studio had: it fails on the code before shared mode's allowlist and passes now.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from tests.fake_hub import FakeHub
from tests.studio_api import StudioAPI

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "presets" / "data"
OPERATOR_TOKEN = "hf_operatorSecretToken1234567890abcd"
VISITOR_TOKEN = "hf_visitorOwnToken0987654321zyxwvu"
MAX_STEPS = 40
RUN_SECONDS = 15
EXPORTS_MB = 24


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    hub = FakeHub(tmp_path_factory.mktemp("marker") / "remote-code-ran")
    yield hub
    hub.close()


@pytest.fixture(scope="module")
def app(tiny_model, tmp_path_factory, hub):
    from benchmarks.polling_load import start_app, stop_app

    runs = tmp_path_factory.mktemp("hostile-runs")
    cache = tmp_path_factory.mktemp("hf-cache")
    env = {"HF_HUB_OFFLINE": None, "HF_ENDPOINT": hub.url, "HF_TOKEN": OPERATOR_TOKEN,
           "HF_HOME": str(cache), "HF_HUB_CACHE": str(cache / "hub"), "HF_MODULES_CACHE": str(cache / "modules"),
           "HF_DATASETS_CACHE": str(cache / "datasets"),
           "STUDIO_SHARED_MAX_STEPS": str(MAX_STEPS), "STUDIO_SHARED_RUN_MINUTES": str(RUN_SECONDS / 60),
           "STUDIO_SHARED_EXPORTS_GB": str(EXPORTS_MB / 1024), "STUDIO_SHARED_WAITING_PER_VISITOR": "2",
           "STUDIO_SHARED_WAITING_PER_ADDRESS": "4", "STUDIO_SHARED_WAITING": "6"}
    proc, url = start_app(tiny_model, runs, shared=True, timeout=120, env=env)
    yield {"url": url, "proc": proc, "runs": runs, "model": tiny_model}
    stop_app(proc)


def visitor(app, address: str | None = None) -> StudioAPI:
    return StudioAPI(app["url"], address=address or f"198.51.100.{uuid.uuid4().int % 250 + 1}")


def config(app, **values) -> str:
    base = {"method": "sft", "dataset": "presets/data/sft_pirate_chats.jsonl", "model_name_or_path": app["model"],
            "max_steps": 2, "holdout_rows": 0, "per_device_train_batch_size": 2}
    base.update(values)
    return "\n".join(f"{k}: {json.dumps(v)}" for k, v in base.items()) + "\n"


def run_folders(app) -> list[Path]:
    return [p for p in app["runs"].iterdir() if (p / "status.json").is_file()]


def wait_idle(api: StudioAPI, timeout: float = 120) -> dict:
    """Until nothing trains and nothing waits; returns the last live state."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        live = api.live()
        if "Queue" not in live["status"] and not any(f"**{s}**" in live["status"] for s in ("running", "starting")):
            return live
        time.sleep(0.5)
    raise AssertionError(f"still busy: {live}")


def compare_choice(api: StudioAPI, run_dir: Path) -> str:
    """The Compare tab's dropdown value for `run_dir`, as the page offers it after a refresh."""
    update = api.call("on_refresh").output[0]
    return next(value for label, value in update["choices"] if label.startswith(run_dir.name))


def status_of(run_dir: Path) -> dict:
    return json.loads((run_dir / "status.json").read_text())


@pytest.fixture(scope="module")
def finished_run(app):
    """One short run of a visitor's own: (its folder, that visitor)."""
    owner = visitor(app)
    wait_idle(owner)
    answer = owner.call("on_start", config(app, max_steps=2))
    assert not answer.warnings, answer.said
    wait_idle(owner)
    run_dir = app["runs"] / answer.infos[0].split()[1]  # "Run <id> started."
    assert (run_dir / "adapter").is_dir(), status_of(run_dir)
    return run_dir, owner


# Code, credentials and the operator's account --------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("trust_remote_code", True),
    ("model_init_kwargs", {"trust_remote_code": True}),
    ("attn_implementation", "kernels-community/flash-attn"),
    ("deepspeed", "/etc/passwd"),
    ("fsdp_config", {"a": 1}),
    ("chat_template_path", "/etc/passwd"),
    ("resume_from_checkpoint", "/tmp"),
    ("push_to_hub", True),
    ("hub_model_id", "victim/model"),
    ("dataset_num_proc", 64),
    ("model_revision", "refs/pr/1"),
])
def test_fields_that_reach_code_files_or_hubs_are_refused_by_name(app, hub, field, value):
    """GRPO with a hub reward model whose repo ships Python code: trust_remote_code (or any field that names
    code, files, kernels, hubs or processes) would run it in the app with the Space's secrets."""
    method = "sft" if field in ("chat_template_path", "dataset_num_proc") else "grpo"  # SFTConfig's, not GRPO's
    api = visitor(app)
    before = set(run_folders(app))
    extra = {"reward_model": "evil/remote-code", "reward_funcs": [],
             "dataset": "presets/data/grpo_arithmetic.jsonl"} if method == "grpo" else {}
    answer = api.call("on_start", config(app, method=method, **extra, **{field: value}))
    assert field in answer.said and "shared mode" in answer.said, answer.said
    wait_idle(api)
    assert set(run_folders(app)) == before  # nothing started, nothing written
    assert not hub.marker.exists()
    assert not hub.to("/evil/remote-code/")  # the repo with code was never even fetched


def test_a_push_needs_the_visitors_own_token(app, hub, finished_run):
    run_dir, owner = finished_run
    run = compare_choice(owner, run_dir)  # the page's dropdown takes only the runs it lists
    answer = owner.call("on_export_1", run, "no-token-push", False, False, "victim/stolen", "")
    assert "your own token" in answer.said, answer.said
    assert not hub.with_token(OPERATOR_TOKEN) and not hub.to("/api/repos/create")
    answer = owner.call("on_export_1", run, "own-token-push", False, False, "someone/new", VISITOR_TOKEN)
    assert hub.with_token(VISITOR_TOKEN) and not hub.with_token(OPERATOR_TOKEN)  # the visitor's, used once
    assert VISITOR_TOKEN not in answer.said


def test_the_dataset_probe_asks_the_hub_as_nobody(app, hub):
    api = visitor(app)
    api.call("on_hub", "someone/private-set", "", "train")
    probes = hub.to("/api/datasets/someone/private-set")
    assert probes and all(not r["authorization"] for r in probes), probes
    assert not hub.with_token(OPERATOR_TOKEN)


def test_a_huge_hub_dataset_is_refused_before_any_download(app, hub):
    api = visitor(app)
    answer = api.call("on_hub", "someone/huge-set", "", "train")
    assert "MB limit" in answer.said, answer.said
    assert not hub.to("/datasets/someone/huge-set/resolve")


def test_a_token_in_a_config_is_refused_and_never_written(app, hub):
    api = visitor(app)
    answer = api.call("on_start", config(app, hub_token=VISITOR_TOKEN, max_steps=2))
    assert "credential" in answer.said and "hub_token" in answer.said, answer.said
    assert VISITOR_TOKEN not in answer.said
    wait_idle(api)
    for path in app["runs"].rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert VISITOR_TOKEN.encode() not in path.read_bytes(), path


# Memory, disk and time ---------------------------------------------------------------------------------------

def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_yaml_alias_bomb_is_refused_at_once(app):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    assert len(bomb) < 600
    api = visitor(app)
    before_rss, before_log = _rss_mb(app["proc"].pid), (app["runs"] / "app.log").stat().st_size
    started = time.time()
    for handler in ("on_typed", "on_start"):
        answer = api.call(handler, "method: sft\n" + bomb)
    assert time.time() - started < 10
    assert "anchor or alias" in answer.said, answer.said
    assert _rss_mb(app["proc"].pid) - before_rss < 200
    assert (app["runs"] / "app.log").stat().st_size - before_log < 100_000


def test_a_config_over_64_kb_is_refused(app, tmp_path):
    api = visitor(app)
    big = "method: sft\n" + "# padding\n" * 10_000
    assert "at most 64 KB" in api.call("on_start", big).said
    path = tmp_path / "big.yaml"
    path.write_text(big)
    assert "at most 64 KB" in api.call("on_upload", api.upload(path)).said


def test_gradio_refuses_uploads_over_the_cap(app, tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"text": "' + b"x" * (21 * 2**20) + b'"}\n')
    api = visitor(app)
    import httpx

    with pytest.raises(httpx.HTTPStatusError):
        api.upload(path)


def _exploding_parquet(path: Path, rows: int = 3_000_000) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"prompt": pa.array(["a"] * rows).dictionary_encode(),
                      "completion": pa.array(["b"] * rows).dictionary_encode()})
    pq.write_table(table, path, compression="zstd")
    return path


def test_a_small_parquet_that_expands_to_millions_of_rows_is_refused(app, finished_run, tmp_path):
    path = _exploding_parquet(tmp_path / "bomb.parquet")
    assert path.stat().st_size < 200_000
    api = visitor(app)
    before = _rss_mb(app["proc"].pid)
    answer = api.call("on_file", api.upload(path))
    assert "100,000 rows" in answer.said, answer.said
    run_dir, _ = finished_run
    answer = api.call("on_evaluate", compare_choice(api, run_dir), api.upload(path), 4, "auto", "", 16, 0, 1, 0)
    assert "100,000 rows" in answer.said, answer.said
    assert _rss_mb(app["proc"].pid) - before < 300


def test_max_steps_must_be_set_and_bounded(app):
    api = visitor(app)
    assert f"between 1 and {MAX_STEPS}" in api.call("on_start", config(app, max_steps=100_000)).said
    assert "step budget" in api.call("on_start", config(app, max_steps=-1, num_train_epochs=1)).said
    assert "between 1 and 16" in api.call("on_start", config(app, per_device_train_batch_size=512)).said
    # No editor text: Start runs the draft with the quick fields as sent (steps, learning rate, batch, ...): bounded too
    assert f"between 1 and {MAX_STEPS}" in api.call("on_start", "", 100_000).said
    assert "between 1 and 16" in api.call("on_start", "", 2, 1e-4, 512).said


# A run that takes longer than the time budget: 40 steps of 64 rows each.
SLOW = {"max_steps": MAX_STEPS, "per_device_train_batch_size": 16, "gradient_accumulation_steps": 4}


def test_a_visitor_and_an_address_may_keep_only_a_few_runs_waiting(app):
    trainer = visitor(app, "192.0.2.1")
    assert not trainer.call("on_start", config(app, **SLOW)).warnings  # keeps the trainer busy
    same_place = "203.0.113.9"
    bob = visitor(app, same_place)
    said = [bob.call("on_start", config(app)).said for _ in range(3)]
    assert "Queued" in said[0] and "Queued" in said[1], said
    assert "at most 2" in said[2], said
    # Fresh browser ids from the same address don't get around it.
    others = [visitor(app, same_place) for _ in range(3)]
    said = [api.call("on_start", config(app)).said for api in others]
    assert "Queued" in said[0] and "Queued" in said[1] and "from your network" in said[2], said
    for api in (bob, *others, trainer):
        api.call("on_stop")
    wait_idle(trainer)


def test_the_arena_stop_is_no_way_to_stop_another_visitors_run(app):
    """An arena (only an operator starts one) naming a run that a visitor trains: another visitor's Arena Stop
    must not stop it (it once called the runner's stop with no owner check)."""
    import shutil

    from studio.training.arena import Arena, Entry

    alice, mallory = visitor(app, "192.0.2.10"), visitor(app)
    wait_idle(alice)
    answer = alice.call("on_start", config(app, **SLOW))
    assert not answer.warnings, answer.said
    run_dir = app["runs"] / answer.infos[0].split()[1]
    arena = Arena(id="20991231-000000-arena", data="presets/data/dpo_helpful_pairs.jsonl", model=app["model"],
                  shape="preference", methods=["sft"], budget=8, judge="auto", entries=[Entry("sft", run_dir.name)])
    arena.save(app["runs"])
    try:
        deadline = time.time() + 60
        while status_of(run_dir).get("state") != "running" and time.time() < deadline:
            time.sleep(0.3)
        mallory.call_on("arena-picker-refresh")  # the picker now offers the arena
        answer = mallory.call_on("arena-stop", arena.id)
        assert "not on a shared studio" in answer.said, answer.said
        time.sleep(2)
        assert status_of(run_dir)["state"] == "running" and not (run_dir / "stop.request").exists()
        # Start with absurd numbers (a budget and held-out rows in the trillions): refused before any is read.
        answer = mallory.call_on("arena-start", app["model"], 1e12, 1e12, "auto", ["sft", "dpo"])
        assert not answer.error and "Run the studio on your own machine for the arena" in answer.said, answer.said
        assert [p.name for p in (app["runs"] / "arenas").iterdir()] == [arena.id]  # no arena planned or queued
    finally:
        shutil.rmtree(arena.folder(app["runs"]), ignore_errors=True)
        alice.call("on_stop")
        wait_idle(alice)


def test_a_run_stops_when_its_time_budget_is_spent(app):
    api = visitor(app)
    before = set(run_folders(app))
    assert not api.call("on_start", config(app, **SLOW)).warnings
    wait_idle(api, timeout=RUN_SECONDS + 90)
    (run_dir,) = set(run_folders(app)) - before
    status = status_of(run_dir)
    assert status["state"] == "stopped" and "may train for" in status["message"], status
    assert 0 < status["step"] < MAX_STEPS
    assert (run_dir / "adapter").is_dir()  # stopped like a Stop: the adapter and a checkpoint are kept


def test_exports_stay_within_their_disk_quota(app, finished_run):
    from studio.shared import folder_bytes

    run_dir, owner = finished_run
    run = compare_choice(owner, run_dir)
    for name in ("first", "second", "third", "fourth"):
        answer = owner.call("on_export_1", run, name, False, False, "", "")
        assert "Merged model" in str(answer.output), answer.said
    exports = app["runs"] / "exports"
    assert folder_bytes(exports) <= EXPORTS_MB * 2**20
    assert (exports / "fourth").is_dir() and not (exports / "first").exists()


def test_the_probe_never_reads_a_server_file_named_in_a_draft(app, tmp_path):
    """"Will it fit?"'s Probe copies the draft's longest rows into the runs folder: with a server file as the
    draft's dataset it once read and copied that file, past every check Start makes."""
    secret = tmp_path / "private.jsonl"
    secret.write_text("".join(json.dumps({"prompt": f"SECRET-{i} what is the password?",
                                          "completion": f"SECRET-{i} hunter2 " * (1 + i % 7)}) + "\n"
                              for i in range(60)))
    api = visitor(app)
    api.call("on_typed", config(app, dataset=str(secret)))
    answer = api.call("on_probe", "here", "")
    assert answer.warnings, answer.said  # refused, with Start's own words
    copies = [p for p in (app["runs"] / "uploads").glob("probe-*.jsonl") if "SECRET-" in p.read_text()]
    assert not copies
    assert str(tmp_path) not in answer.said


def _feedback_queue(api: StudioAPI, prompts: Path, title: str):
    """The Feedback tab's "Generate the answers" with one prompt from a file, two samples of the operator's model
    (again while another queue's answers are being generated: one round at a time)."""
    deadline = time.time() + 60
    while True:
        answer = api.call_on("fb-generate", title, "file", api.upload(prompts), None, 1, "two_samples", None, None,
                             None, 16, 0.7, 1.0, 0)
        if "being generated" not in answer.said or time.time() > deadline:
            return answer
        time.sleep(0.5)


def test_feedback_queues_are_capped_per_network_and_exports_do_not_pile_up(app, tmp_path):
    """Fresh browser ids from one address could start feedback queues until the studio-wide cap locked everyone
    out; each "Export" click wrote a new folder in /tmp; and queues could never be deleted."""
    import tempfile

    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(json.dumps({"prompt": "Name a colour."}) + "\n")
    place = "203.0.113.50"
    said = [_feedback_queue(visitor(app, place), prompts, f"queue {i}").said for i in range(7)]
    assert all("started" in s for s in said[:6]), said
    assert "from your network" in said[6], said
    owner = visitor(app, "203.0.113.51")
    answer = _feedback_queue(owner, prompts, "mine")
    name = answer.output[2]  # the queue's folder name, as the page remembers it
    before = set(Path(tempfile.gettempdir()).glob("studio-feedback-*"))
    for _ in range(5):
        answer = owner.call_on("fb-export", name)
        assert answer.output and not answer.error, answer.said
    assert set(Path(tempfile.gettempdir()).glob("studio-feedback-*")) == before  # no folder per click
    served = [Path(update["value"]["path"] if isinstance(update["value"], dict) else update["value"]).name
              for update in answer.output]
    assert served == [f"{name}-pairs.jsonl", f"{name}-rated-answers.jsonl"]
    other = visitor(app, "203.0.113.52")
    other.call_on("fb-refresh", None)  # the queue picker now offers the queue
    assert "Only whoever started" in other.call_on("fb-delete", name, True).said
    deadline = time.time() + 60
    while "being generated" in (said := owner.call_on("fb-delete", name, True).said) and time.time() < deadline:
        time.sleep(0.5)  # its one answer is still being written: the queue stays until it is
    assert "deleted" in said.lower(), said
    assert not (app["runs"] / ".feedback" / name).exists()


def test_the_viewer_count_cannot_be_inflated_by_headers(app):
    api = visitor(app, "203.0.113.77")
    for _ in range(200):
        api.live(uuid.uuid4().hex)
        api.live("x" * 5000)
    assert api.live()["every"] == 1  # the page of a real visitor keeps its pace


# Paths, links and what other visitors see --------------------------------------------------------------------

def test_a_link_in_the_runs_folder_is_not_a_run(app, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "status.json").write_text(json.dumps({"state": "stopped", "method": "sft", "started_at": 1}))
    (outside / "config.yaml").write_text("secret: the server's own file\n")
    (outside / "metrics.jsonl").write_text('{"step": 1, "loss": 1.0}\n')
    link = app["runs"] / "20991231-000000-link"
    link.symlink_to(outside)
    api = visitor(app)
    try:
        table = api.call("on_refresh_1").output[0]  # also what the run pickers offer this visitor
        assert link.name not in json.dumps(table)
        shown = api.call("on_one", str(link))
        assert "the server's own file" not in json.dumps(shown.output) and (shown.error or shown.warnings)
        overlay = api.call("on_overlay", [str(link)], "loss", 0)
        assert overlay.error or overlay.warnings
    finally:
        link.unlink()


def test_messages_shown_to_visitors_hold_no_server_paths(app):
    alice, bob = visitor(app), visitor(app)
    before = set(run_folders(app))
    alice.call("on_start", config(app, method="dpo"))  # SFT data for DPO: fails before it trains, no adapter
    wait_idle(alice)
    (failed,) = set(run_folders(app)) - before
    assert status_of(failed)["state"] == "failed"
    bob.call("on_start", config(app, model_name_or_path=str(failed)))  # a run with no model: the message names it
    wait_idle(bob)
    runs_dir = str(app["runs"].resolve())
    assert runs_dir not in bob.live()["status"] and failed.name in bob.live()["status"]
    assert runs_dir not in json.dumps(bob.call("on_refresh_1").output)


def test_html_a_visitor_types_is_text_in_every_other_visitors_browser(app, hub):
    """A visitor's model or dataset name carrying an image and a link ends up in a failed run's message, which
    every visitor's Train tab shows: it must stay text (no image fetched, no link)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    mallory = visitor(app)
    image = f'<img src="{hub.url}/pixel.png">'
    link = "[log in again](https://evil.example/login)"
    mallory.call("on_start", config(app, model_name_or_path=f"{image} {link}"))
    # Only a file name is echoed ("….jsonl: no such file"), so this one carries no slash.
    mallory.call("on_start", config(app, dataset="presets/data/<img src=x onerror=alert(1)> <b>bold</b> "
                                                 "[log in again](mailto:help@evil.example).jsonl"))
    wait_idle(mallory)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(app["url"] + "/")
        page.get_by_role("tab", name="3 · Train").click()
        status = page.locator("#train-status")
        status.get_by_text("failed").wait_for(timeout=30_000)
        time.sleep(2)  # let any image load
        assert status.locator("img").count() == 0
        assert status.locator("a").count() == 0
        assert "log in again" in status.inner_text()  # shown, as text
        page.get_by_role("tab", name="Runs").click()
        page.get_by_role("button", name="↻ Refresh").click()
        time.sleep(2)
        assert page.locator("#runs-table img").count() == 0
        browser.close()
    assert not hub.to("/pixel.png")


def test_the_app_keeps_serving_after_all_of_it(app):
    api = visitor(app)
    assert api.live()["status"]
    answer = api.call("on_start", config(app, max_steps=1))
    assert not answer.warnings, answer.said
    wait_idle(api)
