"""A big JSONL file checked in several processes (studio/data/parts.py) gives the very report one process gives.

The files here are small, so the tests force the split (STUDIO_VALIDATION_PARTS) and read fewer first rows
(HEAD_ROWS, handed to the children): problems are planted in every part and across the cuts (duplicates whose
first copy is in an earlier part, unreadable and blank lines that shift row numbers, empty answers, identical
pairs, placeholders, media markers, score columns, a column that first appears after the first rows), and the
report, the kept rows and the skipped rows must equal the one-process ones field for field."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from studio.data import parts, validation
from studio.data.validation import inspect_file

ROWS = 3000


def pair(i: int) -> dict:
    return {"prompt": f"Question {i}: how do I sort a list?", "chosen": f"Use sorted(items) ({i}).",
            "rejected": f"You can't ({i}).", "score_chosen": 8 + i % 2, "score_rejected": 3 + i % 5}


def planted_lines(extra_kind_in_third=int) -> list[str]:
    """ROWS rows with problems at fixed places, as JSONL lines (some blank or broken)."""
    rows = [pair(i) for i in range(ROWS)]
    copies = {1500: 50, 2500: 50,  # a row of the first rows, copied into two later parts
              1600: 900, 1650: 900, 2600: 900,  # a row of the first part, copied twice into the second, once more
              1800: 1700, 2700: 1700}  # a row of the second part, copied in it and in the third
    for at, source in copies.items():
        rows[at] = dict(rows[source])
    for at in (40, 1200, 2100, 2900):
        rows[at]["rejected"] = ""  # an error: the row is skipped
    for at in (1300, 2200):
        rows[at]["rejected"] = rows[at]["chosen"]  # identical pair
    for at in (1400, 2300):
        rows[at]["chosen"] = "Dear {{name}}, use sorted()."  # a placeholder left in
    rows[2400]["prompt"] = "<image> What does this show?"  # a media marker: left out
    rows[1250]["score_chosen"] = 1  # inverted scores
    for at in range(700, 710):
        rows[at]["source"] = "forum"  # a column first seen after the first rows, in the first part ...
    for at in range(2550, 2560):
        rows[at]["source"] = extra_kind_in_third(7) if extra_kind_in_third is not str else "mail"  # ... and later
    lines = [json.dumps(r) for r in rows]
    lines[1000] = "{not json"
    lines[1900] = ""
    lines[2800] = "[1, 2]"
    lines.insert(2000, "")
    return lines


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def both(path: Path, monkeypatch, parts_count: int = 3, **options):
    """(one-process inspection, inspection in parts) of `path`."""
    monkeypatch.setattr(validation, "HEAD_ROWS", 200)
    monkeypatch.setenv(parts.PARTS_ENV, "1")
    one = inspect_file(path, keep_rows=options.pop("keep_rows", 0), **options)
    monkeypatch.setenv(parts.PARTS_ENV, str(parts_count))
    many = inspect_file(path, keep_rows=len(one.rows) if one.rows else 0, **options)
    return one, many


def test_a_file_checked_in_three_processes_gives_the_one_process_report_field_for_field(tmp_path, monkeypatch):
    path = write(tmp_path / "pairs.jsonl", planted_lines(str))
    one, many = both(path, monkeypatch, keep_rows=5000, holdout_rows=30, min_score_gap=2)
    first, second = one.report.to_dict(), many.report.to_dict()
    assert {k for k in first if first[k] != second[k]} == set()
    assert many.rows == one.rows and len(one.rows) == one.report.training_rows
    # The planted problems were found where they are, with rows and lines as a person counts them.
    duplicates = [f for f in one.report.findings if f.message.startswith("duplicate of")]
    assert sorted((f.line, f.message.split(";")[0]) for f in duplicates) == [
        (1501, "duplicate of line 51"), (1601, "duplicate of line 901"), (1651, "duplicate of line 901"),
        (1801, "duplicate of line 1701"), (2502, "duplicate of line 51"), (2602, "duplicate of line 901"),
        (2702, "duplicate of line 1701")]
    assert one.report.unreadable_rows == 2 and one.report.rows == ROWS - 3  # and one row made a blank line
    skipped = {entry["line"]: entry["row"] for entry in one.report.skipped}
    assert skipped[2902] == 2898  # two unreadable lines and two blank ones before it
    assert one.report.scores["inverted"] == 1 and one.report.scores["below_min_gap"] > 0


def test_the_first_copy_of_a_duplicate_in_a_later_part_names_the_earliest_row(tmp_path, monkeypatch):
    """Line 1701 (second part) and its copies at 1801 (same part) and 2702 (third part): both name line 1701;
    line 901 (first part) and its copies at 1601 and 1651 (second part): both name 901, though the second part
    never saw it and, alone, called 1651 a copy of 1601."""
    path = write(tmp_path / "pairs.jsonl", planted_lines(str))
    _, many = both(path, monkeypatch)
    named = {f.line: f.message for f in many.report.findings if f.message.startswith("duplicate of")}
    assert named[1801].startswith("duplicate of line 1701") and named[2702].startswith("duplicate of line 1701")
    assert named[1601].startswith("duplicate of line 901") and named[1651].startswith("duplicate of line 901")


def test_a_column_holding_other_types_in_other_parts_is_checked_again_in_one_process(tmp_path, monkeypatch):
    """'source' is text in the first part and a number in the third: each part alone sees one type. The
    merge refuses (one pass names every number as an error against the first text) and the file is
    checked again in one process: the same report."""
    path = write(tmp_path / "pairs.jsonl", planted_lines(int))
    one, many = both(path, monkeypatch)
    assert one.report.to_dict() == many.report.to_dict()
    mixed = [f for f in one.report.findings if f.column == "source"]
    assert len(mixed) == 10 and "holds a number here but a str in line 701" in mixed[0].message


def test_the_merge_itself_refuses_types_that_differ_between_parts(tmp_path, monkeypatch):
    """In this process (no child): the second part's tally, merged into the first's, says False."""
    monkeypatch.setattr(validation, "HEAD_ROWS", 200)
    path = write(tmp_path / "pairs.jsonl", planted_lines(int))
    cut = parts.split_offsets(path, 0, path.stat().st_size, 2)[1]
    stream = validation.RowStream((), "jsonl", "line")
    stream._items = parts._iter_jsonl(path, False, 2**40, None, stream, end=cut, at_least=200)
    items = iter(stream)
    plan = validation._plan(items, path.name, None)
    tally = validation._Tally(plan, "line", keep_rows=0)
    tally.feed(validation._drain(plan.head, plan.head_final))
    tally.feed(items)
    later, _ = parts._check_part(path, path.name, None, {"keep_rows": 0}, 200, 2**40, cut, path.stat().st_size)
    assert parts.merge(tally, stream, later) is False


def test_an_encoding_error_in_a_later_part_is_the_files_error(tmp_path, monkeypatch):
    lines = [json.dumps(pair(i)) for i in range(ROWS)]
    path = tmp_path / "pairs.jsonl"
    raw = ("\n".join(lines) + "\n").encode()
    at = raw.index(lines[2500].encode()) + 12
    path.write_bytes(raw[:at] + b"\xff" + raw[at + 1:])
    monkeypatch.setattr(validation, "HEAD_ROWS", 200)
    messages = []
    for count in ("1", "3"):
        monkeypatch.setenv(parts.PARTS_ENV, count)
        with pytest.raises(ValueError) as caught:
            inspect_file(path, keep_rows=0)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and f"byte {at}" in messages[0]


def test_conversational_rows_with_content_parts_give_the_same_report_in_parts(tmp_path, monkeypatch):
    """The converters run in every child: content parts joined, counted over the whole file."""
    rng = random.Random(0)
    rows = []
    for i in range(ROWS):
        content = [{"type": "text", "text": f"Hello {i}"}] if i % 3 else f"Hello {i}"
        rows.append({"messages": [{"role": "user", "content": content},
                                  {"role": "assistant", "content": f"Hi {rng.randint(0, 50)}"}]})
    rows[2222]["messages"].append({"role": "assistant", "content": "again"})  # two assistant turns: skipped
    path = write(tmp_path / "chats.jsonl", [json.dumps(r) for r in rows])
    one, many = both(path, monkeypatch, keep_rows=100)
    assert one.report.to_dict() == many.report.to_dict() and one.rows == many.rows
    assert any("Joined the text parts" in c for c in many.report.conversions)


def test_split_offsets_cut_at_line_starts_and_count_lines_counts_them(tmp_path):
    path = write(tmp_path / "lines.jsonl", [json.dumps({"text": "x" * (i % 37)}) for i in range(500)])
    raw = path.read_bytes()
    offsets = parts.split_offsets(path, 10, len(raw), 4)
    assert offsets[0] == 10 and offsets[-1] == len(raw) and len(offsets) == 5
    assert all(raw[o - 1:o] == b"\n" for o in offsets[1:-1])
    led = parts.split_offsets(path, 0, len(raw), 2, lead=len(raw) // 4)  # the first part a quarter longer
    assert raw[led[1] - 1:led[1]] == b"\n" and abs(led[1] - len(raw) * 5 // 8) < 60
    assert parts.count_lines(path, 0, offsets[2]) == raw[:offsets[2]].count(b"\n")


def test_small_files_and_rows_kept_for_training_stay_in_one_process(tmp_path, monkeypatch):
    monkeypatch.delenv(parts.PARTS_ENV, raising=False)
    path = write(tmp_path / "pairs.jsonl", [json.dumps(pair(i)) for i in range(50)])
    assert parts.eligible(path, keep_rows=0) == 1  # under PARALLEL_MIN_BYTES
    monkeypatch.setattr(parts, "PARALLEL_MIN_BYTES", 0)
    assert parts.eligible(path, keep_rows=0) >= 1
    assert parts.eligible(path, keep_rows=None) == 1  # every row kept: one process
    assert parts.eligible(path, keep_rows=0, sink=print) == 1  # rows handed on in order: one process
    assert parts.eligible(path, keep_rows=0, collect_skipped=True) == 1
    gz = tmp_path / "pairs.jsonl.gz"
    gz.write_bytes(b"")
    assert parts.eligible(gz, keep_rows=0) == 1


def test_score_gaps_past_the_quantile_cap_are_checked_again_in_one_process(tmp_path, monkeypatch):
    """Past 10,000 distinct score gaps one pass keeps the first ones it meets, which parts can't reproduce:
    the merge refuses and the quantiles are the one-process ones."""
    rows = [{"prompt": f"q{i}", "chosen": f"a{i}", "rejected": f"b{i}", "score_chosen": i * 0.7, "score_rejected": 0}
            for i in range(12_000)]
    path = write(tmp_path / "scores.jsonl", [json.dumps(r) for r in rows])
    one, many = both(path, monkeypatch)
    assert one.report.scores["gap_p50"] == many.report.scores["gap_p50"]
    assert one.report.to_dict() == many.report.to_dict()


CHILD_FAULTS = '''
import os, sys
mode = os.environ.get("STUDIO_TEST_CHILD_FAULT")
if mode and any("spawn_main" in a for a in getattr(sys, "orig_argv", [])):
    from studio.data import parts

    class Faulty:
        def __init__(self, connection):
            self.connection, self.sent = connection, 0
        def send(self, value):
            self.sent += 1
            if mode == "fail-sending-rows" and self.sent == 2:
                raise MemoryError()
            self.connection.send(value)
        def recv(self):
            value = self.connection.recv()
            if mode == "die-after-tally":
                os._exit(4)
            return value
        def close(self):
            self.connection.close()

    original = parts._child
    def child(connection, *args):
        if mode == "raise":
            raise RuntimeError("a bug in a child")
        return original(Faulty(connection), *args)
    parts._child = child
'''


@pytest.mark.parametrize("fault", ["raise", "die-after-tally", "fail-sending-rows"])
def test_a_child_that_fails_at_any_moment_leaves_the_one_process_report_and_no_process(tmp_path, monkeypatch,
                                                                                        fault):
    import multiprocessing
    import os

    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(CHILD_FAULTS)
    root = str(Path(__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(inject), root]))  # read by the children only
    monkeypatch.setenv("STUDIO_TEST_CHILD_FAULT", fault)
    path = write(tmp_path / "pairs.jsonl", planted_lines(str))
    one, many = both(path, monkeypatch, keep_rows=5000)  # the children are asked for rows
    assert one.report.to_dict() == many.report.to_dict() and one.rows == many.rows
    assert all(type(row) is dict for row in many.rows)
    assert multiprocessing.active_children() == []


def test_a_child_that_cannot_start_leaves_the_one_process_report_and_no_process(tmp_path, monkeypatch):
    import multiprocessing

    started = []
    real = parts.start_without_main

    def start(process):
        if started:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        started.append(process)
        real(process)

    monkeypatch.setattr(parts, "start_without_main", start)
    path = write(tmp_path / "pairs.jsonl", planted_lines(str))
    one, many = both(path, monkeypatch)
    assert one.report.to_dict() == many.report.to_dict()
    assert len(started) == 1 and not started[0].is_alive() and multiprocessing.active_children() == []
