"""The Data tab's pure helpers (paging, mapping dropdowns, token summary and histogram, the hand-over of a
re-mapped file), tested without a browser: gradio is imported, never launched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.data import inspect_dataset
from studio.data.tokens import TokenStats
from studio.ui import data_tab


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def qa_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "qa.jsonl", [{"question": f"q{i}", "answer": f"a{i}", "notes": f"n{i}"}
                                               for i in range(45)])


def test_page_frame_numbers_rows_and_clamps_the_page():
    rows = [{"text": f"t{i}"} for i in range(45)]
    frame, shown = data_tab.page_frame(rows, 3, 20)
    assert frame["#"].tolist() == list(range(41, 46)) and shown == "rows 41–45 of 45 · page 3 of 3"
    frame, shown = data_tab.page_frame(rows, 99, 20)
    assert shown.endswith("page 3 of 3")
    frame, shown = data_tab.page_frame(rows, 0, 10)
    assert frame["text"].tolist()[0] == "t0" and shown == "rows 1–10 of 45 · page 1 of 5"
    assert data_tab.page_frame([], 1, 20)[1] == "no rows"


def test_cells_are_cut_and_messages_flattened():
    rows = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x" * 1000}]}]
    cell = data_tab.page_frame(rows, 1, 10)[0].iloc[0]["messages"]
    assert cell.startswith("user: hi | assistant: xxx") and len(cell) == data_tab.CELL_CHARS + 1


def test_mapping_dropdowns_follow_the_report(qa_file):
    report, _ = inspect_dataset(qa_file)
    assert data_tab.mapping_targets(report) == ["prompt", "completion"]
    assert data_tab.mapping_value(report, "prompt") == "question"
    assert data_tab.mapping_value(report, "completion") == "answer"
    assert data_tab.mapping_value(report, "label") == data_tab.NOT_MAPPED
    updates = data_tab.mapping_updates(report)
    assert len(updates) == len(data_tab.TARGETS)
    assert updates[0]["choices"] == [data_tab.NOT_MAPPED, "question", "answer", "notes"]
    assert [u["visible"] for u in updates] == [t in ("prompt", "completion") for t in data_tab.TARGETS]


def test_every_target_is_offered_when_no_shape_is_found(tmp_path):
    report, _ = inspect_dataset(write_jsonl(tmp_path / "odd.jsonl", [{"foo": i, "bar": "x"} for i in range(10)]))
    assert data_tab.mapping_targets(report) == list(data_tab.TARGETS)


def test_preference_offers_the_prompt_even_when_implicit(tmp_path):
    rows = [{"chosen": f"good {i}", "rejected": f"bad {i}", "question": f"q{i}"} for i in range(10)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "p.jsonl", rows))
    assert data_tab.mapping_targets(report) == ["prompt", "chosen", "rejected"]
    assert data_tab.mapping_value(report, "prompt") == "question"


def test_a_remapped_upload_is_written_for_training(qa_file, tmp_path):
    keep = tmp_path / "uploads"
    keep.mkdir()
    kept, train, report, rows = data_tab.load_dataset_file(qa_file, keep, {"prompt": "notes", "completion": "answer"})
    assert Path(kept).parent == keep and Path(train) != Path(kept) and Path(train).name.endswith("-mapped.jsonl")
    assert report.source == "qa.jsonl" and report.column_mapping == {"prompt": "notes", "completion": "answer"}
    again, _ = inspect_dataset(train)  # what a run will read: the same rows, nothing left to map
    assert again.shape == "prompt_completion" and again.column_mapping == {} and again.rows == 45
    kept2, train2, _, _ = data_tab.load_dataset_file(kept, keep)  # re-inspecting the kept copy copies nothing
    assert kept2 == kept == train2


def test_shared_mode_caps_the_upload_before_copying(qa_file, tmp_path):
    from studio.shared import SharedPolicy

    keep = tmp_path / "uploads"
    keep.mkdir()

    class Tight(SharedPolicy):
        max_upload_bytes = 100

    with pytest.raises(ValueError, match=r"qa\.jsonl: the file is .* over the 100 bytes limit"):
        data_tab.load_dataset_file(qa_file, keep, policy=Tight(True, tmp_path, tmp_path))
    assert list(keep.iterdir()) == []
    odd = tmp_path / "my data (1).jsonl"
    odd.write_bytes(qa_file.read_bytes())
    kept, *_ = data_tab.load_dataset_file(odd, keep, policy=SharedPolicy(True, tmp_path, tmp_path))
    assert Path(kept).name.endswith("-my_data_1_.jsonl")


def stats(**kw) -> TokenStats:
    base = dict(model="tiny", method="dpo", max_length=100, rows_total=10, rows_measured=4, sampled=True,
                prompt_lengths=[10, 20, 30, 40], completion_lengths=[5, 5, 90, 5], total_lengths=[15, 25, 120, 45],
                truncated=1, truncated_rows=[7],
                rendered=[{"prompt": "<|im_start|>user\nhi<|im_end|>\n", "chosen": "yes", "rejected": "no"}])
    return TokenStats(**{**base, **kw})


def test_tokens_markdown_and_histogram():
    text = data_tab.tokens_markdown(stats())
    assert "a random sample of 4 of 10 rows" in text and "as DPO will see them" in text
    assert "1 row(s) longer than max_length 100" in text and "about 2 in the whole dataset" in text
    assert "No row is longer" in data_tab.tokens_markdown(stats(truncated=0, sampled=False))
    fig = data_tab.length_histogram(stats())
    assert [t.name for t in fig.data] == ["prompt + completion", "prompt"]
    assert list(fig.data[0].x) == [15, 25, 120, 45]
    assert fig.layout.shapes[0].x0 == 100  # the max_length line
    assert [t.name for t in data_tab.length_histogram(stats(prompt_lengths=[0] * 4)).data] == ["prompt + completion"]


def test_rendered_markdown_shows_each_part():
    text = data_tab.rendered_markdown(stats())
    assert "**Row 1**" in text and "*prompt*" in text and "<|im_start|>user" in text and "*rejected*" in text
    assert data_tab.rendered_markdown(stats(rendered=[])) == "Nothing to show."


def test_rows_cache_keeps_the_latest():
    cache = data_tab.RowsCache(size=2)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") is None and cache.get("b") == "B" and cache.get("c") == "C"


def test_summary_lists_conversions_and_origin(qa_file):
    report, _ = inspect_dataset(qa_file)
    text = data_tab.summary_markdown(report, origin="From the Hugging Face Hub: `org/qa`")
    assert "From the Hugging Face Hub" in text and "Note: Mapped columns 'question' → prompt" in text
    assert "**Detected shape:** Prompt → completion pairs (standard)" in text and "Ready to train" in text
