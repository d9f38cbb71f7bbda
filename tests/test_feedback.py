"""Human feedback on disk (studio/feedback): every choice is one line written as it is made, the log folds to what
each annotator chose (undo only takes back one's own), a crash's torn line costs nothing, the answers' order is
random but recorded, exports are data the studio's own checks accept, and agreement can come out low."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.evaluation.generate import Answer, DecodeSettings
from studio.feedback import rounds, store
from studio.feedback.rounds import AnswerSource
from studio.feedback.store import FeedbackSession, annotator_id

ME, YOU, THEM = annotator_id("browser-1"), annotator_id("browser-2"), annotator_id("browser-3")


class FakeModel:
    """Stands in for ComparePair: answers "<who> says <n>" per prompt, in batches, counting its calls."""

    def __init__(self, who: str, fail_after: int | None = None):
        self.who, self.calls, self.fail_after = who, 0, fail_after
        self.base_path, self.tokenizer = f"/models/{who}", None

    def answers(self, prompts, settings, aligned, batch_size=8, deadline=None):
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("out of memory")
        return [Answer(f"{self.who} (seed {settings.seed}) answers: {p}", 5, True) for p in prompts]


def fake_answerer(models: dict):
    return lambda source: (models[source.model], True)


def make_session(runs_dir: Path, prompts=None, sources=None, title="test queue") -> FeedbackSession:
    prompts = prompts or [f"Question {i}?" for i in range(6)]
    sources = sources or [AnswerSource("model", model="left"), AnswerSource("model", model="right")]
    session = FeedbackSession.create(runs_dir, title, owner="", prompts=prompts,
                                     answers={"pairing": "two_runs", "sources": [s.to_dict() for s in sources]},
                                     decoding={}, prompts_from="a test")
    models = {s.model: FakeModel(s.model) for s in sources}
    rounds.generate_round(session, sources, DecodeSettings(16, 0.7, 1.0, 3), fake_answerer(models), runs_dir,
                          batch_size=4)
    return session


@pytest.fixture
def session(tmp_path) -> FeedbackSession:
    return make_session(tmp_path)


def item_ids(session):
    return [item["id"] for item in session.items()]


# Writing and folding the log ------------------------------------------------------------------------------------

def test_each_choice_is_one_complete_line_on_disk_when_record_returns(session):
    """Property: a label is written (with everything needed to use it alone) before record() returns."""
    first = session.items()[0]
    session.record(first["id"], ME, "a")
    lines = session.labels_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    label = json.loads(lines[0])
    assert label["choice"] == "a" and label["item"] == first["id"]
    assert label["prompt"] == first["prompt"] and label["a"] == first["a"]["text"] and label["b"] == first["b"]["text"]
    assert label["model_a"] == first["a"]["model"] and label["model_b"] == first["b"]["model"]
    assert label["decoding_a"]["max_new_tokens"] == 16 and label["at"] > 0
    assert label["annotator"] == ME and "browser-1" not in lines[0]  # a hash, never the browser id itself


def test_the_latest_label_of_an_annotator_in_a_slot_is_the_one_in_force(session):
    """Property: changing one's mind (or a second tab) appends; the fold keeps the latest per (annotator, item,
    slot), and a thumb on an answer is a slot of its own beside the pair judgement."""
    item = item_ids(session)[0]
    session.record(item, ME, "a")
    session.record(item, ME, "b")
    session.record(item, ME, "up", side="a")
    session.record(item, YOU, "tie")
    slots = session.folded().slots()
    assert slots[(ME, item, "pair")]["choice"] == "b"
    assert slots[(ME, item, "thumb:a")]["choice"] == "up"
    assert slots[(YOU, item, "pair")]["choice"] == "tie"
    assert len(session.labels_file.read_text().splitlines()) == 4  # nothing was rewritten


def test_undo_takes_back_only_ones_own_last_label(session):
    """Property: undo appends a record for the annotator's own last label; another's labels stay, and a forged
    undo naming someone else's label changes nothing."""
    first, second = item_ids(session)[:2]
    mine = session.record(first, ME, "a")
    theirs = session.record(first, YOU, "b")
    undone = session.undo(ME)
    assert undone["id"] == mine["id"]
    in_force = {label["id"] for label in session.folded().labels}
    assert in_force == {theirs["id"]}
    store.append_lines(session.labels_file, [{"kind": "undo", "id": "x", "target": theirs["id"], "annotator": ME}])
    assert {label["id"] for label in session.folded().labels} == {theirs["id"]}
    assert session.undo(ME) is None  # nothing of mine is left: nothing happens
    assert {label["id"] for label in session.folded().labels} == {theirs["id"]}
    session.record(second, ME, "tie")
    session.record(second, ME, "down", side="b")
    assert session.undo(ME)["choice"] == "down" and session.undo(ME)["choice"] == "tie"  # a stack, newest first
    records = [json.loads(line) for line in session.labels_file.read_text().splitlines()]
    assert sum(r["kind"] == "undo" for r in records) == 4 and sum(r["kind"] == "label" for r in records) == 4


def test_a_torn_last_line_is_skipped_and_the_next_label_starts_a_fresh_line(session):
    """Property: a crash in the middle of a write loses that label only; reading skips it, and the next append
    doesn't glue itself onto the broken line."""
    first, second = item_ids(session)[:2]
    session.record(first, ME, "a")
    with open(session.labels_file, "ab") as handle:
        handle.write(b'{"kind": "label", "id": "torn", "item": "')  # the process died here
    folded = session.folded()
    assert [label["item"] for label in folded.labels] == [first] and folded.unreadable == 1
    session.record(second, ME, "b")
    folded = session.folded()
    assert [label["item"] for label in folded.labels] == [first, second]
    assert folded.unreadable == 1  # the torn line is alone on its line, the new label intact
    assert session.labels_file.read_bytes().endswith(b"}\n")


def test_garbage_lines_are_counted_not_fatal(session):
    """Property: a line that is not a label (garbage, a list, an unknown choice) is skipped, never a crash."""
    first = item_ids(session)[0]
    session.record(first, ME, "a")
    with open(session.labels_file, "a") as handle:
        handle.write("not json\n[1, 2]\n")
        handle.write(json.dumps({"kind": "label", "id": "z", "item": first, "annotator": ME, "choice": "great"}) + "\n")
    folded = session.folded()
    assert len(folded.labels) == 1 and folded.unreadable == 2


@pytest.mark.parametrize("choice, side, edited, needle", [
    ("great", None, None, "Unknown choice"),
    ("edit", "a", "", "edit box is empty"),
    ("edit", "c", "better", "A or B"),
    ("edit", "a", None, "edit box is empty"),
])
def test_bad_choices_are_refused_with_a_message(session, choice, side, edited, needle):
    """Property: what the page can't mean is a ValueError saying what to do, and nothing is written."""
    with pytest.raises(ValueError, match=needle):
        session.record(item_ids(session)[0], ME, choice, side=side, edited=edited)
    assert session.labels_file.read_text() == ""


def test_an_edit_equal_to_the_answer_an_unknown_item_and_no_browser_id_are_refused(session):
    """Property: an edit must change the answer; labels name items of this queue, by a known annotator."""
    item = session.items()[0]
    with pytest.raises(ValueError, match="same as answer A"):
        session.record(item["id"], ME, "edit", side="a", edited=item["a"]["text"] + "  ")
    with pytest.raises(ValueError, match="not in this queue"):
        session.record("9-9999", ME, "a")
    with pytest.raises(ValueError, match="still loading"):
        session.record(item["id"], "", "a")
    with pytest.raises(ValueError, match="under"):
        session.record(item["id"], ME, "edit", side="a", edited="x" * (store.MAX_EDIT_CHARS + 1))
    assert session.labels_file.read_text() == ""


def test_a_shared_cap_on_labels_refuses_more(session):
    """Property: a queue's log can't grow past the cap a shared studio sets."""
    ids = item_ids(session)
    session.record(ids[0], ME, "a", max_lines=2)
    session.record(ids[1], ME, "a", max_lines=2)
    with pytest.raises(ValueError, match="as many labels as this shared studio keeps"):
        session.record(ids[2], ME, "a", max_lines=2)


def test_a_shared_cap_on_bytes_and_on_one_annotator_refuses_more(session):
    """Property: long edits can't grow a queue's log past its bytes, and no one annotator fills a queue others
    label (the others can still label it)."""
    ids = item_ids(session)
    long_edit = "a much better answer " * 350  # about 7,000 characters, under the edit cap
    session.record(ids[0], ME, "edit", side="a", edited=long_edit, max_bytes=10_000)
    size = session.label_bytes()
    assert size > 7_000
    with pytest.raises(ValueError, match="as many labels as this shared studio keeps"):
        session.record(ids[1], ME, "edit", side="a", edited=long_edit, max_bytes=10_000)
    assert session.label_bytes() == size  # nothing written
    for i in range(3):
        session.record(ids[i], YOU, "b", max_per_annotator=3)
    with pytest.raises(ValueError, match="takes from one person"):
        session.record(ids[3], YOU, "b", max_per_annotator=3)
    session.record(ids[3], THEM, "a", max_per_annotator=3)  # another annotator goes on


def test_the_fold_reads_only_what_was_appended_and_equals_a_fresh_read(session, monkeypatch):
    """Property: after each append the cached fold reads the new bytes only, and is what reading the whole log
    gives, torn lines and undos included."""
    ids = item_ids(session)
    session.record(ids[0], ME, "a")
    session.folded()
    with open(session.labels_file, "ab") as handle:
        handle.write(b'{"kind": "label", "id": "torn')  # a writer died mid-line
    assert session.folded().unreadable == 1
    session.record(ids[1], YOU, "b")  # starts on a fresh line: the torn one stays alone
    session.undo(ME)
    read_sizes = []
    real_open = open

    def counting_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if str(path) == str(session.labels_file) and "b" in mode:
            real_read = handle.read
            handle.read = lambda *a: read_sizes.append(len(data := real_read(*a))) or data
        return handle

    session.folded()
    monkeypatch.setattr("builtins.open", counting_open)
    session.record(ids[2], THEM, "tie")
    cached = session.folded()
    monkeypatch.undo()
    assert read_sizes and read_sizes[-1] < 1000 < session.label_bytes()  # the last line, not the whole log
    store._FOLD_CACHE.clear()
    fresh = session.folded()
    assert [label["id"] for label in cached.labels] == [label["id"] for label in fresh.labels]
    assert (cached.undone, cached.unreadable, cached.lines_by) == (fresh.undone, fresh.unreadable, fresh.lines_by)
    assert fresh.unreadable == 1 and fresh.undone == 1 and fresh.lines_by[ME] == 2


def _run_on(runs_dir: Path, name: str, dataset: str) -> None:
    """A finished run folder whose dataset is `dataset` (what list_runs and session_runs read)."""
    (runs_dir / name / "adapter").mkdir(parents=True, exist_ok=True)
    (runs_dir / name / "status.json").write_text(json.dumps({"state": "finished", "method": "dpo",
                                                             "dataset": dataset, "started_at": 1}))


def test_a_queue_is_deleted_by_its_owner_while_the_labels_are_theirs(tmp_path):
    """Property: in a shared studio only the owner deletes a queue, never one others labelled; a queue a run
    trained on (or a waiting run will train on), or one being answered, stays; on one's own machine a queue is
    simply deleted."""
    queue = FeedbackSession.create(tmp_path, "mine", owner="owner-1", prompts=["Q?"],
                                   answers={"pairing": "two_runs", "sources": []}, decoding={}, prompts_from="a test")
    with pytest.raises(ValueError, match="Only whoever started"):
        rounds.delete_queue(queue, tmp_path, owner="owner-2", annotator=YOU)
    queue.append_items([{"id": "1-0001", "prompt": "Q?", "a": {"text": "x", "model": "m"},
                         "b": {"text": "y", "model": "n"}, "round": 1}])
    queue.record("1-0001", YOU, "a")
    with pytest.raises(ValueError, match="Others have labelled"):
        rounds.delete_queue(queue, tmp_path, owner="owner-1", annotator=ME)
    export = queue.exports / "pairs-1.jsonl"
    queue.exports.mkdir()
    export.write_text("{}\n")
    _run_on(tmp_path, "20991231-000000-dpo", str(export))
    with pytest.raises(ValueError, match="Run 20991231-000000-dpo trains on this queue"):
        rounds.delete_queue(queue, tmp_path, owner="owner-1", annotator=YOU)
    _run_on(tmp_path, "20991231-000000-dpo", "elsewhere.jsonl")
    with pytest.raises(ValueError, match="A waiting run trains on this queue"):
        rounds.delete_queue(queue, tmp_path, owner="owner-1", annotator=YOU, waiting=[str(export)])
    rounds._GENERATING[str(queue.path)] = rounds.RoundProgress(queue.name, 2, 4)
    try:
        with pytest.raises(ValueError, match="being generated"):
            rounds.delete_queue(queue, tmp_path, owner="owner-1", annotator=YOU)
    finally:
        del rounds._GENERATING[str(queue.path)]
    assert rounds.delete_queue(queue, tmp_path, owner="owner-1", annotator=YOU) == "mine"
    assert not queue.path.exists() and store.list_sessions(tmp_path) == []
    other = make_session(tmp_path)
    other.record(item_ids(other)[0], THEM, "a")
    rounds.delete_queue(other, tmp_path)  # not shared: anyone here may
    assert not other.path.exists()


def test_pair_choices_are_refused_on_a_single_answer_queue(tmp_path):
    """Property: a one-answer queue takes thumbs (and edits), not A/B judgements."""
    single = make_session(tmp_path, sources=[AnswerSource("model", model="solo")])
    item = single.items()[0]
    assert item["b"] is None and single.is_single
    with pytest.raises(ValueError, match="one answer per prompt"):
        single.record(item["id"], ME, "a")
    with pytest.raises(ValueError, match="A or B"):
        single.record(item["id"], ME, "up", side="b")
    single.record(item["id"], ME, "up")
    assert store.judged_items(single.items(), single.folded(), ME) == {item["id"]}


# The queue: order, next item, progress --------------------------------------------------------------------------

def test_the_answers_order_is_random_per_item_recorded_and_redrawable(tmp_path):
    """Property: which model is A is drawn per item (both orders occur), stored with the item, redrawable from the
    session's seed, and each side keeps the model that wrote it (so labels say which side was which)."""
    session = make_session(tmp_path, prompts=[f"Prompt {i}" for i in range(24)])
    items = session.items()
    swapped = [item["swapped"] for item in items]
    assert any(swapped) and not all(swapped)
    for item in items:
        assert item["swapped"] == session.order(item["id"])
        first, second = (item["b"], item["a"]) if item["swapped"] else (item["a"], item["b"])
        assert first["model"] == "left" and second["model"] == "right"
        assert first["generated_as"] == 1 and second["generated_as"] == 2
        assert first["text"].startswith("left") and second["text"].startswith("right")
    flipped = next(item for item in items if item["swapped"])
    label = session.record(flipped["id"], ME, "a")
    assert label["model_a"] == "right" and label["a"].startswith("right") and label["swapped"] is True


def test_next_item_passes_over_judged_and_skipped_items_and_progress_counts_mine(session):
    """Property: the queue shows each annotator what they haven't judged (skipped ones last); progress is theirs."""
    ids = item_ids(session)
    session.record(ids[0], ME, "a")
    session.record(ids[1], ME, "up", side="a")  # a thumb on a pair doesn't finish the item
    assert store.next_item(session.items(), session.folded(), ME)["id"] == ids[1]
    assert store.next_item(session.items(), session.folded(), ME, skipped=[ids[1]])["id"] == ids[2]
    assert store.next_item(session.items(), session.folded(), YOU)["id"] == ids[0]
    done = store.progress(session.items(), session.folded(), ME)
    assert (done.mine, done.total, done.anyone, done.labels, done.annotators) == (1, 6, 2, 2, 1)
    for item in ids[1:]:
        session.record(item, ME, "tie")
    assert store.next_item(session.items(), session.folded(), ME) is None
    assert store.progress(session.items(), session.folded(), ME).percent == 100
    # only skipped ones left: they come round again
    assert store.next_item(session.items(), session.folded(), YOU, skipped=ids)["id"] == ids[0]


# Exports ------------------------------------------------------------------------------------------------------

def test_pairs_export_is_preference_data_the_studio_accepts(session):
    """Property: A/B choices become prompt/chosen/rejected rows (ties and both-bad left out, said so), an edit
    makes chosen the edited text and rejected the answer it rewrote, and inspect_dataset reads it as preference
    pairs with no errors."""
    from studio.data import inspect_dataset

    items = session.items()
    session.record(items[0]["id"], ME, "a")
    session.record(items[1]["id"], ME, "b")
    session.record(items[2]["id"], ME, "tie")
    session.record(items[3]["id"], ME, "both_bad")
    session.record(items[4]["id"], ME, "edit", side="b", edited="A much better answer.")
    export = store.write_export(session, "pairs")
    rows = [json.loads(line) for line in export.path.read_text().splitlines()]
    assert rows == [
        {"prompt": items[0]["prompt"], "chosen": items[0]["a"]["text"], "rejected": items[0]["b"]["text"]},
        {"prompt": items[1]["prompt"], "chosen": items[1]["b"]["text"], "rejected": items[1]["a"]["text"]},
        {"prompt": items[4]["prompt"], "chosen": "A much better answer.", "rejected": items[4]["b"]["text"]},
    ]
    assert export.left_out == {"ties": 1, "both bad": 1} and "left out: 1 both bad, 1 ties" in export.note()
    report, _ = inspect_dataset(export.path)
    assert report.usable and report.shape == "preference" and report.rows == 3, report.findings
    again = store.write_export(session, "pairs")
    assert again.path != export.path and export.path.is_file()  # a run's dataset is never rewritten


def test_unpaired_export_is_feedback_data_the_studio_accepts(session):
    """Property: thumbs become prompt/completion/label rows ("both bad": both answers down), which
    inspect_dataset reads as unpaired feedback."""
    from studio.data import inspect_dataset

    items = session.items()
    session.record(items[0]["id"], ME, "up", side="a")
    session.record(items[0]["id"], ME, "down", side="b")
    session.record(items[1]["id"], ME, "both_bad")
    session.record(items[2]["id"], ME, "a")  # a pair choice alone rates no single answer
    export = store.write_export(session, "unpaired")
    rows = [json.loads(line) for line in export.path.read_text().splitlines()]
    assert [(r["completion"], r["label"]) for r in rows] == [
        (items[0]["a"]["text"], True), (items[0]["b"]["text"], False),
        (items[1]["a"]["text"], False), (items[1]["b"]["text"], False)]
    report, _ = inspect_dataset(export.path)
    assert report.usable and report.shape == "unpaired_preference", report.findings


def test_conversation_prompts_export_as_one_conversational_format(tmp_path):
    """Property: when a prompt is a conversation, every row of the file is conversational (the data checks refuse
    a mix of text and message lists)."""
    from studio.data import inspect_dataset

    chat = [{"role": "user", "content": "Hi, who are you?"}]
    session = make_session(tmp_path, prompts=[chat, "Plain question?"])
    for item in session.items():
        session.record(item["id"], ME, "a")
    export = store.write_export(session, "pairs")
    rows = [json.loads(line) for line in export.path.read_text().splitlines()]
    assert all(isinstance(r["prompt"], list) and r["chosen"][0]["role"] == "assistant" for r in rows)
    report, _ = inspect_dataset(export.path)
    assert report.usable and report.shape == "preference" and report.conversational, report.findings


def test_several_annotators_export_by_majority_and_an_even_split_is_left_out(session):
    """Property: an item judged by several people becomes one row, the majority's; a 1–1 split becomes none."""
    first, second = session.items()[:2]
    for who, choice in ((ME, "a"), (YOU, "a"), (THEM, "b")):
        session.record(first["id"], who, choice)
    session.record(second["id"], ME, "a")
    session.record(second["id"], YOU, "b")
    export = store.export_pairs(session.folded(), session.items())
    assert [r["chosen"] for r in export.rows] == [first["a"]["text"]]
    assert export.left_out == {"pairs the annotators split on": 1}


# Agreement and counts -------------------------------------------------------------------------------------------

def test_agreement_counts_only_what_two_annotators_judged_and_can_come_out_low(session):
    """Property: agreement is measured over pairs of annotators on the same item (a pair judged once says
    nothing), with its interval; annotators who always disagree read 0%."""
    ids = item_ids(session)
    session.record(ids[0], ME, "a")  # judged by one person only: not compared
    assert store.agreement(session.folded())["compared"] == 0
    for item in ids[1:4]:
        session.record(item, ME, "a")
        session.record(item, YOU, "b")
    low = store.agreement(session.folded())
    assert (low["compared"], low["agreed"], low["items"], low["rate"]) == (3, 0, 3, 0.0)
    assert low["ci_high"] < 0.75
    for item in ids[1:4]:
        session.record(item, YOU, "a")  # YOU changes their mind: now they agree
    high = store.agreement(session.folded())
    assert (high["compared"], high["agreed"], high["rate"]) == (3, 3, 1.0) and high["ci_low"] > 0.3


def test_per_annotator_counts_follow_the_labels_in_force(session):
    """Property: each annotator's counts are their labels in force (latest per slot; undone ones gone)."""
    ids = item_ids(session)
    session.record(ids[0], ME, "a")
    session.record(ids[0], ME, "b")  # the same slot: still one pair
    session.record(ids[1], ME, "up", side="a")
    session.record(ids[2], ME, "edit", side="a", edited="Better.")
    session.record(ids[0], YOU, "b")
    session.record(ids[1], YOU, "tie")
    session.undo(YOU)
    counts = {row["annotator"]: row for row in store.annotator_counts(session.folded())}
    assert (counts[ME]["pairs"], counts[ME]["thumbs"], counts[ME]["edits"], counts[ME]["total"]) == (1, 1, 1, 3)
    assert counts[YOU]["total"] == 1 and counts[YOU]["agreed"] == 1 and counts[YOU]["compared"] == 1


# Rounds, training and the next round ------------------------------------------------------------------------------

def test_a_round_that_fails_half_way_keeps_what_it_wrote_and_says_why(tmp_path):
    """Property: items are written batch by batch; a failure marks the round failed with the reason, and the
    items answered before it stay in the queue."""
    sources = [AnswerSource("model", model="left"), AnswerSource("model", model="right")]
    session = FeedbackSession.create(tmp_path, "t", "", [f"P{i}" for i in range(10)],
                                     {"pairing": "two_runs", "sources": [s.to_dict() for s in sources]}, {}, "test")
    models = {"left": FakeModel("left"), "right": FakeModel("right", fail_after=1)}
    progress = rounds.RoundProgress(session.name, 1, 0)
    with pytest.raises(ValueError, match="out of memory"):
        rounds.generate_round(session, sources, DecodeSettings(8, 0.0), fake_answerer(models), tmp_path,
                              progress=progress, batch_size=4)
    assert len(session.items()) == 4 and progress.state == "failed"
    meta = session.meta()
    assert meta["rounds"][0]["state"] == "failed" and "4 items were written" in meta["rounds"][0]["message"]


def test_two_samples_of_one_model_need_sampling_and_differ_by_seed():
    """Property: greedy "two samples" is refused (the same answer twice); sampled ones get seeds s and s+1."""
    same = [AnswerSource("model", model="m")] * 2
    with pytest.raises(ValueError, match="temperature above 0"):
        rounds.side_settings(same, DecodeSettings(16, 0.0))
    first, second = rounds.side_settings(same, DecodeSettings(16, 0.7, 1.0, 5))
    assert (first.seed, second.seed) == (5, 6)
    base_aligned = [AnswerSource("base", run="r"), AnswerSource("aligned", run="r")]
    assert [s.seed for s in rounds.side_settings(base_aligned, DecodeSettings(16, 0.0, 1.0, 5))] == [5, 5]


def test_plan_sources_names_the_models_each_pairing_needs(tmp_path):
    """Property: each pairing asks for the runs it needs, refuses runs without a model, and two runs must differ."""
    run = tmp_path / "20240101-000000-dpo"
    (run / "adapter").mkdir(parents=True)
    (run / "status.json").write_text(json.dumps({"state": "finished", "method": "dpo"}))
    (run / "config.yaml").write_text("method: dpo\nmodel_name_or_path: tiny\n")
    check = lambda name: tmp_path / name
    assert rounds.plan_sources("base_vs_aligned", run.name, "", "", "tiny", check) == [
        AnswerSource("base", run=run.name), AnswerSource("aligned", run=run.name)]
    assert rounds.plan_sources("two_samples", "", "", "", "tiny", check) == [AnswerSource("model", model="tiny")] * 2
    assert rounds.plan_sources("one_answer", "", "", f"run:{run.name}", "tiny", check) == [
        AnswerSource("aligned", run=run.name)]
    with pytest.raises(ValueError, match="two different runs"):
        rounds.plan_sources("two_runs", run.name, run.name, "", "tiny", check)
    with pytest.raises(ValueError, match="Pick the run"):
        rounds.plan_sources("base_vs_aligned", "", "", "", "tiny", check)
    (tmp_path / "untrained").mkdir()
    with pytest.raises(ValueError, match="no saved model"):
        rounds.plan_sources("base_vs_aligned", "untrained", "", "", "tiny", check)
    assert AnswerSource("base", run=run.name).label(tmp_path) == f"tiny (base of {run.name})"
    assert AnswerSource("aligned", run=run.name).train_from(tmp_path) == str(run)


def test_training_spec_trains_on_a_new_export_and_refuses_too_little(session, tmp_path):
    """Property: "train DPO" is the demo preset with the freshly exported pairs as its dataset and the chosen
    model; too few pairs, or thumbs all one way for KTO, are refused before anything is written."""
    ids = item_ids(session)
    session.record(ids[0], ME, "a")
    with pytest.raises(ValueError, match="at least 2"):
        rounds.training_spec(session, "dpo", "tiny")
    session.record(ids[1], ME, "b")
    spec, export = rounds.training_spec(session, "dpo", "my-model", max_steps=7)
    assert spec.method == "dpo" and spec.dataset == str(export.path) and spec.training["max_steps"] == 7
    assert spec.model_name == "my-model" and export.path.parent == session.exports and len(export.rows) == 2
    for item in ids[:3]:
        session.record(item, ME, "up", side="a")
    with pytest.raises(ValueError, match="all 3 rated answers are thumbs up"):
        rounds.training_spec(session, "kto", "tiny")
    session.record(ids[3], ME, "both_bad")  # two more, down: 3 up, 2 down
    spec, export = rounds.training_spec(session, "kto", "tiny")
    assert spec.method == "kto" and export.good == 3 and spec.training["undesirable_weight"] == 1.5
    assert len(list(session.exports.glob("*.jsonl"))) == 2


def test_a_shared_queue_keeps_a_bounded_number_of_training_files_never_one_a_run_uses(session, tmp_path):
    """Property: train, stop, train again…: a shared studio keeps the newest few exports of a queue, and never
    deletes the one a run trains on."""
    for item in item_ids(session)[:2]:
        session.record(item, ME, "a")
    _, first = rounds.training_spec(session, "dpo", "m", keep_exports=3)
    _run_on(tmp_path, "20991231-000000-dpo", str(first.path))
    made = [rounds.training_spec(session, "dpo", "m", keep_exports=3)[1].path for _ in range(6)]
    left = set(session.exports.glob("*.jsonl"))
    assert first.path in left and set(made[-2:]) <= left and len(left) <= 3 + 1


def test_runs_trained_on_a_queue_belong_to_it_and_the_next_round_answers_with_them(session, tmp_path):
    """Property: a run whose dataset is one of the queue's exports is found as the queue's (another run is not),
    and the next round pits its model against its base (the model the labels judged)."""
    for item in item_ids(session)[:2]:
        session.record(item, ME, "a")
    export = store.write_export(session, "pairs")
    for name, dataset in (("20240101-000001-dpo", str(export.path)), ("20240101-000002-sft", "other.jsonl")):
        (tmp_path / name / "adapter").mkdir(parents=True)
        (tmp_path / name / "status.json").write_text(json.dumps({"state": "finished", "method": "dpo",
                                                                 "dataset": dataset, "started_at": 1}))
    assert [r["name"] for r in rounds.session_runs(session, tmp_path)] == ["20240101-000001-dpo"]
    assert rounds.next_round_sources(session, "20240101-000001-dpo") == [
        AnswerSource("base", run="20240101-000001-dpo"), AnswerSource("aligned", run="20240101-000001-dpo")]
    choices = rounds.policy_choices(session, tmp_path)
    assert choices[0][1] == str(tmp_path / "20240101-000001-dpo")


def test_queues_stay_out_of_the_run_listings_and_only_their_names_open(session, tmp_path):
    """Property: a feedback queue is not a run (the Runs tab doesn't list it) and the page can open only queues
    of this studio by name (no paths, no links)."""
    from studio.training.runs import list_runs

    assert list_runs(tmp_path) == []
    assert [s["name"] for s in store.list_sessions(tmp_path)] == [session.name]
    assert store.open_session(tmp_path, session.name).path == session.path
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "session.json").write_text("{}")
    (tmp_path / ".feedback" / "link").symlink_to(elsewhere)
    for bad in ("", "../elsewhere", "link", "/etc", "nope"):
        with pytest.raises(ValueError):
            store.open_session(tmp_path, bad)


def test_round_state_says_interrupted_when_nothing_generates_it(session):
    """Property: a round left "generating" by an app that stopped reads as interrupted, not forever busy."""
    session.update_meta(lambda meta: meta["rounds"].append({"round": 2, "state": "generating"}))
    assert rounds.round_state(session) == "interrupted"


# The tab's handlers (gradio imported, never launched) ------------------------------------------------------------

@pytest.fixture
def tab(tmp_path, monkeypatch):
    """The Feedback tab built in a bare Blocks, its handlers by (elem_id, event); a fake model answers."""
    import gradio as gr

    from studio.services import Studio
    from studio.training.runner import Runner
    from studio.ui.feedback_tab import build_feedback_tab

    runs = tmp_path / "runs"
    runs.mkdir()
    ctx = Studio(runner=Runner(runs, adopt=False), default_model="tiny")
    monkeypatch.setattr(rounds, "default_answerer", lambda runs_dir, pool: fake_answerer({"tiny": FakeModel("tiny")}))
    with gr.Blocks() as demo:
        built = build_feedback_tab(ctx, gr.State(None), gr.State(None))
    handlers = {(demo.blocks[block].elem_id, event): fn.fn for fn in demo.fns.values() for block, event in fn.targets}
    return ctx, handlers, built, tmp_path


def generate_args(**changes):
    values = dict(name_text="", kind="file", file=None, held_run=None, count=32, how="two_samples", first=None,
                  second=None, model_value="tiny", tokens=16, temp=0.7, p=1.0, seed_value=0, dataset=None,
                  who="a" * 32, skip_ids=[])
    values.update(changes)
    return list(values.values())


def wait_for_round(ctx, name):
    import time

    session = store.open_session(ctx.runs_dir, name)
    deadline = time.time() + 30
    while rounds.round_state(session) == "generating" and time.time() < deadline:
        time.sleep(0.05)
    return session


@pytest.mark.parametrize("changes, needle", [
    ({"who": None}, "still loading"),
    ({}, "Upload a file of prompts"),
    ({"kind": "dataset"}, "Load a dataset on the Data tab"),
    ({"kind": "holdout"}, "Pick the run whose held-out rows"),
    ({"temp": 0}, "temperature above 0"),
    ({"how": "base_vs_aligned"}, "Pick the run"),
    ({"how": "two_runs", "first": "nope", "second": "nope2"}, "no saved model"),
    ({"how": "nonsense"}, "Pick how the answers are made"),
])
def test_bad_inputs_to_a_new_queue_are_warnings_not_tracebacks(tab, changes, needle):
    """Property: every bad input to "Generate the answers" answers with a message saying what to do, and makes
    no queue."""
    ctx, handlers, _, _ = tab
    with pytest.warns(UserWarning, match=needle):
        handlers[("fb-generate", "click")](*generate_args(**changes))
    assert store.list_sessions(ctx.runs_dir) == []


def test_the_tab_makes_a_queue_judges_it_undoes_and_refuses_training_on_too_little(tab):
    """Property: through the tab's own handlers a file of prompts becomes a queue, a choice is saved and
    revealed, Undo brings the same pair back, and training on one pair is refused with a message; a title with
    markup is shown as text."""
    ctx, handlers, built, tmp_path = tab
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"prompt": f"Say <b>{i}</b>"}) + "\n" for i in range(3)))
    out = handlers[("fb-generate", "click")](*generate_args(name_text="<img src=x> **bold**", file=str(prompts)))
    name = out[0]["value"]
    session = wait_for_round(ctx, name)
    assert len(session.items()) == 3
    who = "a" * 32
    view = built.refresh(name, who, "", [])[8:]  # after the queue picker, accordion, pickers and remembered
    item, status, shown_prompt = view[0], view[2], view[3]
    assert item == session.items()[0]["id"] and shown_prompt == "Say <b>0</b>"  # a textbox: plain text
    assert "&lt;img src=x&gt;" in status and "\\*\\*bold\\*\\*" in status and "<img" not in status
    saved = handlers[("fb-a", "click")](name, item, who, [])
    assert saved[0].startswith("Saved: A is better") and saved[1] == session.items()[1]["id"]
    undone = handlers[("fb-undo", "click")](name, saved[1], who, [])
    assert undone[0].startswith("Took back") and undone[1] == item
    handlers[("fb-b", "click")](name, item, who, [])
    with pytest.warns(UserWarning, match="at least 2"):
        handlers[("fb-train-dpo", "click")](name, "tiny", 5, who, [], None)
    with pytest.warns(UserWarning, match="Train on the labels first"):
        handlers[("fb-next-round", "click")](name, who, [])
    with pytest.warns(UserWarning, match="not in this queue"):
        handlers[("fb-a", "click")](name, "7-0000", who, [])
    assert [label["choice"] for label in session.folded().labels] == ["b"]


def test_shared_mode_several_visitors_label_one_queue_and_only_its_owner_trains_it(tmp_path, monkeypatch):
    """Property: on a shared studio a second visitor labels the owner's queue (their labels under their own hash,
    counted, agreement shown), but can't train on it; answers come only from the operator's model or a run."""
    import gradio as gr

    from studio.services import Studio
    from studio.training.runner import Runner
    from studio.ui.feedback_tab import build_feedback_tab

    runs = tmp_path / "runs"
    runs.mkdir()
    ctx = Studio(runner=Runner(runs, adopt=False), default_model="tiny", shared=True)
    monkeypatch.setattr(rounds, "default_answerer", lambda runs_dir, pool: fake_answerer({"tiny": FakeModel("tiny")}))
    with gr.Blocks() as demo:
        built = build_feedback_tab(ctx, gr.State(None), gr.State(None))
    handlers = {(demo.blocks[block].elem_id, event): fn.fn for fn in demo.fns.values() for block, event in fn.targets}
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"prompt": f"Q{i}"}) + "\n" for i in range(4)))
    owner, other = "a" * 32, "b" * 32
    with pytest.warns(UserWarning, match="In shared mode the answers come from tiny or a run here"):
        handlers[("fb-generate", "click")](*generate_args(file=str(prompts), model_value="some/hub-model"))
    name = handlers[("fb-generate", "click")](*generate_args(file=str(prompts), who=owner))[0]["value"]
    session = wait_for_round(ctx, name)
    first = session.items()[0]["id"]
    handlers[("fb-a", "click")](name, first, owner, [])
    handlers[("fb-b", "click")](name, first, other, [])
    with pytest.warns(UserWarning, match="another visitor"):
        handlers[("fb-train-dpo", "click")](name, "tiny", 5, other, [], None)
    stats = built.refresh(name, other, "", [])[8:][9]
    assert "| you | 1 |" in stats and f"annotator {annotator_id(owner)[:6]}" in stats
    assert "0 of 1 comparisons" in stats  # they disagreed
    assert {label["annotator"] for label in session.folded().labels} == {annotator_id(owner), annotator_id(other)}
