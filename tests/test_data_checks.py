"""Data: the row checks added for issue 3 (role order, wrong types, mixed shapes, huge and deeply nested
values, mixed-type columns, the evaluation split) and hostile input that must end in a report or a ValueError,
never anything else. Each test writes its own small fixture file under tmp_path."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from studio.data import inspect_dataset, to_dataset
from studio.data.checks import HUGE_CHARS, MAX_DEPTH, depth
from studio.data.validation import check_split


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def chat(i: int) -> list[dict]:
    return [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}"}]


def u(text="q"):
    return {"role": "user", "content": text}


def a(text="a"):
    return {"role": "assistant", "content": text}


def s(text="be kind"):
    return {"role": "system", "content": text}


def inspect(tmp_path, rows, name="d.jsonl"):
    report, _ = inspect_dataset(write_jsonl(tmp_path / name, rows))
    return report


# ---------------------------------------------------------------- message roles and order


@pytest.mark.parametrize("messages, level, expected", [
    ([u(), a(), a("again")], "error", "messages 2 and 3 are both assistant turns"),
    ([u(), u("more"), a()], "error", "messages 1 and 2 are both user turns"),
    ([a(), u(), a()], "error", "starts with the assistant (message 1)"),
    ([s(), a(), u(), a()], "error", "starts with the assistant (message 2)"),
    ([u(), a(), s()], "error", "message 3 is a system message after the conversation began"),
    ([s()], "error", "only a system message"),
    ([u(), {"role": "tool", "content": "42"}, a()], "error", "message 2 is a tool result that follows a user turn"),
    ([u(), a(), u("thanks")], "warning", "ends with a user turn; turns after the last assistant answer"),
])
def test_message_order_in_conversations(tmp_path, messages, level, expected):
    rows = [{"messages": chat(i)} for i in range(10)]
    rows[6]["messages"] = messages
    report = inspect(tmp_path, rows)
    found = [f for f in report.findings if f.level == level]
    assert [(f.row, f.column) for f in found] == [(7, "messages")]
    assert expected in found[0].message
    assert report.usable is (level == "warning")


def test_tool_calls_are_a_valid_order(tmp_path):
    call = {"role": "assistant", "content": "", "tool_calls": [{"name": "add", "arguments": {"a": 1}}]}
    rows = [{"messages": [s(), u(f"{i}+1?"), call, {"role": "tool", "content": "2"}, a("2")]} for i in range(10)]
    assert inspect(tmp_path, rows).findings == []


@pytest.mark.parametrize("row, column, expected", [
    ({"prompt": [u()], "completion": [u("not an answer")]}, "completion", "the answer starts with a user message"),
    ({"prompt": [s()], "completion": [a()]}, "prompt", "only a system message"),
    ({"prompt": [a("hello"), u()], "completion": [a()]}, "prompt", "starts with the assistant"),
])
def test_prompt_and_answer_roles(tmp_path, row, column, expected):
    rows = [{"prompt": [u(f"q{i}")], "completion": [a(f"a{i}")]} for i in range(10)]
    rows[2] = row
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(3, column)]
    assert expected in report.errors[0].message


def test_prompt_ending_with_an_assistant_turn_is_a_continuation(tmp_path):
    rows = [{"prompt": [u(f"q{i}"), a("Sure, here")], "completion": [a(" it is.")]} for i in range(10)]
    assert inspect(tmp_path, rows).findings == []


def test_implicit_prompt_transcript_must_end_with_the_answer(tmp_path):
    rows = [{"chosen": chat(i), "rejected": [u(f"question {i}"), a("no")]} for i in range(10)]
    rows[1]["chosen"] = [u("question 1"), a("yes"), u("and?")]
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(2, "chosen")]
    assert "must end with the assistant's answer" in report.errors[0].message


# ---------------------------------------------------------------- wrong types


@pytest.mark.parametrize("value, expected", [
    (42, "expected text, found int"),
    (3.5, "expected text, found float"),
    (True, "expected text, found bool"),
    ({"text": "nested"}, "expected text, found dict"),
    ({"role": "assistant", "content": "x"}, "a single message object; wrap it in a list"),
])
def test_wrong_types_in_text_columns(tmp_path, value, expected):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(10)]
    rows[8]["completion"] = value
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(9, "completion")]
    assert expected in report.errors[0].message


def test_messages_in_a_plain_text_file(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(60)]
    rows[55]["completion"] = [a("hi")]  # beyond the rows that decide whether the file is conversational
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(56, "completion")]
    assert "plain text in the rest of the file" in report.errors[0].message


def test_message_content_of_the_wrong_type(tmp_path):
    rows = [{"messages": chat(i)} for i in range(10)]
    rows[0]["messages"] = [u(), {"role": "assistant", "content": [{"type": "text", "text": "hi"}]}]  # parts: joined
    rows[1]["messages"] = [u(), {"role": "assistant", "content": 7}]
    rows[2]["messages"] = [u(), {"role": "assistant", "content": {"answer": "hi"}}]
    report = inspect(tmp_path, rows)
    assert [f.row for f in report.errors] == [2, 3]
    assert "message 2 (assistant) has empty content" in report.errors[0].message
    assert "content of type dict; expected text" in report.errors[1].message


@pytest.mark.parametrize("label", [[True], {"v": 1}, 0.5, "sometimes"])
def test_labels_of_the_wrong_type(tmp_path, label):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "label": True} for i in range(10)]
    rows[3]["label"] = label
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(4, "label")]
    assert "not boolean-like" in report.errors[0].message


def test_extra_column_mixing_types_names_every_odd_row(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "id": i} for i in range(10)]
    rows[4]["id"] = "four"
    rows[6]["id"] = "six"
    rows[7]["id"] = None  # missing values are fine
    rows[8]["id"] = 8.5  # ints and floats mix fine
    report, out = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    # Each row of the other type would break the trainer's table, so each is named (and left out).
    assert [(f.row, f.column) for f in report.errors] == [(5, "id"), (7, "id")]
    assert "holds a str here but a number in line 1" in report.errors[0].message
    assert report.skipped_rows == 2 and len(out) == 8 and all(not isinstance(r["id"], str) for r in out)


def test_clean_rows_with_extra_columns_reach_datasets(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "id": i, "meta": {"src": "x", "tags": ["a"]}} for i in range(10)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.findings == []
    assert len(to_dataset(out, report)) == 10


# ---------------------------------------------------------------- mixed shapes


def test_rows_of_another_shape_are_named_once_each(tmp_path):
    rows = [{"prompt": f"p{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(10)]
    rows[3] = {"messages": chat(3)}
    rows[7] = {"text": "plain text"}
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(4, "prompt"), (8, "prompt")]
    assert "this row has the columns ['messages'], the shape of language modeling data" in report.errors[0].message
    assert "one file holds one shape" in report.errors[0].message
    assert report.shape == "preference"


def test_the_shape_most_rows_have_wins(tmp_path):
    rows = [{"text": f"t{i}"} for i in range(3)] + [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(12)]
    report = inspect(tmp_path, rows)
    assert report.shape == "prompt_completion"
    assert [f.row for f in report.errors] == [1, 2, 3]


def test_a_row_missing_one_column_is_a_missing_field_not_another_shape(tmp_path):
    rows = [{"prompt": f"p{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(10)]
    del rows[2]["prompt"]
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(3, "prompt")]
    assert "empty or missing" in report.errors[0].message


# ---------------------------------------------------------------- huge and deeply nested values


def test_huge_single_row_is_a_warning_and_the_preview_is_short(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(10)]
    rows[0]["completion"] = "word " * (HUGE_CHARS // 4)
    report = inspect(tmp_path, rows)
    assert report.errors == []
    assert [(f.level, f.row) for f in report.warnings] == [("warning", 1)]
    assert "characters (about" in report.warnings[0].message
    assert len(report.preview[0]["completion"]) == 401


def test_huge_conversation_counts_every_message(tmp_path):
    rows = [{"messages": chat(i)} for i in range(10)]
    rows[5]["messages"] = [u("x" * (HUGE_CHARS // 2)), a("y" * (HUGE_CHARS // 2 + 10))]
    report = inspect(tmp_path, rows)
    assert [f.row for f in report.warnings] == [6]


def nested(levels: int):
    value = "leaf"
    for _ in range(levels):
        value = [value]
    return value


def test_depth():
    assert depth("text") == 0 and depth([]) == 1 and depth(chat(0)) == 2
    assert depth(nested(5)) == 5
    assert depth(nested(10_000)) == MAX_DEPTH + 1  # stops looking past the limit


def test_deeply_nested_extra_column_is_an_error(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "meta": {"a": 1}} for i in range(10)]
    rows[2]["meta"] = {"a": nested(MAX_DEPTH + 5)}
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(3, "meta")]
    assert "nested more than" in report.errors[0].message
    json.dumps(report.to_dict())  # the preview stays printable


def test_deeply_nested_text_column_is_an_error(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(10)]
    rows[1]["completion"] = {"x": nested(MAX_DEPTH + 5)}
    report = inspect(tmp_path, rows)
    assert [(f.row, f.column) for f in report.errors] == [(2, "completion")]


def test_jsonl_line_nested_past_the_parser_limit(tmp_path):
    path = tmp_path / "deep.jsonl"
    lines = [json.dumps({"text": f"t{i}"}) for i in range(10)]
    lines[4] = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, rows = inspect_dataset(path)
    assert len(rows) == 9
    assert [(f.line, f.level) for f in report.errors] == [(5, "error")]


def test_json_file_nested_past_the_parser_limit(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ValueError, match=r"deep\.json: .*nested too deeply"):
        inspect_dataset(path)


# ---------------------------------------------------------------- the evaluation split


def test_split_that_leaves_too_few_rows(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(30)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows), holdout_rows=32)
    assert [f.level for f in report.findings] == ["warning"]
    assert "only 3 can be kept out" in report.findings[0].message
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows), holdout_rows=0)
    assert report.findings == []


def test_check_split():
    assert check_split(1000, 32) == []
    assert check_split(100, 0) == []
    assert len(check_split(50, 32)) == 1
    assert check_split(5, 32) == []  # too few rows at all is already its own warning


# ---------------------------------------------------------------- hostile input: a report or a ValueError


def test_json_with_a_bom_and_csv_with_quoted_newlines_inspect_cleanly(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(10)).encode())
    report, _ = inspect_dataset(path)
    assert report.columns == ["text"] and report.findings == []
    path = tmp_path / "q.csv"
    path.write_text("prompt,completion\n" + "".join(f'"line {i}\nnext, line","c{i}"\n' for i in range(10)),
                    encoding="utf-8")
    report, rows = inspect_dataset(path)
    assert report.rows == 10 and rows[0]["prompt"] == "line 0\nnext, line" and report.findings == []


def test_non_utf8_jsonl_names_the_byte(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(ValueError, match=r"latin\.jsonl: not UTF-8 text \(byte 28\)"):
        inspect_dataset(path)


def test_jsonl_with_nan_and_huge_ints_reads_like_json(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(f'{{"text": "t{i}", "score": NaN, "id": {10**30 + i}}}\n' for i in range(10)),
                    encoding="utf-8")
    report, rows = inspect_dataset(path)
    assert report.rows == 10 and report.usable


def mutations(seed: int, data: bytes, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            spot = rng.randrange(len(raw) + 1)
            if kind < 0.4 and raw:
                del raw[spot:spot + rng.randint(1, 20)]
            elif kind < 0.8:
                raw[spot:spot] = rng.choice([b"{", b"}", b"[", b"]", b'"', b",", b"\n", b"\x00", b"\xff", b"\\",
                                             b'"role"', b"null", b"\xef\xbb\xbf", b"\r"])
            elif raw:
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        yield bytes(raw)


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".tsv", ".jsonl.gz", ".parquet"])
def test_mangled_files_give_a_report_or_a_value_error(tmp_path, suffix):
    rows = [{"prompt": [u(f"q{i}")], "chosen": [a("yes")], "rejected": [a(f"no {i}")], "label": True}
            for i in range(6)]
    if suffix.startswith(".json"):
        body = ("".join(json.dumps(r) + "\n" for r in rows) if ".jsonl" in suffix else json.dumps(rows)).encode()
    elif suffix == ".parquet":
        body = b"PAR1" + json.dumps(rows).encode() + b"PAR1"
    else:
        sep = "\t" if suffix == ".tsv" else ","
        body = ("prompt" + sep + "completion\n" + "".join(f'"q {i}"{sep}"a, {i}"\n' for i in range(6))).encode()
    for n, data in enumerate(mutations(len(suffix), body, 60)):
        path = tmp_path / f"m{n}{suffix}"
        path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
        try:
            report, out = inspect_dataset(path)
        except ValueError as exc:
            assert path.name in str(exc)
            continue
        json.dumps(report.to_dict(), default=str)
        assert report.training_rows == len(out) <= report.rows
