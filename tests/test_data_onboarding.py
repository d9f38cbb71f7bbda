"""Data onboarding (issue 15): files from other projects, as people have them.

Each test names the property it checks: community layouts converted with a note (content parts, messages +
label as KTO feedback, chosen_messages/rejected_messages, UltraFeedback's prompt-inside pairs and scores,
tools, system columns), what the studio will not train on (media, placeholders), bad rows skipped rather
than blocking (the 5% threshold, strict mode, the validate CLI's exit codes and JSON), big files streamed
in bounded memory, and a real tiny-model run writing skipped.jsonl."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from studio.__main__ import main
from studio.data import inspect_dataset, to_dataset
from studio.data import validation
from studio.data.loading import MAX_FILE_BYTES
from studio.data.report import MAX_BAD_SHARE
from studio.data.validation import drop_near_ties


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def u(text):
    return {"role": "user", "content": text}


def a(text):
    return {"role": "assistant", "content": text}


def pairs(n: int) -> list[dict]:
    return [{"prompt": f"Question {i}?", "chosen": f"A kind answer {i}.", "rejected": f"No {i}."} for i in range(n)]


# ---------------------------------------------------------------- conversions, each with a note


def test_content_parts_are_joined_into_text_with_a_note(tmp_path):
    rows = [{"messages": [{"role": "user", "content": [{"type": "text", "text": f"Hi {i}"},
                                                        {"type": "text", "value": "there"}]},
                          {"role": "assistant", "content": [{"type": "text", "text": f"Hello {i}"}]}]}
            for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "parts.jsonl", rows))
    assert report.usable and report.errors == [], report.findings
    assert out[0]["messages"] == [u("Hi 0\n\nthere"), a("Hello 0")]
    assert any("Joined the text parts" in note and "10 row(s)" in note for note in report.conversions)


def test_image_parts_leave_their_rows_out_with_a_text_only_finding(tmp_path):
    rows = [{"messages": [u(f"q{i}"), a(f"a{i}")]} for i in range(30)]
    for i in (4, 9):
        rows[i]["messages"][0]["content"] = [{"type": "image_url", "image_url": {"url": "x.png"}},
                                             {"type": "text", "text": "What is this?"}]
    report, out = inspect_dataset(write_jsonl(tmp_path / "mixed.jsonl", rows))
    assert report.usable and report.media_rows == 2 and report.bad_rows == 0
    assert len(out) == report.training_rows == 28
    media = [f for f in report.warnings if "trains on text only" in f.message]
    assert len(media) == 1 and "2 row(s) hold image" in media[0].message and "28 text row(s) remain" in media[0].message
    assert [s["line"] for s in report.skipped] == [5, 10]
    assert "this studio trains on text only" in report.skipped[0]["reasons"][0]


def test_media_columns_and_image_markers_are_left_out_and_the_column_dropped(tmp_path):
    rows = [{"prompt": f"Describe {i}.", "completion": f"It is {i}.", "images": []} for i in range(40)]
    for i in (1, 2, 3):
        rows[i]["images"] = [f"img{i}.png"]
    rows[7]["prompt"] = "<image>\nWhat is shown?"
    report, out = inspect_dataset(write_jsonl(tmp_path / "vision.jsonl", rows))
    assert report.usable and report.media_rows == 4 and len(out) == 36
    assert all("images" not in row for row in out)  # the trainers must not take it for a vision dataset
    assert any("Dropped the media column(s) 'images'" in note for note in report.conversions)
    assert any("column 'images'" in f.message and "text only" in f.message for f in report.warnings)


def test_a_file_that_is_all_images_is_blocked_saying_text_only(tmp_path):
    rows = [{"messages": [u("<image> What is it?"), a(f"A cat {i}.")]} for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "llava.jsonl", rows))
    assert not report.usable and out == []
    assert "trains on text only" in report.blocked_reason


def test_messages_with_a_label_are_kto_feedback_never_sft(tmp_path):
    rows = [{"messages": [{"role": "system", "content": "Be brief."}, u(f"Question {i}?"), a(f"Answer {i}.")],
             "label": i % 2 == 0} for i in range(12)]
    path = write_jsonl(tmp_path / "kto.jsonl", rows)
    report, out = inspect_dataset(path)
    assert report.shape == "unpaired_preference" and report.conversational and report.usable
    assert out[0] == {"prompt": [{"role": "system", "content": "Be brief."}, u("Question 0?")],
                      "completion": [a("Answer 0.")], "label": True}
    assert any("KTO" in note and "never as SFT targets" in note for note in report.conversions)
    assert main(["validate", str(path), "--method", "sft"]) == 1  # SFT does not take it
    assert main(["validate", str(path), "--method", "kto"]) == 0
    from studio.methods.registry import recommend_method

    assert recommend_method(report.shape).method == "kto"  # the Method tab's tree reads the same shape


def test_messages_with_a_category_label_stay_chats(tmp_path):
    rows = [{"messages": [u(f"Q{i}"), a(f"A{i}")], "label": "math" if i % 2 else "poetry"} for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "topics.jsonl", rows))
    assert report.shape == "language_modeling" and report.usable and out[0]["label"] == "poetry"


def test_messages_with_a_thumbs_column_are_kto_feedback_too(tmp_path):
    rows = [{"conversation": [{"from": "human", "value": f"Q{i}"}, {"from": "gpt", "value": f"A{i}"}],
             "thumbs": "up" if i % 3 else "down"} for i in range(12)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "thumbs.jsonl", rows))
    assert report.shape == "unpaired_preference", report.conversions
    assert report.column_mapping == {"messages": "conversation", "label": "thumbs"}
    assert out[1]["completion"] == [a("A1")] and to_dataset(out, report)["label"][:3] == [False, True, True]


def test_chosen_messages_and_rejected_messages_are_guessed(tmp_path):
    rows = [{"prompt_messages": [u(f"Q{i}")], "chosen_messages": [a(f"Good {i}")],
             "rejected_messages": [a(f"Bad {i}")]} for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "cm.jsonl", rows))
    assert report.shape == "preference" and report.conversational and report.usable
    assert report.column_mapping == {"prompt": "prompt_messages", "chosen": "chosen_messages",
                                     "rejected": "rejected_messages"}
    assert "guessed" in report.conversions[0]


def ultrafeedback(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        prompt = f"Explain thing {i}."
        rows.append({"prompt": prompt, "prompt_id": f"id{i}",
                     "chosen": [u(prompt), a(f"A careful explanation {i}.")],
                     "rejected": [u(prompt), a(f"Meh {i}.")],
                     "messages": [u(prompt), a(f"A careful explanation {i}.")],
                     "score_chosen": 8.0 if i % 4 else 6.0, "score_rejected": 6.0 if i % 5 else 7.0})
    return rows


def test_ultrafeedback_pairs_split_out_the_prompt_and_show_their_scores(tmp_path):
    rows = ultrafeedback(40)
    report, out = inspect_dataset(write_jsonl(tmp_path / "uf.jsonl", rows), min_score_gap=1)
    assert report.shape == "preference" and report.conversational and report.usable, report.findings
    assert out[1]["prompt"] == [u("Explain thing 1.")] and out[1]["chosen"] == [a("A careful explanation 1.")]
    assert any("UltraFeedback" in note for note in report.conversions)
    scores = report.scores
    assert scores["chosen_column"] == "score_chosen" and scores["rejected_column"] == "score_rejected"
    gaps = [r["score_chosen"] - r["score_rejected"] for r in rows]
    assert scores["rows"] == 40 and scores["ties"] == gaps.count(0) and scores["inverted"] == sum(g < 0 for g in gaps)
    assert scores["below_min_gap"] == sum(g < 1 for g in gaps)
    assert any("score the chosen answer below" in f.message for f in report.warnings)
    kept, dropped = drop_near_ties(out, report, 1.0)
    assert len(kept) == sum(g >= 1 for g in gaps) and len(dropped) == scores["below_min_gap"]
    assert "below min_score_gap 1" in dropped[0]["reasons"][0]
    assert drop_near_ties(out, report, 0.0) == (out, [])  # no gap: every pair stays


def test_min_score_gap_and_skip_bad_rows_are_run_keys(tmp_path):
    from studio.training.spec import spec_from_dict, spec_from_yaml

    spec = spec_from_dict({"method": "dpo", "dataset": "d.jsonl", "min_score_gap": 1, "skip_bad_rows": False})
    assert spec.min_score_gap == 1.0 and spec.skip_bad_rows is False
    again = spec_from_yaml(spec.to_yaml())
    assert again.min_score_gap == 1.0 and again.skip_bad_rows is False
    assert "skip_bad_rows" not in spec_from_dict({"method": "dpo", "dataset": "d.jsonl"}).to_yaml()
    with pytest.raises(ValueError, match="'min_score_gap' must be a number ≥ 0"):
        spec_from_dict({"method": "dpo", "dataset": "d.jsonl", "min_score_gap": -1})
    with pytest.raises(ValueError, match="'skip_bad_rows' must be true"):
        spec_from_dict({"method": "dpo", "dataset": "d.jsonl", "skip_bad_rows": "sometimes"})
    from studio.shared import SHARED_FIELDS

    assert {"skip_bad_rows", "min_score_gap"} <= set(SHARED_FIELDS)


def test_tools_and_tool_call_turns_are_kept_for_the_chat_template(tmp_path):
    tools = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]
    call = {"role": "assistant", "content": None,
            "tool_calls": [{"type": "function", "function": {"name": "add", "arguments": {"a": 1, "b": 2}}}]}
    rows = [{"messages": [{"role": "system", "content": "Use tools."}, u(f"{i}+2?"), call,
                          {"role": "tool", "content": {"result": i + 2}}, a(f"{i + 2}")], "tools": tools}
            for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "tools.jsonl", rows))
    assert report.usable and report.errors == [], report.findings
    assert out[3]["tools"] == tools and out[3]["messages"][2]["tool_calls"] == call["tool_calls"]
    assert out[3]["messages"][3] == {"role": "tool", "content": '{"result": 5}'}
    assert any("tool definitions and tool-call turns" in note for note in report.conversions)
    assert len(to_dataset(out, report)) == 10


def test_a_system_column_becomes_the_system_message(tmp_path):
    rows = [{"system": "You are a pirate." if i % 2 else "", "prompt": f"Hi {i}", "completion": f"Arr {i}"}
            for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "sys.jsonl", rows))
    assert report.shape == "prompt_completion" and report.conversational and report.usable
    assert out[1] == {"prompt": [{"role": "system", "content": "You are a pirate."}, u("Hi 1")],
                      "completion": [a("Arr 1")]}
    assert out[0]["prompt"] == [u("Hi 0")]  # an empty system prompt adds nothing
    assert any("system" in note for note in report.conversions)


# ---------------------------------------------------------------- what the studio will not train on


def test_placeholders_left_in_the_data_warn_with_the_row_count(tmp_path):
    rows = pairs(20)
    rows[2]["prompt"] = "Dear {{ customer_name }}, how can I help?"
    rows[5]["chosen"] = "Hello <NAME>, thanks for writing."
    rows[9]["prompt"] = "Write to {{name}}."
    rows[11]["prompt"] = "Is x < y when List<T> is <b>bold</b>?"  # comparisons, generics and HTML are no placeholders
    report, out = inspect_dataset(write_jsonl(tmp_path / "tpl.jsonl", rows))
    found = [f for f in report.warnings if "placeholders" in f.message]
    assert len(found) == 1 and found[0].message.startswith("3 row(s) still hold template placeholders")
    assert "line 3, line 6, line 10" in found[0].message
    assert report.usable and len(out) == 20  # a warning: the rows still train


# ---------------------------------------------------------------- skip, don't block


def with_bad_rows(n: int, bad: int) -> list[dict]:
    rows = pairs(n)
    for i in range(bad):
        rows[3 + 7 * i]["rejected"] = ""
    return rows


@pytest.mark.parametrize("bad, usable", [(3, True), (5, True), (6, False)])
def test_bad_rows_up_to_five_percent_are_skipped_beyond_it_blocked(tmp_path, bad, usable):
    report, out = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", with_bad_rows(100, bad)))
    assert MAX_BAD_SHARE == 0.05
    assert report.bad_rows == report.skipped_rows == bad and report.rows == 100
    assert report.usable is usable
    assert len(out) == report.training_rows == 100 - bad  # bad rows never reach the trainer
    assert [s["line"] for s in report.skipped] == [4 + 7 * i for i in range(bad)]
    assert "rejected: empty or missing" in report.skipped[0]["reasons"][0]
    if usable:
        assert len(to_dataset(out, report)) == 100 - bad
    else:
        assert f"{bad} of 100 rows (6.0%) have errors, more than the 5%" in report.blocked_reason
        with pytest.raises(ValueError, match=r"d\.jsonl has 6 error\(s\) to fix before training: 6 of 100 rows"):
            to_dataset(out, report)


def test_block_on_any_error_blocks_one_bad_row(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", with_bad_rows(100, 1))
    assert inspect_dataset(path)[0].usable
    report, _ = inspect_dataset(path, skip_bad_rows=False)
    assert not report.usable and "block on any error" in report.blocked_reason


def test_unreadable_lines_are_skipped_rows_too(tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [json.dumps(r) for r in pairs(60)]
    lines.insert(10, '{"prompt": "broken')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, out = inspect_dataset(path)
    assert report.usable and report.unreadable_rows == 1 and report.skipped_rows == 1 and len(out) == 60
    assert report.skipped == [{"row": None, "line": 11, "reasons": [report.errors[0].message]}]


def test_an_error_about_the_whole_file_always_blocks(tmp_path):
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", [{"foo": f"q{i}", "bar": "a"} for i in range(50)]))
    assert report.bad_rows == 0 and not report.usable and "no known dataset shape" in report.blocked_reason


def hh_transcript(prompt: str, answer: str, extra: str = "") -> str:
    return f"\n\nHuman: {prompt}\n\nAssistant: {answer}{extra}"


def test_hh_rlhf_like_data_with_a_few_broken_rows_is_usable_with_them_skipped(tmp_path):
    rows = [{"chosen": hh_transcript(f"How do I bake bread {i}?", f"Mix flour and water {i}."),
             "rejected": hh_transcript(f"How do I bake bread {i}?", f"No idea {i}.")} for i in range(300)]
    rows[17]["rejected"] = hh_transcript("How do I bake bread 17?", "")  # an empty answer
    rows[140]["chosen"] = hh_transcript("How do I bake bread 140?", "Knead it.", "\n\nAssistant: Then bake it.")
    rows[299]["chosen"] = hh_transcript("How do I bake bread 299?", " ")
    path = write_jsonl(tmp_path / "hh.jsonl", rows)
    report, out = inspect_dataset(path)
    assert "Anthropic HH" in report.conversion_note
    assert report.shape == "preference" and report.usable, report.blocked_reason
    assert report.skipped_rows == 3 and len(out) == 297
    assert [s["line"] for s in report.skipped] == [18, 141, 300]
    assert "empty content" in report.skipped[0]["reasons"][0]
    assert "both assistant turns" in report.skipped[1]["reasons"][0]
    assert main(["validate", str(path)]) == 0


# ---------------------------------------------------------------- the validate CLI


def test_validate_exits_0_with_skipped_rows_and_its_json_names_them(tmp_path, capsys):
    path = write_jsonl(tmp_path / "d.jsonl", with_bad_rows(100, 2))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "skipped: 2 row(s) left out of training (2 with errors); 98 row(s) train" in out
    assert "line 4: rejected: empty or missing" in out
    assert "2 error(s), 0 warning(s): usable, 2 row(s) left out of training" in out
    assert main(["validate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["usable"] is True and data["blocked_reason"] is None
    assert data["rows"] == 100 and data["training_rows"] == 98 and data["skipped_rows"] == 2
    assert [(s["row"], s["line"]) for s in data["skipped"]] == [(4, 4), (11, 11)] and data["skipped_listed_all"]
    assert len(data["errors"]) == 2  # still listed as errors, with row and column


def test_validate_strict_and_blocked_exit_1_unreadable_exits_2(tmp_path, capsys):
    path = write_jsonl(tmp_path / "d.jsonl", with_bad_rows(100, 1))
    assert main(["validate", str(path), "--strict"]) == 1
    assert "blocked: 1 error(s) and 'block on any error' is on" in capsys.readouterr().out
    blocked = write_jsonl(tmp_path / "b.jsonl", with_bad_rows(100, 8))
    assert main(["validate", str(blocked), "--json"]) == 1
    assert "8 of 100 rows" in json.loads(capsys.readouterr().out)["blocked_reason"]
    (tmp_path / "e.jsonl").write_text("", encoding="utf-8")
    assert main(["validate", str(tmp_path / "e.jsonl")]) == 2


def test_validate_reports_scores_and_near_ties(tmp_path, capsys):
    path = write_jsonl(tmp_path / "uf.jsonl", ultrafeedback(40))
    assert main(["validate", str(path), "--min-score-gap", "1"]) == 0
    out = capsys.readouterr().out
    assert "scores: 'score_chosen' mean" in out and "below min_score_gap 1 would be left out" in out
    assert main(["validate", str(path), "--min-score-gap", "-1"]) == 2


# ---------------------------------------------------------------- big files


def test_the_local_size_cap_is_10_gb_and_shared_mode_keeps_its_own():
    from studio.limits import SHARED_UPLOAD_BYTES
    from studio.shared import SharedPolicy

    assert MAX_FILE_BYTES == 10 * 2**30
    assert SharedPolicy(enabled=True, runs_dir=Path("r"), samples_dir=Path("s")).max_upload_bytes == \
        SHARED_UPLOAD_BYTES < MAX_FILE_BYTES
    assert SharedPolicy(enabled=False, runs_dir=Path("r"), samples_dir=Path("s")).max_upload_bytes == MAX_FILE_BYTES


def test_parquet_streams_by_batches_without_pandas_index_columns(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    monkeypatch.setattr(validation, "HEAD_ROWS", 100)
    rows = ultrafeedback(3000)
    rows[2500]["chosen"] = [u(rows[2500]["prompt"]), a("")]  # an empty answer, batches past the head
    frame = pd.DataFrame(rows)
    frame.index = [f"r{i}" for i in range(len(rows))]  # stored as a column of its own (__index_level_0__)
    frame.to_parquet(tmp_path / "uf.parquet")
    report, out = inspect_dataset(tmp_path / "uf.parquet", keep_rows=5)
    assert report.file_format == "parquet" and report.rows == 3000 and report.usable
    assert [s["row"] for s in report.skipped] == [2501] and report.training_rows == 2999
    assert not any(c.startswith("__index_level_") for c in report.columns) and len(out) == 5
    assert out[0]["chosen"] == [a("A careful explanation 0.")] and report.scores["rows"] == 2999


@pytest.mark.parametrize("threshold", [0, 10**12])  # streamed as a large file would be, and read whole
def test_csv_reads_the_same_streamed_or_whole(tmp_path, monkeypatch, threshold):
    from studio.data import loading

    monkeypatch.setattr(loading, "STREAM_TEXT_BYTES", threshold)
    lines = ["prompt,completion"] + [f'"Question {i}, please?",Answer {i}' for i in range(60)]
    lines[8] = "Question 7?,Answer 7,an extra cell"
    lines[20] = "Question 19?,"
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, out = inspect_dataset(path)
    assert report.usable and report.rows == 60 and len(out) == 58
    assert [s["row"] for s in report.skipped] == [8, 20]
    assert "more cells than the header" in report.skipped[0]["reasons"][0]
    assert out[0] == {"prompt": "Question 0, please?", "completion": "Answer 0"}
    (tmp_path / "latin.csv").write_bytes(b"text\n" + "caf\xe9\n".encode("latin-1") * 10)
    with pytest.raises(ValueError, match=r"latin\.csv: not UTF-8 text"):
        inspect_dataset(tmp_path / "latin.csv")


def test_rows_past_the_head_are_checked_as_they_stream(tmp_path, monkeypatch):
    monkeypatch.setattr(validation, "HEAD_ROWS", 50)
    rows = pairs(400)
    rows[10]["rejected"] = ""  # in the head
    rows[300]["rejected"] = rows[300]["chosen"]  # far past it
    rows[350]["source"] = "web"  # a column first seen past the head
    report, out = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows), keep_rows=0)
    assert out == [] and report.rows == 400 and report.training_rows == 398
    assert [s["line"] for s in report.skipped] == [11, 301]
    assert report.columns == ["prompt", "chosen", "rejected", "source"]


def test_validation_that_keeps_no_rows_holds_far_less_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(validation, "HEAD_ROWS", 1000)  # as a file many times the read-ahead would be
    path = write_jsonl(tmp_path / "big.jsonl", [{"prompt": f"Question number {i}? " * 4, "chosen": "yes " * 40,
                                                 "rejected": f"no {i} " * 20} for i in range(20_000)])
    peaks = {}
    for keep in (None, 0):
        tracemalloc.start()
        report, _ = inspect_dataset(path, keep_rows=keep)
        peaks[keep] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert report.training_rows == 20_000
    assert peaks[0] * 4 < peaks[None], peaks  # the streamed check holds hashes and findings, not the rows


# ---------------------------------------------------------------- the Data tab, the arena and a real run


def test_data_tab_counts_the_rows_left_out_and_strict_mode_blocks(tmp_path):
    pytest.importorskip("gradio")
    from studio.ui import data_tab

    path = write_jsonl(tmp_path / "d.jsonl", with_bad_rows(100, 2))
    (tmp_path / "uploads").mkdir()
    _, train_path, report, rows = data_tab.load_dataset_file(path, tmp_path / "uploads")
    text = data_tab.summary_markdown(report)
    assert "**Ready to train.**" in text and "**2 row(s) are left out of training** (2 with errors; 98 train)" in text
    assert len(rows) == 98
    _, _, strict, _ = data_tab.load_dataset_file(path, tmp_path / "uploads", skip_bad_rows=False)
    assert not strict.usable and "must be fixed before training" in data_tab.summary_markdown(strict)


def test_data_tab_writes_a_mapped_copy_of_the_rows_that_train(tmp_path, monkeypatch):
    pytest.importorskip("gradio")
    from studio.ui import data_tab

    monkeypatch.setattr(data_tab, "PAGE_ROWS", 10)  # the page keeps few rows; the mapped copy has them all
    rows = [{"q": f"Question {i}?", "a": f"Answer {i}."} for i in range(60)]
    rows[5]["a"] = ""
    (tmp_path / "uploads").mkdir()
    path = write_jsonl(tmp_path / "qa.jsonl", rows)
    _, train_path, report, kept = data_tab.load_dataset_file(path, tmp_path / "uploads",
                                                             {"prompt": "q", "completion": "a"})
    assert len(kept) == 10 and report.training_rows == 59
    written = [json.loads(line) for line in Path(train_path).read_text(encoding="utf-8").splitlines()]
    assert len(written) == 59 and written[0] == {"prompt": "Question 0?", "completion": "Answer 0."}
    assert "first 10 of the 59 rows" in data_tab.summary_markdown(report, kept_rows=len(kept))


def test_arena_plans_on_the_rows_left_after_skipping(tmp_path):
    from studio.training.arena import plan_arena

    rows = with_bad_rows(200, 4)
    arena, specs = plan_arena(str(write_jsonl(tmp_path / "pairs.jsonl", rows)), tmp_path / "runs",
                              methods=["dpo"], budget=8, holdout=16)
    held = [json.loads(line) for line in (arena.folder(tmp_path / "runs") / "holdout.jsonl").read_text().splitlines()]
    assert len(held) == 16 and all(row["rejected"] for row in held)


def tiny_dpo_spec(dataset: Path, model: str, **extra):
    from studio.training.spec import spec_from_dict

    return spec_from_dict({"method": "dpo", "dataset": str(dataset), "model_name_or_path": model,
                           "max_length": 64, "per_device_train_batch_size": 2, "seed": 7, **extra})


def test_holdout_and_the_verdicts_training_pairs_agree_when_rows_are_skipped(tmp_path, tiny_model):
    from studio.evaluation.verdict import training_pairs
    from studio.methods import get_method
    from studio.methods.common import prepare
    from studio.training.runs import RunFolder

    path = write_jsonl(tmp_path / "pairs.jsonl", with_bad_rows(100, 3))
    spec = tiny_dpo_spec(path, tiny_model, holdout_rows=8, max_steps=1)
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    ctx = prepare(spec, folder, [], get_method("dpo"), log=lambda line: None)
    held = {row["prompt"] for row in folder.read_holdout()}
    assert len(held) == 8 and len(ctx.train_dataset) == 97 - 8
    judge_pairs = training_pairs(spec.to_flat())
    assert len(judge_pairs) == 97 - 8 and not held & {row["prompt"] for row in judge_pairs}
    assert len(folder.skipped.read_text().splitlines()) == 3


def test_a_real_run_writes_skipped_jsonl_and_logs_it(tmp_path, tiny_model):
    from studio.training.execute import open_run, run
    from studio.training.runs import RunFolder, read_jsonl

    rows = [{"prompt": f"Say something kind about {i}.", "chosen": f"{i} is lovely.", "rejected": f"{i} is dull.",
             "score_chosen": 9, "score_rejected": 8 if i % 10 else 9} for i in range(60)]
    rows[7]["chosen"] = ""
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    spec = tiny_dpo_spec(path, tiny_model, max_steps=2, holdout_rows=0, verdict_judge="none", min_score_gap=1)
    folder = RunFolder(tmp_path / "run")
    open_run(folder, spec)
    state = run(folder, spec)
    assert state.state == "finished", state.message
    skipped = read_jsonl(folder.skipped)
    assert [(s.get("line"), s["reasons"][0].split(":")[0]) for s in skipped[:1]] == [(8, "chosen")]
    assert skipped[0]["data"] == rows[7]
    assert len(skipped) == 1 + 6  # the bad row, and the six ties (rows 0, 10, …, 50) below min_score_gap 1
    assert all("min_score_gap" in s["reasons"][0] for s in skipped[1:])
    log = folder.log.read_text(encoding="utf-8")
    assert "left 7 row(s) out of training (skipped.jsonl), of 60 in the file" in log
