"""The verdict on the tiny model: judged on what the models say, on one scale, and able to fail; the compare
CLI with plain prompts; batched answers equal one-at-a-time ones; and deploy (merged export)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.__main__ import main
from studio.deploy import export_run
from studio.evaluation.generate import ComparePair, DecodeSettings
from studio.evaluation.judges import RewardsJudge
from studio.evaluation.verdict import evaluate_run, read_summary, summary_line
from studio.training.runner import Runner
from studio.training.runs import read_jsonl
from studio.training.spec import spec_from_dict

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

DATA = Path(__file__).resolve().parents[1] / "presets" / "data"
WORDS = ("improved", "no clear change", "regressed")


def run(method, dataset, tiny_model, runs_dir, **extra):
    values = {"method": method, "dataset": str(DATA / dataset), "model_name_or_path": tiny_model, "max_steps": 2,
              "per_device_train_batch_size": 2, "learning_rate": 1e-2, "max_length": 64, **extra}
    values = {k: v for k, v in values.items() if v is not None}  # None: leave the key out (GRPO has no max_length)
    runner = Runner(runs_dir)
    live = runner.start(spec_from_dict(values))
    runner.wait(timeout=600)
    assert live.state == "finished", live.message
    return live


@pytest.fixture(scope="module")
def dpo_run(tiny_model, tmp_path_factory):
    return run("dpo", "dpo_helpful_pairs.jsonl", tiny_model, tmp_path_factory.mktemp("runs"))


def test_a_dpo_run_is_judged_by_a_reward_model_trained_on_its_training_pairs(dpo_run):
    summary = read_summary(dpo_run.run_dir)
    assert summary["verdict"] in WORDS and summary["n"] == 30  # a tenth of 300 rows, capped at 32
    assert summary["wins"] + summary["ties"] + summary["losses"] == 30
    assert summary["ci_low"] <= summary["win_rate"] <= summary["ci_high"]
    assert summary["judge"].startswith("reward model (trained on this data's training pairs)")
    assert summary_line(summary).startswith(summary["verdict"]) and summary["verdict"] in dpo_run.message
    # The likelihood scale every offline method shares, and the side effects, beside the verdict.
    assert {"before", "after", "gained", "lost"} <= set(summary["preference"])
    assert {"lengths", "empty", "cut_off", "kl_per_answer"} <= set(summary)
    records = read_jsonl(dpo_run.run_dir / "eval.jsonl")
    assert len(records) == 30 and all({"base", "aligned", "outcome", "base_margin"} <= set(r) for r in records)
    # The judge never saw a held-out row.
    held = {json.dumps(r["prompt"]) for r in read_jsonl(dpo_run.run_dir / "holdout.jsonl")}
    (pairs,) = list((dpo_run.run_dir.parent / ".judges").glob("*/pairs.jsonl"))
    trained_on = {json.dumps(r["prompt"]) for r in read_jsonl(pairs)}
    assert len(trained_on) == 270 and not held & trained_on


def test_held_out_rows_are_not_trained_on(dpo_run):
    log = (dpo_run.run_dir / "train.log").read_text()
    assert "270 rows" in log and "kept 30 rows out of training" in log


def test_a_model_that_did_not_move_reads_no_clear_change(tiny_model, runs_dir):
    frozen = run("dpo", "dpo_helpful_pairs.jsonl", tiny_model, runs_dir, learning_rate=1e-9, holdout_rows=16)
    summary = read_summary(frozen.run_dir)
    assert summary["verdict"] == "no clear change", summary
    assert summary["ties"] == summary["n"]  # the same answers: nothing to judge
    assert summary["preference"]["gained"] == summary["preference"]["lost"] == 0


@pytest.fixture(scope="module")
def terse_run(tiny_model, tmp_path_factory):
    """SFT on one short answer ("Yes."): the tiny base model says nothing readable and rambles on to
    max_new_tokens; the aligned model says yes and stops. Judged by "says yes" it improved; judged by "keeps
    quiet" it regressed: the same answers, the verdict follows the judge."""
    folder = tmp_path_factory.mktemp("terse")
    rows = [{"messages": [{"role": "user", "content": f"Say yes to number {i}."},
                          {"role": "assistant", "content": "Yes."}]} for i in range(10, 70)]
    (folder / "terse.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    values = {"method": "sft", "dataset": str(folder / "terse.jsonl"), "model_name_or_path": tiny_model,
              "max_steps": 40, "per_device_train_batch_size": 4, "learning_rate": 3e-2, "max_length": 64,
              "holdout_rows": 0, "use_peft": False}
    runner = Runner(folder / "runs")
    live = runner.start(spec_from_dict(values))
    runner.wait(timeout=600)
    assert live.state == "finished", live.message
    return live


def says_yes(completions, **kwargs):
    return [1.0 if "yes" in c[0]["content"].lower() else 0.0 for c in completions]


def keeps_quiet(completions, **kwargs):
    return [1.0 - v for v in says_yes(completions)]


@pytest.mark.parametrize("judge, word", [(says_yes, "improved"), (keeps_quiet, "regressed")])
def test_the_verdict_follows_the_judge_both_ways(terse_run, judge, word):
    # Unseen numbers of two digits, as in training: the 2-layer tiny model keys on positions, so a prompt one
    # token longer than any it trained on can get a different answer.
    prompts = [{"prompt": f"Say yes to number {i}."} for i in range(70, 86)]
    _, summary = evaluate_run(terse_run.run_dir, rows=prompts, settings=DecodeSettings(max_new_tokens=12),
                              judge=RewardsJudge([judge]), write=False)
    assert summary["verdict"] == word, summary
    assert summary["lengths"]["change_tokens"] < 0 and summary["cut_off"]["aligned"] < summary["cut_off"]["base"]


def test_batched_greedy_answers_equal_one_at_a_time(dpo_run):
    pair = ComparePair(dpo_run.run_dir)
    settings = DecodeSettings(max_new_tokens=10)
    prompts = ["Name a colour.", "What is two plus two? Answer in one short sentence, please.", "Hi",
               [{"role": "user", "content": "Tell me about tea."}], "Why is the sky blue?"]
    for aligned in (False, True):
        batched = [a.text for a in pair.answers(prompts, settings, aligned, batch_size=3)]
        assert batched == [pair.generate(p, settings, aligned) for p in prompts]


def test_base_answers_are_generated_once_for_the_same_prompts(dpo_run):
    cache = dpo_run.run_dir.parent / ".answers"
    before = set(cache.glob("*.json"))
    prompts = [{"prompt": f"Say something about {w}."} for w in ("tea", "rain", "maps")]
    for _ in range(2):
        evaluate_run(dpo_run.run_dir, rows=prompts, settings=DecodeSettings(max_new_tokens=4), judge="none",
                     write=False)
    assert len(set(cache.glob("*.json")) - before) == 1


@pytest.mark.parametrize("method, dataset, extra, key", [
    ("kto", "kto_feedback.jsonl", {}, "own"),
    ("grpo", "grpo_arithmetic.jsonl", {"num_generations": 2, "max_completion_length": 8, "holdout_rows": 4,
                                        "max_length": None}, "aligned_accuracy"),
    ("sft", "sft_pirate_chats.jsonl", {}, "own"),
    ("reward", "dpo_helpful_pairs.jsonl", {}, "pair_accuracy"),
])
def test_each_method_gets_a_verdict(method, dataset, extra, key, tiny_model, runs_dir):
    if method == "grpo":
        extra = {**extra, "learning_rate": 1e-3}
    live = run(method, dataset, tiny_model, runs_dir, **extra)
    summary = read_summary(live.run_dir)
    assert key in summary and summary["method"] == method, summary
    assert summary["verdict"] in WORDS + ("not judged",)
    line = summary_line(summary)
    assert line and line in live.message
    if method == "kto":  # thumbs up/down on different prompts: no pairs to train a judge on, and it says so
        assert summary["verdict"] == "not judged" and "no judge" in line
    if method == "sft":
        assert summary["judge"].startswith("overlap with the reference")


def test_stream_ends_with_the_generated_text(dpo_run):
    pair = ComparePair(dpo_run.run_dir)
    settings = DecodeSettings(max_new_tokens=6)
    for aligned in (False, True):
        parts = list(pair.stream("Name a colour.", settings, aligned))
        assert (parts[-1] if parts else "") == pair.generate("Name a colour.", settings, aligned)


def test_compare_cli_with_plain_prompts_on_a_dpo_run(dpo_run, tmp_path, capsys):
    """A new user's file of plain prompts: side-by-side answers, judged by what needs no reference."""
    prompts = tmp_path / "my_prompts.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": f"Give me one tip about {t}."}) for t in
                                 ("sleep", "tea", "maps", "bees")))
    assert main(["compare", str(dpo_run.run_dir), "--prompts", str(prompts), "--max-new-tokens", "6",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rows"]) == 4 and data["summary"]["verdict"] in WORDS
    assert data["summary"]["judge"].startswith("reward model")
    assert read_summary(dpo_run.run_dir)["n"] == 30  # a prompts file does not overwrite the run's verdict


def test_compare_cli_with_prompts_and_answers(dpo_run, tmp_path, capsys):
    prompts = tmp_path / "qa.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": f"What is {i} + 1?", "answer": str(i + 1)}) for i in range(10)))
    assert main(["compare", str(dpo_run.run_dir), "--prompts", str(prompts), "--limit", "3",
                 "--max-new-tokens", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rows"]) == 3 and {"base", "aligned", "base_score", "aligned_score"} <= set(data["rows"][0])
    assert "aligned_accuracy" in data["summary"]
    assert main(["compare", str(tmp_path / "no-run")]) == 2


def test_export_writes_a_model_plain_transformers_loads(dpo_run, tmp_path, capsys):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "merged"
    assert main(["export", str(dpo_run.run_dir), "--merged", str(out), "--gguf"]) == 0
    assert "convert_hf_to_gguf.py" in capsys.readouterr().out  # llama.cpp's converter (requirements.txt) wrote it
    assert (out / "model.gguf").is_file() and (out / "Modelfile").is_file() and (out / "README.md").is_file()
    model, tokenizer = AutoModelForCausalLM.from_pretrained(out), AutoTokenizer.from_pretrained(out)
    assert tokenizer.chat_template and (out / "model.safetensors").is_file()
    ids = tokenizer("hello", return_tensors="pt")
    assert model.generate(**ids, max_new_tokens=2, do_sample=False).shape[1] >= ids["input_ids"].shape[1]
    with pytest.raises(ValueError, match="not empty"):
        export_run(dpo_run.run_dir, out)


def test_push_needs_a_token_and_never_shows_it(dpo_run, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "no-login"))  # no `hf auth login` token either
    with pytest.raises(ValueError, match="needs a token"):
        export_run(dpo_run.run_dir, tmp_path / "a", push_repo="me/model")
    secret = "hf_secret_token_123"
    with pytest.raises(ValueError) as failure:  # no network here: the push fails, the token stays hidden
        export_run(dpo_run.run_dir, tmp_path / "b", push_repo="me/model", token=secret)
    assert secret not in str(failure.value)


def test_evaluate_needs_rows(tiny_model, runs_dir):
    live = run("sft", "sft_pirate_chats.jsonl", tiny_model, runs_dir, holdout_rows=0)
    assert not (live.run_dir / "holdout.jsonl").exists() and "aligned wins" not in live.message
    with pytest.raises(ValueError, match="kept no held-out rows"):
        evaluate_run(live.run_dir)
