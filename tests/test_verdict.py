"""The end-of-run verdict, the compare CLI, and deploy (merged export) on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.__main__ import main
from studio.deploy import export_run
from studio.evaluation.compare import evaluate_run, read_summary, summary_line
from studio.evaluation.generate import ComparePair, DecodeSettings
from studio.training.runner import Runner
from studio.training.spec import spec_from_dict

pytestmark = pytest.mark.app  # trains runs in child processes: make test, not make check

DATA = Path(__file__).resolve().parents[1] / "presets" / "data"


def run(method, dataset, tiny_model, runs_dir, **extra):
    values = {"method": method, "dataset": str(DATA / dataset), "model_name_or_path": tiny_model, "max_steps": 2,
              "per_device_train_batch_size": 2, "learning_rate": 1e-2, "max_length": 64, **extra}
    runner = Runner(runs_dir)
    live = runner.start(spec_from_dict(values))
    runner.wait(timeout=600)
    assert live.state == "finished", live.message
    return live


@pytest.fixture(scope="module")
def dpo_run(tiny_model, tmp_path_factory):
    return run("dpo", "dpo_helpful_pairs.jsonl", tiny_model, tmp_path_factory.mktemp("runs"))


def test_every_finished_run_carries_its_verdict(dpo_run):
    summary = read_summary(dpo_run.run_dir)
    assert summary["rows"] == 30 and 0 <= summary["win_rate"] <= 1  # a tenth of 300 rows, capped at 32
    assert "aligned wins" in dpo_run.message
    records = [json.loads(line) for line in open(dpo_run.run_dir / "eval.jsonl")]
    assert len(records) == 30 and {"base_margin", "aligned_margin", "win"} <= set(records[0])
    assert "base" in records[0] and "aligned" in records[0]  # the first rows are answered by both
    held = [json.loads(line) for line in open(dpo_run.run_dir / "holdout.jsonl")]
    assert {r["prompt"] for r in held} == {r["prompt"] for r in records}


def test_held_out_rows_are_not_trained_on(dpo_run):
    log = (dpo_run.run_dir / "train.log").read_text()
    assert "270 rows" in log and "kept 30 rows out of training" in log


@pytest.mark.parametrize("method, dataset, extra, key", [
    ("kto", "kto_feedback.jsonl", {}, "mean_change_good"),
    ("grpo", "grpo_arithmetic.jsonl", {"num_generations": 2, "max_completion_length": 8, "max_length": None},
     "aligned_accuracy"),
    ("sft", "sft_pirate_chats.jsonl", {}, "mean_reference_logp_change"),
    ("reward", "dpo_helpful_pairs.jsonl", {}, "mean_margin"),
])
def test_each_method_gets_a_verdict(method, dataset, extra, key, tiny_model, runs_dir):
    extra = {k: v for k, v in extra.items() if v is not None}
    values = dict(extra)
    if method == "grpo":
        values["holdout_rows"] = 4
    live = run(method, dataset, tiny_model, runs_dir, **values) if method != "grpo" else \
        _grpo(tiny_model, runs_dir, values)
    summary = read_summary(live.run_dir)
    assert key in summary and summary["method"] == method and 0 <= summary["win_rate"] <= 1
    assert summary_line(summary).startswith("aligned wins")


def _grpo(tiny_model, runs_dir, values):
    spec = {"method": "grpo", "dataset": str(DATA / "grpo_arithmetic.jsonl"), "model_name_or_path": tiny_model,
            "max_steps": 2, "per_device_train_batch_size": 2, "learning_rate": 1e-3, **values}
    runner = Runner(runs_dir)
    live = runner.start(spec_from_dict(spec))
    runner.wait(timeout=600)
    assert live.state == "finished", live.message
    return live


def test_stream_ends_with_the_generated_text(dpo_run):
    pair = ComparePair(dpo_run.run_dir)
    settings = DecodeSettings(max_new_tokens=6)
    for aligned in (False, True):
        parts = list(pair.stream("Name a colour.", settings, aligned))
        assert (parts[-1] if parts else "") == pair.generate("Name a colour.", settings, aligned)


def test_compare_cli_with_a_prompts_file(dpo_run, tmp_path, capsys):
    prompts = tmp_path / "qa.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": f"What is {i} + 1?", "answer": str(i + 1)}) for i in range(10)))
    assert main(["compare", str(dpo_run.run_dir), "--prompts", str(prompts), "--limit", "3",
                 "--max-new-tokens", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rows"]) == 3 and {"base", "aligned", "base_score", "aligned_score"} <= set(data["rows"][0])
    assert "aligned_accuracy" in data["summary"]
    assert read_summary(dpo_run.run_dir)["rows"] == 30  # a prompts file does not overwrite the run's verdict
    assert main(["compare", str(tmp_path / "no-run")]) == 2


def test_export_writes_a_model_plain_transformers_loads(dpo_run, tmp_path, capsys):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "merged"
    assert main(["export", str(dpo_run.run_dir), "--merged", str(out), "--gguf"]) == 0
    assert "convert_hf_to_gguf.py" in capsys.readouterr().out  # no converter here: a note says how
    model, tokenizer = AutoModelForCausalLM.from_pretrained(out), AutoTokenizer.from_pretrained(out)
    assert tokenizer.chat_template and (out / "model.safetensors").is_file()
    ids = tokenizer("hello", return_tensors="pt")
    assert model.generate(**ids, max_new_tokens=2, do_sample=False).shape[1] >= ids["input_ids"].shape[1]
    with pytest.raises(ValueError, match="not empty"):
        export_run(dpo_run.run_dir, out)


def test_push_needs_a_token_and_never_shows_it(dpo_run, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
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
