"""The headless CLI's validate and recommend commands: exit codes and output, via `main([...])`."""

from __future__ import annotations

import json

import pytest

from studio.__main__ import main


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def good(tmp_path):
    return write_jsonl(tmp_path / "good.jsonl",
                       [{"prompt": f"p{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(10)])


@pytest.fixture
def bad(tmp_path):
    rows = [{"prompt": f"p{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(10)]
    rows[2]["rejected"] = rows[2]["chosen"]
    rows[5]["prompt"] = ""
    return write_jsonl(tmp_path / "bad.jsonl", rows)


def test_validate_good_file_exits_0(good, capsys):
    assert main(["validate", good]) == 0
    out, err = capsys.readouterr()
    assert "good.jsonl: 10 rows, jsonl" in out
    assert "shape: preference (standard)" in out
    assert "0 error(s), 0 warning(s): usable" in out
    assert err == ""


def test_validate_warnings_alone_still_exit_0(tmp_path, capsys):
    path = write_jsonl(tmp_path / "few.jsonl", [{"text": "one"}, {"text": "one"}])
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 2 warning(s): usable" in out
    assert "WARNING line 2: duplicate of line 1" in out


def test_validate_file_with_errors_exits_1(bad, capsys):
    assert main(["validate", bad]) == 1
    out = capsys.readouterr().out
    assert "ERROR line 3, column 'rejected'" in out
    assert "ERROR line 6, column 'prompt'" in out
    assert "2 error(s), 0 warning(s): fix the errors before training" in out


def test_validate_unknown_shape_exits_1(tmp_path, capsys):
    path = write_jsonl(tmp_path / "odd.jsonl", [{"foo": "q", "bar": "a"}] * 10)
    assert main(["validate", path]) == 1
    assert "shape: unknown" in capsys.readouterr().out


def test_validate_prints_conversion_note(tmp_path, capsys):
    path = write_jsonl(tmp_path / "alpaca.jsonl",
                       [{"instruction": f"do {i}", "input": "", "output": f"done {i}"} for i in range(10)])
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert "note: Converted from Alpaca" in out
    assert "shape: prompt_completion (conversational)" in out


@pytest.mark.parametrize("name, content, message", [
    ("missing.jsonl", None, "missing.jsonl: no such file"),
    ("empty.jsonl", b"", "empty.jsonl: the file is empty"),
    ("blob.jsonl", b"\x00\x01\x02binary", "blob.jsonl: this looks like a binary file"),
    ("notes.txt", b"hello", "notes.txt: unsupported file type"),
    ("broken.json", b"[{", "broken.json: not valid JSON"),
])
def test_validate_unreadable_file_exits_2(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"error: {message}")
    assert out == ""


@pytest.mark.parametrize("argv", [[], ["validate"], ["frobnicate", "x"], ["validate", "a", "--bogus"]])
def test_bad_arguments_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


CONTRACT_KEYS = ["path", "source_format", "dataset_type", "conversational", "rows", "columns", "column_mapping",
                 "conversions", "errors", "warnings", "recommended_methods"]
# Keys added later (issue 15: skipped rows); the contract only ever adds keys, after the first ones.
ADDED_KEYS = ["usable", "blocked_reason", "training_rows", "skipped_rows", "skipped", "skipped_listed_all",
              "skip_bad_rows", "max_bad_share", "scores"]


def test_validate_json(bad, capsys):
    assert main(["validate", bad, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data) == CONTRACT_KEYS + ADDED_KEYS
    assert data["path"] == bad
    assert data["source_format"] == "jsonl"
    assert data["dataset_type"] == "preference"
    assert data["conversational"] is False
    assert data["rows"] == 10
    assert data["columns"] == ["prompt", "chosen", "rejected"]
    assert data["column_mapping"] == {} and data["conversions"] == []
    assert [(e["row"], e["line"], e["column"]) for e in data["errors"]] == [(3, 3, "rejected"), (6, 6, "prompt")]
    assert all(set(e) == {"row", "line", "column", "message"} for e in data["errors"])
    assert "identical" in data["errors"][0]["message"]
    assert data["warnings"] == []
    assert data["recommended_methods"] == ["dpo", "reward", "ppo", "orpo", "cpo", "grpo", "rloo"]


def test_validate_json_good_file(good, capsys):
    assert main(["validate", "--json", good]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == [] and data["warnings"] == []
    assert data["recommended_methods"][0] == "dpo"


def test_validate_json_csv_rows_have_no_line(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("prompt,completion\n" + "".join(f"p{i},{'' if i == 3 else f'c{i}'}\n" for i in range(1, 11)),
                    encoding="utf-8")
    assert main(["validate", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["source_format"] == "csv" and data["dataset_type"] == "prompt_completion"
    assert data["errors"] == [{"row": 3, "column": "completion", "message": data["errors"][0]["message"]}]
    assert data["recommended_methods"] == ["sft", "grpo", "rloo"]


def test_validate_json_unknown_shape(tmp_path, capsys):
    path = write_jsonl(tmp_path / "odd.jsonl", [{"foo": f"q{i}", "bar": "a"} for i in range(10)])
    assert main(["validate", path, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["dataset_type"] is None and data["recommended_methods"] == []
    assert data["errors"][0]["row"] is None and "no known dataset shape" in data["errors"][0]["message"]


def test_validate_json_reports_guessed_mapping_and_conversions(tmp_path, capsys):
    path = write_jsonl(tmp_path / "qa.jsonl", [{"question": f"q{i}", "answer": f"a{i}"} for i in range(10)])
    assert main(["validate", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dataset_type"] == "prompt_completion"
    assert data["column_mapping"] == {"prompt": "question", "completion": "answer"}
    assert data["columns"] == ["prompt", "completion"]
    assert len(data["conversions"]) == 1 and "guessed" in data["conversions"][0]


def test_validate_explicit_map(tmp_path, capsys):
    rows = [{"q": f"q{i}", "good": f"g{i}", "meh": f"b{i}"} for i in range(10)]
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    assert main(["validate", path, "--json", "--map", "prompt=q", "--map", "rejected=meh"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dataset_type"] == "preference"
    assert data["column_mapping"] == {"chosen": "good", "prompt": "q", "rejected": "meh"}


@pytest.mark.parametrize("argv, message", [
    (["--map", "prompt"], "--map expects TARGET=COLUMN"),
    (["--map", "prompt=nope"], "column 'nope'"),
    (["--map", "answer=prompt"], "unknown mapping target 'answer'"),
    (["--method", "rlhf"], "unknown method 'rlhf'"),
    (["--max-length", "0"], "--max-length must be at least 1"),
    (["--max-length", "ten"], "usage:"),
])
def test_validate_bad_options_exit_2(good, capsys, argv, message):
    assert main(["validate", good, *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("method, code", [("dpo", 0), ("orpo", 0), ("kto", 1), ("sft", 1)])
def test_validate_method_must_fit_the_shape(good, capsys, method, code):
    assert main(["validate", good, "--method", method, "--json"]) == code
    data = json.loads(capsys.readouterr().out)
    if code:
        assert len(data["errors"]) == 1 and data["errors"][0]["row"] is None
        assert "trains on" in data["errors"][0]["message"] and "recommended: dpo" in data["errors"][0]["message"]
    else:
        assert data["errors"] == []


def test_validate_token_lengths_with_a_model(tmp_path, tiny_model, capsys):
    rows = [{"prompt": f"p{i}", "chosen": "good " * (5 if i else 300), "rejected": f"bad {i}"} for i in range(10)]
    path = write_jsonl(tmp_path / "long.jsonl", rows)
    assert main(["validate", path, "--model", tiny_model, "--max-length", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    stats = data["token_stats"]
    assert stats["rows_measured"] == 10 and stats["truncated"] == 1 and stats["truncated_rows"] == [1]
    assert stats["method"] == "dpo" and stats["max_length"] == 100
    assert [w["message"].startswith("token lengths: 1 of 10 rows") for w in data["warnings"]] == [True]
    assert main(["validate", path, "--model", tiny_model, "--max-length", "100"]) == 0
    out = capsys.readouterr().out
    assert "tokens (" in out and "1 over max_length 100" in out


def test_validate_missing_model_exits_2(good, tmp_path, capsys):
    assert main(["validate", good, "--model", str(tmp_path / "no-such-model")]) == 2
    assert "error:" in capsys.readouterr().err


def test_recommend_json(good, capsys):
    assert main(["recommend", good, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "dpo"
    assert data["name"] == "DPO"
    assert [s["source"] for s in data["path"]] == ["data", "data", "default", "default", "default"]
    assert data["alternatives"] == ["reward", "ppo", "orpo", "cpo", "grpo", "rloo"]


def test_recommend_with_answers(tmp_path, capsys):
    path = write_jsonl(tmp_path / "prompts.jsonl", [{"prompt": f"solve {i}"} for i in range(10)])
    assert main(["recommend", path, "--answer", "rewards=a reward model", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "ppo"
    assert data["path"][-2] == {"question": "Rule-based rewards, or a reward model?",
                                "answer": "a reward model", "source": "you", "question_id": "rewards"}
    assert data["path"][-1] == {"question": "Train a value model beside the policy?", "answer": "yes (PPO)",
                                "source": "default", "question_id": "value_model"}  # the seed's PPO by default


def test_recommend_text(good, capsys):
    assert main(["recommend", good, "--answer", "single_stage=yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("recommended: ORPO\n")
    assert "  - Want single-stage training (no separate SFT)? → yes (your answer)." in out
    assert "also fits: reward, ppo, dpo, cpo, grpo, rloo" in out


@pytest.mark.parametrize("answer, message", [
    ("single_stage", "--answer expects KEY=VALUE"),
    ("budget=low", "unknown question 'budget'"),
    ("single_stage=perhaps", "'perhaps' is not an answer"),
])
def test_recommend_bad_answer_exits_2(good, capsys, answer, message):
    assert main(["recommend", good, "--answer", answer]) == 2
    assert message in capsys.readouterr().err


def test_recommend_unreadable_file_exits_2(tmp_path, capsys):
    assert main(["recommend", str(tmp_path / "nope.csv")]) == 2
    assert "error: nope.csv: no such file" in capsys.readouterr().err


def test_validate_corrupt_gzip_exits_2(tmp_path, capsys):
    path = tmp_path / "data.jsonl.gz"
    path.write_text('{"text": "not compressed"}\n', encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "data.jsonl.gz" in capsys.readouterr().err
