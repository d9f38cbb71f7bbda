"""Shared mode against a stranger: run folders named by the page can't escape the runs folder, a visitor
changes only their own runs, and the owner recorded on disk is a hash, never the visitor's id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.shared import NOT_YOURS, owner_id
from studio.training.runner import Runner
from studio.services import Studio as StudioContext
from studio.ui.train_tab import CurveCache, queue_markdown


def make_run(runs_dir: Path, name: str, owner: str = "") -> Path:
    folder = runs_dir / name
    folder.mkdir(parents=True)
    (folder / "status.json").write_text(json.dumps({"state": "stopped", "owner": owner}))
    return folder


@pytest.fixture
def ctx(runs_dir) -> StudioContext:
    return StudioContext(runner=Runner(runs_dir), shared=True)


@pytest.mark.parametrize("value", ["../etc", "/etc", "..", ".", "runs/../../x", "%2e%2e/x", "x/../../y",
                                   "/tmp", "~"])
def test_run_folders_outside_the_runs_folder_are_refused(ctx, value):
    with pytest.raises(ValueError, match="not a run of this studio"):
        ctx.policy.check_run_dir(value)


def test_a_folder_that_is_not_a_run_is_refused(ctx):
    (ctx.runs_dir / "uploads").mkdir()
    with pytest.raises(ValueError, match="not a run of this studio"):
        ctx.policy.check_run_dir(ctx.runs_dir / "uploads")


def test_a_symlink_out_of_the_runs_folder_is_refused(ctx, tmp_path):
    outside = make_run(tmp_path / "elsewhere", "secret")
    (ctx.runs_dir / "link").symlink_to(outside)
    with pytest.raises(ValueError):
        ctx.policy.check_run_dir(ctx.runs_dir / "link")


def test_visitors_change_only_their_own_runs(ctx):
    mine = make_run(ctx.runs_dir, "20260101-000000-dpo", owner=owner_id("alice-browser"))
    cli_run = make_run(ctx.runs_dir, "20260101-000001-sft")  # made by the CLI: nobody's in shared mode
    assert ctx.check_mine(mine, "alice-browser") == mine.resolve()
    for run, visitor in ((mine, "bob-browser"), (mine, None), (cli_run, "alice-browser")):
        with pytest.raises(ValueError, match="belongs to another visitor"):
            ctx.check_mine(run, visitor)


def test_on_your_own_machine_everything_is_yours(runs_dir):
    local = StudioContext(runner=Runner(runs_dir), shared=False)
    run = make_run(runs_dir, "20260101-000000-dpo", owner=owner_id("someone"))
    assert local.check_mine(run, None) == run
    assert local.owner("anything") == ""


def test_the_owner_on_disk_is_a_hash_of_the_visitor_id():
    visitor = "3f9c0d6e8a1b4c2d9e7f6a5b4c3d2e1f"
    assert owner_id(visitor) != visitor and len(owner_id(visitor)) == 16
    assert owner_id(visitor) == owner_id(visitor) and owner_id("other") != owner_id(visitor)
    assert owner_id(None) == owner_id("") == ""
    assert "watch it" in NOT_YOURS


def test_the_queue_line_names_only_the_visitors_own_tickets():
    class T:
        def __init__(self, owner, label):
            self.owner, self.label = owner, label

    queued = [(1, T("a", "dpo on mine.jsonl")), (2, T("b", "sft on theirs.jsonl"))]
    line = queue_markdown(queued, "a")
    assert "2 run(s) waiting" in line and "position 1 (dpo on mine.jsonl)" in line and "theirs" not in line
    assert "theirs" not in queue_markdown(queued, "")
    assert "position 2 (sft on theirs.jsonl)" in queue_markdown(queued, "", everyone=True)
    assert queue_markdown([], "a") == ""


def test_the_curve_cache_builds_once_per_new_metric_line():
    class Live:
        run_id, method = "r1", "sft"

    cache = CurveCache()
    metrics = [{"step": 1, "loss": 1.0, "learning_rate": 1e-4}]
    first = cache.get(Live(), metrics, 0)
    assert cache.get(Live(), metrics, 0) is first  # twenty tabs, one figure
    metrics.append({"step": 2, "loss": 0.9, "learning_rate": 1e-4})
    assert cache.get(Live(), metrics, 0) is not first


def test_many_tabs_ask_less_often_and_redraw_less_often():
    import time as clock

    class Live:
        run_id, method, active = "r1", "sft", True
        metrics = [{"step": 1, "loss": 1.0}]

    cache = CurveCache()
    cache.key(Live(), "only-tab")
    assert cache.every() == 1 and cache.interval(clock.time()) == 1.0  # one tab: every tick, redraw every 1 s
    for i in range(20):
        cache.key(Live(), f"tab-{i}")
    assert cache.every() == 2 and cache.interval(clock.time()) >= 20  # a crowd: every 2nd tick, every ≥ 20 s


def test_the_live_route_answers_json_for_the_visitor_in_the_header(tmp_path):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    import studio.ui
    from studio.ui.train_tab import LIVE_PATH

    app = studio.ui.create_app(default_model="my-org/my-model", runs_dir=tmp_path / "runs", shared=True)
    client = TestClient(FastAPI(routes=app.studio_routes))
    answer = client.get(LIVE_PATH, headers={"X-Studio-Visitor": "abc"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert set(body) == {"status", "progress", "key", "every"} and "No run yet" in body["status"]
    assert (tmp_path / "runs" / ".browser-secret").is_file()  # the browser id survives a restart


def test_a_start_before_the_page_knows_its_visitor_is_refused_plainly(ctx):
    from studio.training.spec import spec_from_dict

    spec = spec_from_dict({"method": "sft", "dataset": "presets/data/sft_pirate_chats.jsonl",
                           "model_name_or_path": "x"})
    with pytest.raises(ValueError, match="still loading"):
        ctx.start(spec, None)
    assert ctx.runner.current is None and not ctx.runner.queue
