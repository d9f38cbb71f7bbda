"""Data: token statistics and the rendered preview, with the tiny test model's tokenizer (the bundled model's
tokenizer and chat template). The rendering must equal what TRL's own chat-template code produces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.data import inspect_dataset
from studio.data.tokens import measure_tokens as _measure_tokens
from studio.data.tokens import render_row
from studio.methods import token_view


def measure_tokens(report, rows, *args, method=None, **kwargs):
    """As the Data tab and `validate --model` measure: as the recommended (or given) method's trainer sees it."""
    method, prepare = token_view(report.shape, method)
    return _measure_tokens(report, rows, *args, method=method, prepare=prepare, **kwargs)


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from studio.models import load_tokenizer

    return load_tokenizer(tiny_model)


def inspect(tmp_path, rows):
    return inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))


def test_standard_preference_renders_with_the_chat_template_like_trl(tmp_path, tokenizer):
    from trl.data_utils import maybe_apply_chat_template

    rows = [{"prompt": f"What is {i}+1?", "chosen": f"{i + 1}.", "rejected": "No idea."} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, "tiny", max_length=1024, tokenizer=tokenizer)
    expected = maybe_apply_chat_template({"prompt": [{"role": "user", "content": "What is 0+1?"}],
                                          "chosen": [{"role": "assistant", "content": "1."}],
                                          "rejected": [{"role": "assistant", "content": "No idea."}]}, tokenizer)
    assert stats.rendered[0] == expected
    assert stats.rendered[0]["prompt"].endswith("<|im_start|>assistant\n")
    assert stats.method == "dpo" and stats.rows_measured == 10 and not stats.sampled
    prompt_ids = tokenizer(expected["prompt"], add_special_tokens=False)["input_ids"]
    assert stats.prompt_lengths[0] == len(prompt_ids)
    longer = max(len(tokenizer(expected[k], add_special_tokens=False)["input_ids"]) for k in ("chosen", "rejected"))
    assert stats.completion_lengths[0] == longer
    assert stats.total_lengths[0] == len(prompt_ids) + longer
    assert stats.truncated == 0 and report.warnings == []
    assert report.tokens["summary"]["prompt"]["max"] == max(stats.prompt_lengths)


def test_sft_conversations_split_at_the_last_answer(tmp_path, tokenizer):
    rows = [{"messages": [{"role": "user", "content": f"hi {i}"}, {"role": "assistant", "content": "hello"},
                          {"role": "user", "content": "bye"}, {"role": "assistant", "content": "see you"}]}
            for i in range(10)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, max_length=512, tokenizer=tokenizer)
    assert stats.method == "sft"
    assert set(stats.rendered[0]) == {"prompt", "completion"}
    assert "hello" in stats.rendered[0]["prompt"] and stats.rendered[0]["completion"].startswith("see you")


def test_plain_text_rows_are_measured_whole(tmp_path, tokenizer):
    rows = [{"text": "word " * (10 + i)} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, max_length=15, tokenizer=tokenizer)
    assert stats.prompt_lengths == [0] * 10
    assert stats.completion_lengths == [len(tokenizer(r["text"], add_special_tokens=False)["input_ids"]) for r in rows]
    assert stats.rendered[0] == {"text": rows[0]["text"]}


def test_rows_over_max_length_are_a_warning_with_their_rows(tmp_path, tokenizer):
    rows = [{"prompt": f"p{i}", "completion": "long " * (200 if i in (2, 7) else 2)} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, max_length=100, tokenizer=tokenizer)
    assert stats.truncated == 2 and stats.truncated_rows == [3, 8]
    assert report.usable
    [warning] = report.warnings
    assert warning.message.startswith("token lengths: 2 of 10 rows (20.0%) are longer than max_length 100 tokens with ")
    assert warning.message.endswith("(rows 3, 8) and would be cut short in training. Raise max_length or shorten "
                                    "those rows.")
    measure_tokens(report, out, max_length=5000, tokenizer=tokenizer)  # measured again: the old warning goes
    assert report.warnings == [] and report.tokens["truncated"] == 0


def test_a_sample_by_default_and_every_row_when_exact(tmp_path, tokenizer):
    rows = [{"prompt": f"p{i}", "completion": "x " * (300 if i % 4 == 0 else 1)} for i in range(200)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, max_length=100, sample=40, tokenizer=tokenizer)
    assert stats.sampled and stats.rows_measured == 40 and stats.rows_total == 200
    assert stats.truncated_estimate == round(stats.truncated * 200 / 40)
    assert "rows sampled" in report.warnings[0].message
    again = measure_tokens(report, out, max_length=100, sample=40, tokenizer=tokenizer)
    assert again.total_lengths == stats.total_lengths  # the same sample each time
    exact = measure_tokens(report, out, max_length=100, sample=40, exact=True, tokenizer=tokenizer)
    assert not exact.sampled and exact.rows_measured == 200 and exact.truncated == 50


def test_rows_with_errors_are_skipped_not_fatal(tmp_path, tokenizer):
    rows = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
            for i in range(10)]
    rows[3]["messages"] = [{"role": "user", "content": "no answer"}]
    report, out = inspect(tmp_path, rows)
    assert len(out) == 9 and report.skipped_rows == 1  # the bad row is left out before anything is measured
    stats = measure_tokens(report, out, tokenizer=tokenizer)
    assert stats.rows_measured == 9 and stats.skipped == 0
    stats = measure_tokens(report, [*out, rows[3]], tokenizer=tokenizer)  # a bad row handed in anyway is skipped
    assert stats.rows_measured == 9 and stats.skipped == 1


def test_kto_labels_stay_with_the_rendered_row(tmp_path, tokenizer):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "label": "yes" if i % 2 else "no"} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, tokenizer=tokenizer)
    assert stats.method == "kto" and stats.rendered[0]["label"] is False


def test_method_override_and_render_row(tmp_path, tokenizer):
    rows = [{"prompt": f"p{i}", "chosen": "c", "rejected": f"r{i}"} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    stats = measure_tokens(report, out, method="grpo", tokenizer=tokenizer)
    assert set(stats.rendered[0]) == {"prompt"}  # GRPO writes its own answers
    assert render_row({"text": "plain"}, tokenizer) == {"text": "plain"}


def test_nothing_to_measure_without_a_shape(tmp_path, tokenizer):
    report, out = inspect(tmp_path, [{"foo": i} for i in range(10)])
    with pytest.raises(ValueError, match="no dataset shape"):
        measure_tokens(report, out, tokenizer=tokenizer)
    report, out = inspect(tmp_path, [{"text": f"t{i}"} for i in range(10)])
    with pytest.raises(ValueError, match="max_length"):
        measure_tokens(report, out, max_length=0, tokenizer=tokenizer)


def test_a_model_that_cannot_be_had_is_a_value_error(tmp_path):
    report, out = inspect(tmp_path, [{"text": f"t{i}"} for i in range(10)])
    with pytest.raises(ValueError):
        measure_tokens(report, out, model=str(tmp_path / "nowhere"))
