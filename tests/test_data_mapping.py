"""Data: column mapping (guessed from names, or the user's) and the community formats converted on import
(Anthropic HH transcripts, ShareGPT preference and feedback files, single-message pairs). No model, no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.data import inspect_dataset
from studio.data.formats import parse_transcript
from studio.data.mapping import guess_mapping

SAMPLES = Path(__file__).resolve().parents[1] / "presets" / "data"


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def at_column(findings, column):
    return next(f for f in findings if f.column == column)


def inspect(tmp_path, rows, mapping=None, name="d.jsonl"):
    return inspect_dataset(write_jsonl(tmp_path / name, rows), mapping)


# ---------------------------------------------------------------- guessed from names


@pytest.mark.parametrize("columns, shape, mapping", [
    (("question", "answer"), "prompt_completion", {"prompt": "question", "completion": "answer"}),
    (("Query", "Response"), "prompt_completion", {"prompt": "Query", "completion": "Response"}),
    (("input", "output"), "prompt_completion", {"prompt": "input", "completion": "output"}),
    (("prompt", "response"), "prompt_completion", {"completion": "response"}),
    (("instruction", "accepted", "dispreferred"), "preference",
     {"prompt": "instruction", "chosen": "accepted", "rejected": "dispreferred"}),
    (("question", "preferred", "worse"), "preference",
     {"prompt": "question", "chosen": "preferred", "rejected": "worse"}),
    (("query", "good", "bad"), "preference", {"prompt": "query", "chosen": "good", "rejected": "bad"}),
    (("question", "winner", "loser"), "preference", {"prompt": "question", "chosen": "winner", "rejected": "loser"}),
    (("question", "chosen", "rejected"), "preference", {"prompt": "question"}),
    (("question", "response", "thumbs"), "unpaired_preference",
     {"prompt": "question", "completion": "response", "label": "thumbs"}),
    (("prompt", "completion", "is_good"), "unpaired_preference", {"label": "is_good"}),
    (("user input", "Output", "feedback"), "unpaired_preference",
     {"prompt": "user input", "completion": "Output", "label": "feedback"}),
    (("content",), "language_modeling", {"text": "content"}),
])
def test_columns_are_guessed_from_common_names(tmp_path, columns, shape, mapping):
    values = {"thumbs": True, "is_good": "yes", "feedback": "down"}
    rows = [{c: values.get(c, f"{c} {i}") for c in columns} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.shape == shape, report.findings
    assert report.column_mapping == mapping
    assert report.usable and report.findings == []
    assert len(report.conversions) == 1 and "guessed from the column names" in report.conversions[0]
    for target, source in mapping.items():
        assert out[0][target] == rows[0][source] and source not in out[0]


def test_conversation_column_becomes_messages(tmp_path):
    rows = [{"conversation": [{"role": "user", "content": f"hi {i}"}, {"role": "assistant", "content": "hello"}]}
            for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.shape == "language_modeling" and report.conversational
    assert report.column_mapping == {"messages": "conversation"}
    assert out[0]["messages"][0] == {"role": "user", "content": "hi 0"}


def test_dialog_of_sharegpt_turns_is_mapped_then_converted(tmp_path):
    rows = [{"dialog": [{"from": "human", "value": f"hi {i}"}, {"from": "gpt", "value": "hello"}]} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.column_mapping == {"messages": "dialog"}
    assert len(report.conversions) == 2 and "ShareGPT" in report.conversions[1]
    assert out[0]["messages"] == [{"role": "user", "content": "hi 0"}, {"role": "assistant", "content": "hello"}]
    assert report.usable


def test_a_numeric_score_is_not_guessed_as_a_label(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "score": 3.5 + i} for i in range(10)]
    report, _ = inspect(tmp_path, rows)
    assert report.shape == "prompt_completion" and report.column_mapping == {}
    assert report.usable


def test_a_reference_answer_next_to_a_prompt_stays_for_grpo(tmp_path):
    report, rows = inspect_dataset(SAMPLES / "grpo_arithmetic.jsonl")
    assert report.shape == "prompt_only" and report.column_mapping == {} and report.conversions == []
    assert "answer" in rows[0]


def test_files_laid_out_for_trl_are_left_alone(tmp_path):
    rows = [{"text": f"t{i}", "response": f"r{i}"} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.shape == "language_modeling" and report.column_mapping == {} and out[0] == rows[0]
    for sample in SAMPLES.glob("*.jsonl"):
        report, _ = inspect_dataset(sample)
        assert report.column_mapping == {} and report.conversions == [] and report.findings == [], sample.name


def test_guess_mapping_never_takes_one_column_twice():
    assert guess_mapping(["question", "query"], [{}]) == {"prompt": "question"}


def test_prompts_next_to_unexplained_text_are_not_guessed(tmp_path):
    report, _ = inspect(tmp_path, [{"question": f"q{i}", "reply": f"r{i}"} for i in range(10)])
    assert report.shape == "unknown" and report.column_mapping == {}
    assert report.suggested_mapping == {"prompt": "question"}
    assert "They look like 'question' → prompt." in report.errors[0].message
    report, _ = inspect(tmp_path, [{"question": f"q{i}", "id": i} for i in range(10)])
    assert report.shape == "prompt_only" and report.column_mapping == {"prompt": "question"}


def test_unknown_columns_offer_no_guess(tmp_path):
    report, _ = inspect(tmp_path, [{"foo": f"{i}", "bar": "x"} for i in range(10)])
    assert report.shape == "unknown" and report.column_mapping == {} and report.suggested_mapping == {}


# ---------------------------------------------------------------- explicit mapping


def test_explicit_mapping_overrides_the_guess(tmp_path):
    rows = [{"question": f"q{i}", "context": f"c{i}", "answer": f"a{i}"} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.column_mapping == {"prompt": "question", "completion": "answer"}
    report, out = inspect(tmp_path, rows, {"prompt": "context"})
    assert report.column_mapping == {"prompt": "context", "completion": "answer"}
    assert out[0]["prompt"] == "c0" and out[0]["question"] == "q0"
    assert "'context' → prompt (as you chose)" in report.conversions[0]


def test_explicit_none_leaves_a_target_unmapped(tmp_path):
    rows = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(10)]
    report, _ = inspect(tmp_path, rows, {"prompt": "question", "completion": None})
    assert report.shape == "prompt_only" and report.column_mapping == {"prompt": "question"}


def test_explicit_mapping_on_a_file_without_guesses(tmp_path):
    rows = [{"x": f"x{i}", "y": f"y{i}", "z": "yes"} for i in range(10)]
    report, out = inspect(tmp_path, rows, {"prompt": "x", "completion": "y", "label": "z"})
    assert report.shape == "unpaired_preference" and report.usable
    assert out[0] == {"prompt": "x0", "completion": "y0", "label": "yes"}


def test_explicit_mapping_can_replace_a_column_of_the_target_name(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": "", "better": f"b{i}"} for i in range(10)]
    report, out = inspect(tmp_path, rows, {"completion": "better"})
    assert report.usable and out[0] == {"prompt": "p0", "completion": "b0"}
    assert "replacing the file's own 'completion'" in report.conversions[0]


@pytest.mark.parametrize("mapping, message", [
    ({"prompt": "nope"}, r"d\.jsonl: the mapping gives 'prompt' from column 'nope', but the file has no such column; "
                         r"its columns are \['question', 'answer'\]"),
    ({"question": "prompt"}, r"d\.jsonl: unknown mapping target 'question'"),
    ({"prompt": "question", "completion": "question"},
     r"column 'question' is mapped to both 'prompt' and 'completion'"),
])
def test_bad_explicit_mapping_raises_value_error(tmp_path, mapping, message):
    with pytest.raises(ValueError, match=message):
        inspect(tmp_path, [{"question": "q", "answer": "a"}], mapping)


# ---------------------------------------------------------------- community formats


def hh(prompt_turns: list[tuple[str, str]], answer: str) -> str:
    return "".join(f"\n\n{'Human' if who == 'user' else 'Assistant'}: {text}" for who, text in prompt_turns) + \
        f"\n\nAssistant: {answer}"


def test_anthropic_hh_transcripts_become_conversational_preference(tmp_path):
    rows = []
    for i in range(10):
        turns = [("user", f"How do I boil an egg? ({i})"), ("assistant", "Put it in boiling water."),
                 ("user", "For how long?")]
        rows.append({"chosen": hh(turns, f"About {i + 7} minutes."), "rejected": hh(turns, "Figure it out.")})
    report, out = inspect(tmp_path, rows, name="hh.jsonl")
    assert report.shape == "preference" and report.conversational
    assert report.usable, [f.describe() for f in report.findings]
    assert "Anthropic HH" in report.conversion_note
    assert out[0]["prompt"] == [{"role": "user", "content": "How do I boil an egg? (0)"},
                                {"role": "assistant", "content": "Put it in boiling water."},
                                {"role": "user", "content": "For how long?"}]
    assert out[0]["chosen"] == [{"role": "assistant", "content": "About 7 minutes."}]
    assert out[0]["rejected"] == [{"role": "assistant", "content": "Figure it out."}]
    assert report.columns == ["prompt", "chosen", "rejected"]


def test_hh_row_that_is_not_a_transcript_is_named(tmp_path):
    rows = [{"chosen": hh([("user", f"q{i}")], "yes"), "rejected": hh([("user", f"q{i}")], "no")} for i in range(10)]
    rows[4] = {"chosen": "just some text", "rejected": "other text"}
    report, _ = inspect(tmp_path, rows)
    assert {f.row for f in report.errors} == {5}
    assert {f.column for f in report.errors} == {"prompt", "chosen", "rejected"}
    assert "plain text in a conversational file" in at_column(report.errors, "chosen").message


def test_hh_with_identical_answers_is_caught(tmp_path):
    rows = [{"chosen": hh([("user", f"q{i}")], "same"), "rejected": hh([("user", f"q{i}")], "same" if i == 2 else "x")}
            for i in range(10)]
    report, _ = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(3, "rejected")]


def test_parse_transcript():
    assert parse_transcript("no turns here") is None
    assert parse_transcript("Human: hi\n\nAssistant: hello") == [{"role": "user", "content": "hi"},
                                                                 {"role": "assistant", "content": "hello"}]


def test_sharegpt_preference_with_single_message_answers(tmp_path):
    rows = [{"conversations": [{"from": "system", "value": "be brief"}, {"from": "human", "value": f"2+{i}?"}],
             "chosen": {"from": "gpt", "value": str(2 + i)}, "rejected": {"from": "gpt", "value": "five"}}
            for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.shape == "preference" and report.conversational and report.usable, report.findings
    assert "ShareGPT preference" in report.conversion_note
    assert out[0] == {"prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "2+0?"}],
                      "chosen": [{"role": "assistant", "content": "2"}],
                      "rejected": [{"role": "assistant", "content": "five"}]}


def test_sharegpt_with_kto_tag_becomes_unpaired_preference(tmp_path):
    rows = [{"conversations": [{"from": "human", "value": f"q{i}"}, {"from": "gpt", "value": f"a{i}"}],
             "kto_tag": i % 2 == 0} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.shape == "unpaired_preference" and report.usable, report.findings
    assert out[1] == {"prompt": [{"role": "user", "content": "q1"}],
                      "completion": [{"role": "assistant", "content": "a1"}], "label": False}


def test_openai_style_single_message_pairs_are_wrapped(tmp_path):
    rows = [{"prompt": [{"role": "user", "content": f"q{i}"}], "chosen": {"role": "assistant", "content": "good"},
             "rejected": {"role": "assistant", "content": f"bad {i}"}} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.usable and report.conversational
    assert out[0]["chosen"] == [{"role": "assistant", "content": "good"}]
    assert "Wrapped single-message" in report.conversion_note


def test_openai_messages_need_no_conversion(tmp_path):
    rows = [{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": f"u{i}"},
                          {"role": "assistant", "content": "a"}]} for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.conversions == [] and report.usable and out == rows


def test_dolly_instruction_context_response_is_alpaca(tmp_path):
    rows = [{"instruction": f"Summarise {i}", "context": "Some text.", "response": "Short.", "category": "summ"}
            for i in range(10)]
    report, out = inspect(tmp_path, rows)
    assert report.shape == "prompt_completion" and report.usable, report.findings
    assert out[0]["prompt"] == [{"role": "user", "content": "Summarise 0\n\nSome text."}]
    assert out[0]["category"] == "summ"


def test_report_records_mapping_and_conversions_in_to_dict(tmp_path):
    rows = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(10)]
    report, _ = inspect(tmp_path, rows)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["column_mapping"] == {"prompt": "question", "completion": "answer"}
    assert data["source_columns"] == ["question", "answer"]
    assert data["conversion_note"] == report.conversions[0]
