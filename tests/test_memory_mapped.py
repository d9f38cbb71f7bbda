"""A big dataset file trains from a memory-mapped Arrow copy in the run folder, not from Python lists: the same
held-out split, skipped rows and near-ties as a small file, and the copy goes once the run finishes.
STUDIO_MEMORY_MAPPED_MB=0 sends the small sample files down that path."""

from __future__ import annotations

import json

import pytest

from studio.__main__ import main
from studio.training.runs import RunFolder, read_jsonl, read_status
from studio.training.spec import spec_from_dict


def _pairs(path, n=60, ties=4, bad=2):
    rows = []
    for i in range(n):
        rows.append({"prompt": f"Question number {i}?", "chosen": f"A kind, right answer {i}.",
                     "rejected": f"no {i}", "score_chosen": 8.0 if i >= ties else 5.0, "score_rejected": 5.0})
    for i in range(bad):
        rows.append({"prompt": f"Broken {i}", "chosen": "", "rejected": "x", "score_chosen": 1, "score_rejected": 0})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def everything_mapped(monkeypatch):
    monkeypatch.setenv("STUDIO_MEMORY_MAPPED_MB", "0")


def test_rows_are_memory_mapped_with_the_split_the_ties_and_the_bad_rows_left_out(tiny_model, tmp_path,
                                                                                   everything_mapped):
    from studio.methods import get_method
    from studio.methods.common import memory_mapped, memory_mapped_rows
    from studio.models import load_tokenizer

    data = _pairs(tmp_path / "pairs.jsonl")
    spec = spec_from_dict({"method": "dpo", "dataset": str(data), "model_name_or_path": tiny_model,
                           "holdout_rows": 5, "min_score_gap": 1.0, "max_steps": 1})
    assert memory_mapped(spec)
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    report, dataset, holdout, skipped, ties = memory_mapped_rows(spec, folder, get_method("dpo"),
                                                                 load_tokenizer(tiny_model), log=lambda _: None)
    assert report.shape == "preference" and len(holdout) == 5 and len(skipped) == 2
    held_prompts = {r["prompt"] for r in holdout}
    tie_prompts = {t["data"]["prompt"] for t in ties}
    assert len(ties) == len(tie_prompts - held_prompts) and len(dataset) == 60 - 5 - len(ties)
    assert dataset.cache_files and all(str(folder.rows_cache) in f["filename"] for f in dataset.cache_files)
    # The same held-out rows as the in-memory path and the verdict's judge (which trains on the rest) pick.
    from studio.methods.common import load_training_rows, split_holdout

    _, in_memory = load_training_rows(spec, ("preference",))
    assert holdout == split_holdout(in_memory, 5, 42)[1]
    trained = dataset["prompt"]  # conversational: the tiny model has a chat template
    trained_text = {p[0]["content"] if isinstance(p, list) else p for p in trained}
    assert not trained_text & held_prompts and not trained_text & tie_prompts


def test_unpaired_feedback_labels_become_booleans(tiny_model, tmp_path, everything_mapped):
    from studio.methods import get_method
    from studio.methods.common import memory_mapped_rows
    from studio.models import load_tokenizer

    data = tmp_path / "feedback.jsonl"
    data.write_text("".join(json.dumps({"prompt": f"Q{i}?", "completion": f"A{i}.", "label": ["yes", "no"][i % 2]})
                            + "\n" for i in range(20)))
    spec = spec_from_dict({"method": "kto", "dataset": str(data), "model_name_or_path": tiny_model,
                           "holdout_rows": 0, "max_steps": 1})
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    _, dataset, _, _, _ = memory_mapped_rows(spec, folder, get_method("kto"), load_tokenizer(tiny_model),
                                             log=lambda _: None)
    assert dataset["label"] == [True, False] * 10


def test_a_big_file_run_trains_and_its_arrow_copy_goes_when_it_finishes(tiny_model, tmp_path, everything_mapped,
                                                                        capsys):
    data = _pairs(tmp_path / "pairs.jsonl")
    config = tmp_path / "run.yaml"
    config.write_text(f"method: dpo\ndataset: {data}\nmodel_name_or_path: {tiny_model}\nmax_steps: 2\n"
                      "per_device_train_batch_size: 2\nmax_length: 64\nholdout_rows: 5\nverdict_judge: none\n")
    out = tmp_path / "out"
    assert main(["train", str(config), "--output-dir", str(out)]) == 0, capsys.readouterr().out[-2000:]
    log = (out / "train.log").read_text()
    assert "memory-mapped from rows.arrow" in log
    assert read_status(out)["state"] == "finished"
    assert len(read_jsonl(out / "holdout.jsonl")) == 5 and len(read_jsonl(out / "skipped.jsonl")) == 2
    assert not RunFolder(out).rows_cache.exists()


def test_a_small_file_stays_in_memory(tiny_model, tmp_path, monkeypatch):
    from studio.methods.common import memory_mapped

    monkeypatch.delenv("STUDIO_MEMORY_MAPPED_MB", raising=False)
    spec = spec_from_dict({"method": "dpo", "dataset": str(_pairs(tmp_path / "p.jsonl")),
                           "model_name_or_path": tiny_model})
    assert not memory_mapped(spec)
