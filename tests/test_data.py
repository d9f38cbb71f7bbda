"""Data: loading every supported file format, shape detection, community-format conversion, row findings,
and hostile input. Each test writes its own small file under tmp_path; no model, no network."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from studio.data import inspect_dataset, to_dataset
from studio.data.formats import SHAPES, convert_rows, detect_shape
from studio.data.loading import load_rows
from studio.data.report import Finding
from studio.data.validation import MAX_FINDINGS, MIN_ROWS, parse_label

# ---------------------------------------------------------------- helpers


def chat(i: int) -> list[dict]:
    return [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}"}]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def at(report, level: str, **where) -> list[Finding]:
    """Findings of `level` at the given row/line/column."""
    return [f for f in report.findings if f.level == level
            and all(getattr(f, k) == v for k, v in where.items())]


TEXT_ROWS = [{"text": f"sample number {i}"} for i in range(1, 11)]

# ---------------------------------------------------------------- loading: formats


def test_jsonl_reads_every_row_and_skips_blank_lines(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a"}\n\n   \n{"text": "b"}\r\n{"text": "c"}', encoding="utf-8")
    loaded = load_rows(path)
    assert loaded.file_format == "jsonl"
    assert [r["text"] for r in loaded.rows] == ["a", "b", "c"]
    assert loaded.findings == []


def test_ndjson_and_uppercase_extension_read_as_jsonl(tmp_path):
    for name in ("d.ndjson", "D.JSONL"):
        loaded = load_rows(write_jsonl(tmp_path / name, TEXT_ROWS[:2]))
        assert loaded.file_format == "jsonl"
        assert len(loaded.rows) == 2


def test_json_array_of_objects(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(TEXT_ROWS[:3]), encoding="utf-8")
    loaded = load_rows(path)
    assert loaded.file_format == "json"
    assert loaded.rows == TEXT_ROWS[:3]


def test_json_object_of_equal_length_arrays_becomes_rows(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"prompt": ["p1", "p2"], "completion": ["c1", "c2"]}), encoding="utf-8")
    assert load_rows(path).rows == [{"prompt": "p1", "completion": "c1"}, {"prompt": "p2", "completion": "c2"}]


def test_json_single_column_object_of_arrays(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"text": ["a", "b", "c"]}), encoding="utf-8")
    assert load_rows(path).rows == [{"text": "a"}, {"text": "b"}, {"text": "c"}]


def test_json_wrapper_object_holding_a_list_of_rows(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"data": TEXT_ROWS[:2]}), encoding="utf-8")
    assert load_rows(path).rows == TEXT_ROWS[:2]


def test_json_object_of_unequal_arrays_is_refused(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"prompt": ["p1", "p2"], "completion": ["c1"]}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"d\.json.*equal-length"):
        load_rows(path)


def test_json_array_items_that_are_not_objects_are_findings(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"text": "a"}, "stray string", {"text": "b"}]), encoding="utf-8")
    loaded = load_rows(path)
    assert [r["text"] for r in loaded.rows] == ["a", "b"]
    assert [(f.level, f.row) for f in loaded.findings] == [("error", 2)]
    assert "str" in loaded.findings[0].message


def test_csv_with_quoted_newlines_and_commas(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["prompt", "completion"],
                     [["line one\nline two", "a, b, c"], ["second \"quoted\"", "x"]])
    loaded = load_rows(path)
    assert loaded.file_format == "csv"
    assert loaded.rows == [{"prompt": "line one\nline two", "completion": "a, b, c"},
                           {"prompt": 'second "quoted"', "completion": "x"}]


def test_csv_row_with_extra_cells_is_reported_with_its_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("prompt,completion\np1,c1\np2,c2,surplus\n", encoding="utf-8")
    loaded = load_rows(path)
    assert len(loaded.rows) == 2
    assert None not in loaded.rows[1]
    assert [(f.level, f.row) for f in loaded.findings] == [("error", 2)]


def test_tsv(tmp_path):
    path = write_csv(tmp_path / "d.tsv", ["prompt", "completion"], [["a, with comma", "b"]], delimiter="\t")
    loaded = load_rows(path)
    assert loaded.file_format == "tsv"
    assert loaded.rows == [{"prompt": "a, with comma", "completion": "b"}]


def test_parquet_gives_plain_python_values(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "d.parquet"
    pd.DataFrame({"messages": [chat(1), chat(2)], "n": [1, 2]}).to_parquet(path)
    loaded = load_rows(path)
    assert loaded.file_format == "parquet"
    assert loaded.rows[0]["messages"] == chat(1)
    assert type(loaded.rows[0]["messages"]) is list  # not a numpy array
    assert type(loaded.rows[0]["messages"][0]) is dict
    assert loaded.rows[1]["n"] == 2


@pytest.mark.parametrize("name", ["d.jsonl.gz", "d.json.gz", "d.csv.gz", "d.tsv.gz", "d.parquet.gz"])
def test_gzip_compressed_files(tmp_path, name):
    inner = tmp_path / name[:-3]
    if inner.suffix == ".jsonl":
        write_jsonl(inner, TEXT_ROWS[:3])
    elif inner.suffix == ".json":
        inner.write_text(json.dumps(TEXT_ROWS[:3]), encoding="utf-8")
    elif inner.suffix == ".parquet":
        pd = pytest.importorskip("pandas")
        pd.DataFrame(TEXT_ROWS[:3]).to_parquet(inner)
    else:
        write_csv(inner, ["text"], [[r["text"]] for r in TEXT_ROWS[:3]],
                  delimiter="\t" if inner.suffix == ".tsv" else ",")
    path = tmp_path / name
    path.write_bytes(gzip.compress(inner.read_bytes()))
    inner.unlink()
    loaded = load_rows(path)
    assert loaded.file_format == inner.suffix[1:]
    assert loaded.rows == TEXT_ROWS[:3]


# ---------------------------------------------------------------- loading: hostile input


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"nothere\.jsonl: no such file"):
        load_rows(tmp_path / "nothere.jsonl")


def test_empty_file(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.jsonl: the file is empty"):
        load_rows(tmp_path / "empty.jsonl")


def test_whitespace_only_jsonl_has_no_rows(tmp_path):
    (tmp_path / "blank.jsonl").write_text("\n  \n\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"blank\.jsonl: no readable rows"):
        load_rows(tmp_path / "blank.jsonl")


def test_binary_file_is_refused(tmp_path):
    (tmp_path / "weights.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ValueError, match=r"weights\.jsonl: this looks like a binary file"):
        load_rows(tmp_path / "weights.jsonl")


def test_non_utf8_text_is_refused_with_the_byte(tmp_path):
    (tmp_path / "latin.csv").write_bytes("text\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.csv: not UTF-8 text \(byte 8\)"):
        load_rows(tmp_path / "latin.csv")


@pytest.mark.parametrize("name, shown", [("notes.txt", "'.txt'"), ("README", "'none'"), ("d.xlsx", "'.xlsx'"),
                                         ("archive.gz", "'none'")])
def test_wrong_extension(tmp_path, name, shown):
    (tmp_path / name).write_text('{"text": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{name.replace('.', '[.]')}: unsupported file type {shown}"):
        load_rows(tmp_path / name)


def test_malformed_json_file_names_line_and_column(tmp_path):
    (tmp_path / "broken.json").write_text('[\n  {"text": "a"},\n  {"text": }\n]', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON at line 3, column 12"):
        load_rows(tmp_path / "broken.json")


@pytest.mark.parametrize("text", ["[]", "42", '"just a string"', '{"a": 1, "b": "x"}', "[1, 2, 3]"])
def test_json_file_without_row_objects_is_refused(tmp_path, text):
    (tmp_path / "odd.json").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"odd\.json: "):
        load_rows(tmp_path / "odd.json")


def test_csv_header_without_rows(tmp_path):
    (tmp_path / "head.csv").write_text("prompt,completion\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"head\.csv: the header is there but no rows"):
        load_rows(tmp_path / "head.csv")


def test_not_a_parquet_file(tmp_path):
    (tmp_path / "fake.parquet").write_text("prompt,completion\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"fake\.parquet: not a readable Parquet file"):
        load_rows(tmp_path / "fake.parquet")


@pytest.mark.parametrize("name", ["bom.jsonl", "bom.json", "bom.csv"])
def test_utf8_bom_is_tolerated(tmp_path, name):
    path = tmp_path / name
    body = {"bom.jsonl": '{"text": "a"}\n', "bom.json": '[{"text": "a"}]', "bom.csv": "text\na\n"}[name]
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    loaded = load_rows(path)
    assert loaded.rows == [{"text": "a"}]  # the first key is 'text', not '\ufefftext'
    assert loaded.findings == []


def test_file_over_max_bytes_is_refused_before_reading(tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", TEXT_ROWS)
    size = path.stat().st_size
    assert load_rows(path, max_bytes=size).rows  # exactly at the limit is fine
    with pytest.raises(ValueError, match=r"big\.jsonl: the file is .* over the .* limit"):
        load_rows(path, max_bytes=size - 1)
    with pytest.raises(ValueError, match=r"big\.jsonl"):
        inspect_dataset(path, max_bytes=size - 1)


def test_corrupt_gzip_raises_value_error(tmp_path):
    (tmp_path / "bad.jsonl.gz").write_text('{"text": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl\.gz"):
        load_rows(tmp_path / "bad.jsonl.gz")


def test_gzip_expanding_past_max_bytes_is_refused(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(("{\"text\": \"" + "a" * 200_000 + "\"}\n").encode()))
    assert path.stat().st_size < 10_000
    with pytest.raises(ValueError, match=r"bomb\.jsonl\.gz"):
        load_rows(path, max_bytes=10_000)


def test_jsonl_string_containing_unicode_line_separator(tmp_path):
    path = write_jsonl(tmp_path / "sep.jsonl", [{"text": "one\u2028two"}, {"text": "three\x85four"}])
    loaded = load_rows(path)
    assert loaded.findings == []
    assert [r["text"] for r in loaded.rows] == ["one\u2028two", "three\x85four"]


# ---------------------------------------------------------------- shape detection


@pytest.mark.parametrize("row, shape, conversational", [
    ({"text": "plain text"}, "language_modeling", False),
    ({"messages": chat(0)}, "language_modeling", True),
    ({"prompt": "write a haiku"}, "prompt_only", False),
    ({"prompt": [{"role": "user", "content": "write a haiku"}]}, "prompt_only", True),
    ({"prompt": "2+2?", "completion": "4"}, "prompt_completion", False),
    ({"prompt": "2+2?", "chosen": "4", "rejected": "5"}, "preference", False),
    ({"chosen": "Q: 2+2? A: 4", "rejected": "Q: 2+2? A: 5"}, "preference", False),
    ({"chosen": chat(0), "rejected": [{"role": "user", "content": "question 0"},
                                      {"role": "assistant", "content": "wrong"}]}, "preference", True),
    ({"prompt": [{"role": "user", "content": "2+2?"}], "chosen": [{"role": "assistant", "content": "4"}],
      "rejected": [{"role": "assistant", "content": "5"}]}, "preference", True),
    ({"prompt": "2+2?", "completion": "4", "label": True}, "unpaired_preference", False),
])
def test_shape_detection(tmp_path, row, shape, conversational):
    rows = []
    for i in range(MIN_ROWS):
        varied = json.loads(json.dumps(row).replace("2+2?", f"2+{i}?").replace("question 0", f"question {i}")
                            .replace("haiku", f"haiku {i}").replace("plain text", f"plain text {i}"))
        rows.append(varied)
    report, out = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.shape == shape
    assert report.shape in SHAPES
    assert report.conversational is conversational
    assert report.findings == []
    assert report.usable
    assert report.rows == len(out) == MIN_ROWS
    assert report.conversion_note == ""


def test_detect_shape_prefers_the_most_specific_match():
    assert detect_shape(["prompt", "completion", "label"]) == "unpaired_preference"
    assert detect_shape(["prompt", "chosen", "rejected", "completion"]) == "preference"
    assert detect_shape(["prompt", "completion", "extra"]) == "prompt_completion"
    assert detect_shape(["question", "answer"]) is None


def test_unknown_columns_are_an_error_that_names_them(tmp_path):
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", [{"foo": "q", "bar": "a"}] * 10))
    assert report.shape == "unknown"
    assert not report.usable
    assert "['foo', 'bar']" in report.errors[0].message
    assert "rename" in report.errors[0].message and "map them" in report.errors[0].message


# ---------------------------------------------------------------- community formats


def test_alpaca_becomes_conversational_prompt_completion(tmp_path):
    rows = [{"instruction": f"Translate {i}", "input": "bonjour" if i == 0 else "", "output": f"hello {i}"}
            for i in range(MIN_ROWS)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "alpaca.jsonl", rows))
    assert "Alpaca" in report.conversion_note
    assert report.shape == "prompt_completion"
    assert report.conversational
    assert report.usable, [f.describe() for f in report.findings]
    assert out[0] == {"prompt": [{"role": "user", "content": "Translate 0\n\nbonjour"}],
                      "completion": [{"role": "assistant", "content": "hello 0"}]}
    assert out[1]["prompt"][0]["content"] == "Translate 1"  # an empty input adds nothing


def test_sharegpt_becomes_messages_with_mapped_roles(tmp_path):
    rows = [{"conversations": [{"from": "system", "value": "be nice"}, {"from": "human", "value": f"hi {i}"},
                               {"from": "gpt", "value": f"hello {i}"}]} for i in range(MIN_ROWS)]
    report, out = inspect_dataset(write_jsonl(tmp_path / "sharegpt.jsonl", rows))
    assert "ShareGPT" in report.conversion_note
    assert report.shape == "language_modeling"
    assert report.conversational
    assert report.usable, [f.describe() for f in report.findings]
    assert out[0] == {"messages": [{"role": "system", "content": "be nice"}, {"role": "user", "content": "hi 0"},
                                   {"role": "assistant", "content": "hello 0"}]}


def test_sharegpt_unknown_speaker_is_a_role_error(tmp_path):
    rows = [{"conversations": [{"from": "human", "value": f"hi {i}"}, {"from": "narrator", "value": "x"}]}
            for i in range(MIN_ROWS)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "sharegpt.jsonl", rows))
    assert len(report.errors) == MIN_ROWS
    assert report.errors[0].row == 1 and report.errors[0].column == "messages"
    assert "message 2 has role ''" in report.errors[0].message


def test_plain_rows_are_not_converted():
    rows = [{"messages": chat(1), "conversations": "ignored"}]
    assert convert_rows(rows) == (rows, "")


# ---------------------------------------------------------------- findings


def test_unreadable_jsonl_line_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [json.dumps(r) for r in TEXT_ROWS[:4]]
    lines.insert(2, '{"text": "unterminated')   # line 3
    lines.insert(4, '["a", "list"]')             # line 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, rows = inspect_dataset(path)
    assert len(rows) == 4
    bad = report.errors
    assert [f.line for f in bad] == [3, 5]
    assert "line 3 is not valid JSON" in bad[0].message
    assert "list" in bad[1].message and "not an object" in bad[1].message
    assert bad[0].describe("d.jsonl").startswith("ERROR d.jsonl, line 3:")
    assert not report.usable


def test_jsonl_with_no_readable_line_raises_with_the_first_problem(tmp_path):
    (tmp_path / "junk.jsonl").write_text("not json\nalso not\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"junk\.jsonl: no readable rows \(line 1 is not valid JSON"):
        load_rows(tmp_path / "junk.jsonl")


def test_empty_field_names_row_and_column_from_one(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(1, 11)]
    rows[3]["completion"] = "   "   # row 4
    rows[6]["prompt"] = ""          # row 7
    del rows[8]["completion"]       # row 9, missing
    rows[9]["completion"] = None    # row 10
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(4, "completion"), (7, "prompt"), (9, "completion"),
                                                          (10, "completion")]
    assert all("empty or missing" in f.message for f in report.errors)
    assert report.errors[0].describe("d.jsonl") == \
        "ERROR d.jsonl, line 4, column 'completion': empty or missing; fill it in or delete the row."


def test_empty_csv_cell_counts_data_rows_from_one(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["prompt", "completion"],
                     [[f"p{i}", "" if i == 2 else f"c{i}"] for i in range(1, 11)])
    report, _ = inspect_dataset(path)
    assert [(f.row, f.column) for f in report.errors] == [(2, "completion")]


def test_non_text_value_is_an_error(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(10)]
    rows[4]["completion"] = 42
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(5, "completion")]
    assert "expected text, found int" in report.errors[0].message


def test_chosen_equal_to_rejected(tmp_path):
    rows = [{"prompt": f"p{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(10)]
    rows[2]["rejected"] = rows[2]["chosen"]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(3, "rejected")]
    assert "identical" in report.errors[0].message


def test_chosen_equal_to_rejected_in_conversational_pairs(tmp_path):
    rows = [{"chosen": chat(i), "rejected": chat(i + 100)} for i in range(10)]
    rows[0]["rejected"] = chat(0)
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(1, "rejected")]


@pytest.mark.parametrize("label", [True, False, 1, 0, 1.0, "true", "False", " yes ", "no", "up", "down", "👍", "1"])
def test_boolean_like_labels_are_accepted(tmp_path, label):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "label": label} for i in range(10)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.shape == "unpaired_preference"
    assert report.findings == []


def test_non_boolean_and_missing_labels(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "label": True} for i in range(10)]
    rows[1]["label"] = "maybe"
    rows[4]["label"] = 2
    del rows[7]["label"]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(2, "label"), (5, "label"), (8, "label")]
    assert "'maybe' is not boolean-like" in report.errors[0].message
    assert "2 is not boolean-like" in report.errors[1].message
    assert "missing" in report.errors[2].message


def test_empty_label_is_reported_once(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "label": True} for i in range(10)]
    rows[7]["label"] = ""
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(8, "label")]
    assert "missing" in report.errors[0].message


def test_parse_label():
    assert parse_label("Thumbs_Up") is True
    assert parse_label("negative") is False
    assert parse_label(0.0) is False
    assert parse_label(0.5) is None
    assert parse_label(None) is None
    assert parse_label("truthy") is None


@pytest.mark.parametrize("message, expected", [
    ({"role": "bot", "content": "hi"}, "message 2 has role 'bot'"),
    ({"content": "hi"}, "message 2 has role None"),
    ({"role": "assistant", "content": "  "}, "message 2 (assistant) has empty content"),
    ("just text", "message 2 is not a {role, content} object"),
])
def test_bad_message_is_reported_at_row_and_column(tmp_path, message, expected):
    rows = [{"messages": chat(i)} for i in range(10)]
    rows[5]["messages"] = [{"role": "user", "content": "q"}, message]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(6, "messages")]
    assert expected in report.errors[0].message


def test_conversation_without_assistant_and_empty_list(tmp_path):
    rows = [{"messages": chat(i)} for i in range(10)]
    rows[0]["messages"] = [{"role": "user", "content": "only a question"}]
    rows[1]["messages"] = []
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(1, "messages"), (2, "messages")]
    assert "no assistant message" in report.errors[0].message


def test_plain_text_in_a_conversational_file(tmp_path):
    rows = [{"messages": chat(i)} for i in range(10)]
    rows[3]["messages"] = "a string, not messages"
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(f.row, f.column) for f in report.errors] == [(4, "messages")]
    assert "conversational" in report.errors[0].message


def test_duplicate_row_is_a_warning_naming_the_first(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(10)]
    rows.append({"completion": "c3", "prompt": "p3"})  # same row, keys in another order
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.errors == []
    assert [(f.level, f.row) for f in report.warnings] == [("warning", 11)]
    assert "duplicate of line 4" in report.warnings[0].message
    assert report.usable


def test_too_few_rows_is_a_warning(tmp_path):
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", TEXT_ROWS[:MIN_ROWS - 1]))
    assert report.errors == []
    assert len(report.warnings) == 1
    assert f"only {MIN_ROWS - 1} rows" in report.warnings[0].message
    assert report.usable
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", TEXT_ROWS[:MIN_ROWS]))
    assert report.warnings == []


def test_findings_are_capped(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": ""} for i in range(MAX_FINDINGS + 100)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    assert len(report.findings) == MAX_FINDINGS
    assert report.rows == MAX_FINDINGS + 100


def test_report_to_dict_is_json_ready_and_preview_is_shortened(tmp_path):
    rows = [{"text": f"{i} " + "x" * 1000} for i in range(30)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "long.jsonl", rows))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["source"] == "long.jsonl"
    assert data["usable"] is True
    assert data["rows"] == 30
    assert len(data["preview"]) == 20
    assert len(data["preview"][0]["text"]) == 401 and data["preview"][0]["text"].endswith("…")


def test_json_row_numbers_stay_those_of_the_file_after_a_skipped_item(tmp_path):
    items = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(1, 11)]
    items[1] = "not an object"   # item 2
    items[2]["completion"] = ""  # item 3
    path = tmp_path / "d.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    report, _ = inspect_dataset(path)
    assert [f.row for f in report.errors] == [2, 3]


# ---------------------------------------------------------------- hand-over to datasets


def test_to_dataset_turns_labels_into_booleans(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "label": "yes" if i % 2 else "no"} for i in range(10)]
    report, rows = inspect_dataset(write_jsonl(tmp_path / "d.jsonl", rows))
    dataset = to_dataset(rows, report)
    assert dataset["label"][:4] == [False, True, False, True]
    assert len(dataset) == 10


def test_to_dataset_refuses_a_report_with_errors(tmp_path):
    rows = [{"prompt": f"p{i}", "completion": ""} for i in range(10)]
    report, rows = inspect_dataset(write_jsonl(tmp_path / "bad.jsonl", rows))
    with pytest.raises(ValueError, match=r"bad\.jsonl has 10 error\(s\).*line 1, column 'completion'"):
        to_dataset(rows, report)
