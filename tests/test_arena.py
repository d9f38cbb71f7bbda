"""The method arena on the tiny model: the plan (methods the data allows, one budget, the same held-out rows
and judge for all), a whole arena through the queue, stop and resume, the table, the report, and the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from studio.__main__ import main
from studio.training.arena import (DEFAULT_BUDGET, HOLDOUT, Arena, arena_rows, arena_sentence, arena_state,
                                   chart_svg, fewer_held_out, held_out_count, judge_note, methods_for, plan_arena,
                                   resume_arena, start_arena, stop_arena, write_report)
from studio.training.runner import Runner
from studio.training.runs import RunFolder, read_jsonl

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

PAIRS = str(Path(__file__).resolve().parents[1] / "presets" / "data" / "dpo_helpful_pairs.jsonl")
SMALL = {m: {"max_length": 64, "per_device_train_batch_size": 2}
         for m in ("sft", "dpo", "kto", "orpo", "cpo", "reward")}
SMALL["ppo"] = {"per_device_train_batch_size": 2, "num_mini_batches": 1, "num_ppo_epochs": 1,
                "max_completion_length": 8}
SMALL["rloo"] = {"per_device_train_batch_size": 2, "num_generations": 2, "max_completion_length": 8}
HELD = 12  # held-out rows the whole arena judges on (the default 30 costs each method's verdict 2.5 times as long)


def test_the_plan_lists_what_the_data_allows_with_one_budget_and_one_holdout(tiny_model, runs_dir):
    assert methods_for("preference") == ["sft", "dpo", "kto", "orpo", "cpo", "ppo", "rloo"]
    arena, specs = plan_arena(PAIRS, runs_dir, model=tiny_model, budget=16)
    folder = arena.folder(runs_dir)
    assert [e.run.rsplit("-", 1)[-1] for e in arena.entries] == ["judge", "sft", "dpo", "kto", "orpo", "cpo", "reward",
                                                                 "ppo", "rloo"]
    held = read_jsonl(folder / "holdout.jsonl")
    assert len(held) == 30 and len(read_jsonl(folder / "train.jsonl")) == 270
    for method in arena.methods:
        spec = specs[method]
        assert spec.verdict_rows == str(folder / "holdout.jsonl") and spec.holdout_rows == 0  # the same for all
        assert spec.verdict_judge == f"reward-model:{runs_dir / arena.entries[0].run}"
        assert spec.model_name == tiny_model
        held_prompts = {json.dumps(r["prompt"]) for r in held}
        assert not held_prompts & {json.dumps(r.get("prompt")) for r in read_jsonl(Path(spec.dataset))}
    assert specs["sft"].training["max_steps"] == 4 and specs["dpo"].training["max_steps"] == 4  # 16 examples of 4
    assert len(read_jsonl(Path(specs["kto"].dataset))) == 2 * 270  # each pair split into thumbs up and down
    assert specs["ppo"].extras["reward_funcs"] == [] and "ppo-reward" in specs
    assert Arena.load(folder).entries == arena.entries and Arena.load(folder).holdout == 30
    assert judge_note(arena, runs_dir).startswith("The arena's judge (a reward model on the training pairs) trains")
    with pytest.raises(ValueError, match="can't train on preference data"):
        plan_arena(PAIRS, runs_dir, methods=["grpo"])


@pytest.fixture(scope="module")
def finished_arena(tiny_model, tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("arena-runs")
    runner = Runner(runs_dir)
    arena = start_arena(runner, PAIRS, model=tiny_model, budget=8, overrides=SMALL, holdout=HELD)
    assert runner.wait_all(timeout=900)
    return runner, arena


def test_a_whole_arena_fills_one_table(finished_arena):
    runner, arena = finished_arena
    runs_dir = runner.runs_dir
    assert arena_state(arena, runs_dir) == "finished"
    rows = arena_rows(arena, runs_dir)
    assert [r["id"] for r in rows] == ["sft", "dpo", "kto", "orpo", "cpo", "ppo", "rloo"]
    for row in rows:
        assert row["state"] == "finished", row
        assert row["verdict"] in ("improved", "no clear change", "regressed"), row
        assert row["ci_low"] <= row["win_rate"] <= row["ci_high"] and row["wins"] + row["ties"] + row["losses"] == HELD
        assert row["wall_s"] > 0 and row["peak_rss_mb"] > 0 and row["prefers_chosen"] is not None
        summary = RunFolder(runs_dir / row["run"]).read_summary()
        assert summary["judge"].startswith("reward model") and summary["n"] == HELD
    # One judge and one set of base answers for the whole arena.
    judges = {RunFolder(runs_dir / r["run"]).read_summary()["judge_path"] for r in rows}
    assert len(judges) == 1
    assert len(list((runs_dir / ".answers").glob("*.json"))) == 1
    assert rows[-1]["note"] and rows[-2]["note"]  # RLOO's and PPO's reward model learnt from the judge's own pairs
    assert judge_note(arena, runs_dir) == ""  # the judge finished: the sentence says what won
    sentence = arena_sentence(rows)
    assert sentence.endswith(".") and ("did best" in sentence or "No method beat the base" in sentence)
    report = write_report(arena, runs_dir)
    assert "| method |" in report.read_text() and (report.parent / "chart.svg").read_text().startswith("<svg")


def test_the_held_out_rows_are_at_most_a_tenth_and_too_few_are_refused(tiny_model, runs_dir, tmp_path, capsys):
    arena, _ = plan_arena(PAIRS, runs_dir, model=tiny_model, budget=8, holdout=100)  # 300 pairs: a tenth is 30
    assert arena.holdout == 30 == len(read_jsonl(arena.folder(runs_dir) / "holdout.jsonl"))
    assert held_out_count(arena, runs_dir) == 30
    assert fewer_held_out(arena, 100).startswith("Every method is judged on 30 held-out rows, not 100")
    assert fewer_held_out(arena, 30) == "" and fewer_held_out(arena, 12) == ""  # as many as asked: nothing to say
    arena.holdout = 0  # an arena saved before the count was recorded: read from its rows
    assert held_out_count(arena, runs_dir) == 30
    small = tmp_path / "thirty_pairs.jsonl"
    small.write_text("".join(line for line in Path(PAIRS).read_text().splitlines(keepends=True)[:30]))
    before = sorted((runs_dir / "arenas").iterdir())
    with pytest.raises(ValueError, match=r"thirty_pairs.jsonl has 30 usable rows.*\(3\).*at least 40 rows"):
        plan_arena(str(small), runs_dir, model=tiny_model)
    assert sorted((runs_dir / "arenas").iterdir()) == before  # nothing half-made is left behind
    capsys.readouterr()
    assert main(["arena", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert f"(default {DEFAULT_BUDGET})" in shown and f"(default {HOLDOUT};" in shown  # the help states the defaults


def test_the_cli_runs_an_arena(tiny_model, runs_dir, capsys):
    code = main(["arena", PAIRS, "--model", tiny_model, "--methods", "dpo,orpo", "--budget", "4",
                 "--holdout", "8", "--runs-dir", str(runs_dir), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["id"] for r in data["rows"]] == ["dpo", "orpo"]
    assert data["state"] == "finished" and data["sentence"]
    assert all(r["wins"] + r["ties"] + r["losses"] == 8 for r in data["rows"])
    assert main(["arena", PAIRS, "--holdout", "2", "--runs-dir", str(runs_dir)]) == 2
    assert "at least 4" in capsys.readouterr().err
    assert main(["arena", PAIRS, "--methods", "grpo", "--runs-dir", str(runs_dir)]) == 2


def test_stopping_the_arena_cancels_the_rest_and_resume_finishes_it(tiny_model, runs_dir):
    runner = Runner(runs_dir)
    arena = start_arena(runner, PAIRS, model=tiny_model, methods=["sft", "dpo"], budget=400, overrides=SMALL,
                         holdout=HELD)
    deadline = time.time() + 120
    while not (runner.current and runner.current.active and runner.current.step >= 1) and time.time() < deadline:
        time.sleep(0.2)
    assert stop_arena(runner, arena) >= 1  # the waiting runs go out of the queue
    assert runner.wait_all(timeout=300) and not runner.queued()
    assert arena_state(arena, runs_dir) == "stopped"
    arena = Arena.load(arena.folder(runs_dir))  # as a reload (or a restart) would find it
    for entry in arena.entries:  # what's left, at a budget that finishes quickly
        spec_file = runs_dir / entry.run / "config.yaml"
        if spec_file.exists():
            text = spec_file.read_text().replace("max_steps: 100", "max_steps: 2").replace("max_steps: 200",
                                                                                              "max_steps: 2")
            spec_file.write_text(text)
    arena.budget = 4
    arena.save(runs_dir)
    assert resume_arena(runner, arena) >= 1
    assert runner.wait_all(timeout=600)
    assert arena_state(arena, runs_dir) == "finished"


def test_the_chart_draws_each_judged_method():
    rows = [{"method": "DPO", "win_rate": 0.7, "ci_low": 0.55, "ci_high": 0.82, "wall_s": 120.0,
             "verdict": "improved"},
            {"method": "ORPO", "win_rate": 0.4, "ci_low": 0.25, "ci_high": 0.57, "wall_s": 90.0,
             "verdict": "no clear change"}, {"method": "SFT", "win_rate": None, "wall_s": None}]
    svg = chart_svg(rows)
    assert svg.count("<circle") == 2 and ">DPO<" in svg and ">ORPO<" in svg
    assert "DPO did best" in arena_sentence([{**r, "note": ""} for r in rows[:2]])
