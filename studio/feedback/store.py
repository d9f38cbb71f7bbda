"""Feedback sessions on disk: the queue of answers people judge, and the append-only log of what they chose.

A session is a folder under the runs folder, out of the run listings (a dot folder, no status.json):

    runs/.feedback/<name>/session.json   what the queue is: its title, owner, where the prompts came from, which
                                          models answer with which decoding, its rounds and their state
                          prompts.jsonl  the prompts every round answers
                          items.jsonl    one line per item: the prompt and its answers in the order shown (A, B),
                                          each with the model that wrote it and its decoding; the order is drawn
                                          from the session's order seed and the item's id, so it can be redrawn
                          labels.jsonl   append-only: each choice the moment it is made (one fsync'd line, with
                                          the prompt, both answers, the models, the decoding, the choice, the
                                          annotator's hash and the time), and undo records
                          exports/       the training files made from the labels, one per training and never
                                          rewritten (a run's dataset stays what it was)

Nothing in labels.jsonl is rewritten or removed: undo appends a record naming the annotator's own last label,
and reading folds the log (an undo of someone else's label is ignored). A line cut short by a crash is skipped
when read, and the next append starts on a fresh line. Each annotator's latest label in a slot (the pair
judgement of an item, or the thumb on one of its answers) is theirs; items judged by several annotators
export by majority, and where two annotators judged the same pair their agreement is measured.
No gradio here; the Feedback tab (ui/feedback_tab.py) shows what these return.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import file_lock

FEEDBACK_DIR = ".feedback"
PAIR_CHOICES = ("a", "b", "tie", "both_bad")  # a judgement of the pair
THUMBS = ("up", "down")  # a judgement of one answer
CHOICES = (*PAIR_CHOICES, *THUMBS, "edit")  # edit: the annotator's rewrite of one answer, preferred over it
CHOICE_WORDS = {"a": "A is better", "b": "B is better", "tie": "a tie", "both_bad": "both bad", "up": "thumbs up",
                "down": "thumbs down", "edit": "an edited answer"}
MAX_EDIT_CHARS = 8000
FULL_QUEUE = ("This queue holds as many labels as this shared studio keeps for one queue; train on them or start a "
              "new queue.")
MAX_TITLE_CHARS = 80
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def annotator_id(visitor: str | None) -> str:
    """What a label records as its annotator: a hash of the browser's random id (salted apart from a run's
    owner hash, so labels shared with others don't say which runs the same person started)."""
    if not visitor:
        return ""
    return hashlib.sha256(f"annotator:{visitor}".encode()).hexdigest()[:16]


def shown_annotator(annotator: str, me: str = "") -> str:
    return "you" if me and annotator == me else f"annotator {annotator[:6]}"


def prompt_display(prompt) -> str:
    """A prompt as a person reads it: the text, or a conversation's turns one per paragraph."""
    if isinstance(prompt, list):
        return "\n\n".join(f"{m.get('role', '?')}: {m.get('content', '')}" for m in prompt if isinstance(m, dict))
    return str(prompt)


# Appending and reading JSONL safely ----------------------------------------------------------------------------

def append_lines(path: Path, records: list[dict]) -> None:
    """Append records as JSON lines in one write, under an exclusive lock, then fsync. A previous writer that
    died mid-line left no newline: one is written first, so that broken line stays alone (and is skipped)."""
    if not records:
        return
    blob = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and _last_byte(path, size) != b"\n":
            blob = b"\n" + blob
        os.write(fd, blob)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def read_lines(path: Path) -> tuple[list[dict], int]:
    """The complete JSON lines of `path` and how many lines were unreadable (a torn last line, garbage)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return [], 0
    rows, bad, _, torn = _parse_lines(data)
    return rows, bad + torn


def _parse_lines(data: bytes) -> tuple[list[dict], int, int, bool]:
    """(rows, unreadable complete lines, bytes of complete lines consumed, whether a torn tail follows them)."""
    pieces = data.split(b"\n")
    complete, tail = pieces[:-1], pieces[-1]  # the tail has no newline: cut short, or still being written
    rows, bad = [], 0
    for piece in complete:
        if not piece.strip():
            continue
        try:
            row = json.loads(piece)
        except (json.JSONDecodeError, UnicodeDecodeError):
            bad += 1
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            bad += 1
    return rows, bad, len(data) - len(tail), bool(tail.strip())


def _write_json_atomic(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, ensure_ascii=False, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


# The folded log ----------------------------------------------------------------------------------------------

@dataclass
class Folded:
    """labels.jsonl read and folded: the labels still in force (file order), and what was skipped."""

    labels: list[dict] = field(default_factory=list)
    undone: int = 0
    unreadable: int = 0
    lines_by: Counter = field(default_factory=Counter)  # annotator → lines they wrote (labels and undos)

    @property
    def lines(self) -> int:
        """Lines in the log: labels, undos and unreadable ones."""
        return sum(self.lines_by.values()) + self.unreadable

    def slots(self) -> dict[tuple[str, str, str], dict]:
        """(annotator, item, slot) → that annotator's latest label there. Slots: "pair" (a, b, tie, both bad,
        edit) and "thumb:a" / "thumb:b" (up or down on that answer)."""
        latest: dict[tuple[str, str, str], dict] = {}
        for label in self.labels:
            latest[(label["annotator"], label["item"], slot_of(label))] = label
        return latest

    def of(self, annotator: str) -> list[dict]:
        return [label for label in self.labels if label["annotator"] == annotator]


def slot_of(label: dict) -> str:
    return f"thumb:{label.get('side') or 'a'}" if label["choice"] in THUMBS else "pair"


def fold(records: list[dict]) -> tuple[list[dict], int]:
    """Labels in force after the undo records: an undo removes the label it names only when the same annotator
    wrote both (an undo of another's label, or of nothing, changes nothing)."""
    labels: dict[str, dict] = {}
    undone = 0
    for record in records:
        kind = record.get("kind")
        if kind == "label" and record.get("id") and record.get("annotator") and record.get("choice") in CHOICES \
                and record.get("item"):
            labels[str(record["id"])] = record
        elif kind == "undo":
            target = labels.get(str(record.get("target")))
            if target is not None and target["annotator"] == record.get("annotator"):
                del labels[str(record["target"])]
                undone += 1
    return list(labels.values()), undone


@dataclass
class _Read:
    """What has been read of one label log: the file (inode), the bytes of complete lines read, their records."""

    inode: int
    offset: int = 0
    records: list[dict] = field(default_factory=list)
    unreadable: int = 0
    version: tuple = ()
    folded: Folded | None = None


_FOLD_CACHE: dict[str, _Read] = {}
_FOLD_LOCK = threading.Lock()


# A session ---------------------------------------------------------------------------------------------------

class FeedbackSession:
    """One feedback queue's folder: its description, items and label log."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FeedbackSession({str(self.path)!r})"

    name = property(lambda self: self.path.name)
    meta_file = property(lambda self: self.path / "session.json")
    prompts_file = property(lambda self: self.path / "prompts.jsonl")
    items_file = property(lambda self: self.path / "items.jsonl")
    labels_file = property(lambda self: self.path / "labels.jsonl")
    exports = property(lambda self: self.path / "exports")

    # Creating and describing
    @classmethod
    def create(cls, runs_dir: Path, title: str, owner: str, prompts: list, answers: dict, decoding: dict,
               prompts_from: str, address: str = "") -> FeedbackSession:
        """A new, empty queue (its rounds are added by rounds.generate_round). `answers`: how the answers are
        made ({"pairing": …, "sources": […]}); `prompts_from`: a line saying where the prompts came from."""
        title = " ".join(str(title or "").split())[:MAX_TITLE_CHARS]
        if not prompts:
            raise ValueError("No prompts to answer: the source holds no rows with a prompt.")
        root = Path(runs_dir) / FEEDBACK_DIR
        root.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "feedback"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            path = root / (f"{stamp}-{slug}" if n == 0 else f"{stamp}-{slug}-{n}")
            try:
                path.mkdir()
                break
            except FileExistsError:
                continue
        else:
            raise ValueError("Could not make a folder for the new feedback queue; try again.")
        session = cls(path)
        with open(session.prompts_file, "w", encoding="utf-8") as handle:
            for prompt in prompts:
                handle.write(json.dumps({"prompt": prompt}, ensure_ascii=False) + "\n")
        session.labels_file.touch()
        session.items_file.touch()
        _write_json_atomic(session.meta_file, {
            "name": path.name, "title": title or path.name, "created_at": time.time(), "owner": owner,
            "address": address,  # services.client_address: a hash of where the request came from
            "kind": "single" if len(answers.get("sources", [])) == 1 else "pair", "prompts_from": prompts_from,
            "prompts": len(prompts), "answers": answers, "decoding": decoding, "order_seed": secrets.token_hex(8),
            "rounds": []})
        return session

    def meta(self) -> dict:
        try:
            return json.loads(self.meta_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError) as exc:
            raise ValueError(f"The feedback queue {self.name} is unreadable (its session.json is missing or "
                             "damaged).") from exc

    def update_meta(self, change) -> dict:
        """Apply `change(meta)` (it edits the dict in place) under the session's lock, and write it atomically."""
        with self._lock, file_lock(self.path / ".lock"):
            meta = self.meta()
            change(meta)
            _write_json_atomic(self.meta_file, meta)
            return meta

    @property
    def is_single(self) -> bool:
        return self.meta().get("kind") == "single"

    def prompts(self) -> list:
        rows, _ = read_lines(self.prompts_file)
        return [r["prompt"] for r in rows if "prompt" in r]

    # Items
    def items(self) -> list[dict]:
        rows, _ = read_lines(self.items_file)
        seen, items = set(), []
        for row in rows:
            if row.get("id") and row.get("a") and row["id"] not in seen:
                seen.add(row["id"])
                items.append(row)
        return items

    def item(self, item_id: str) -> dict:
        for item in self.items():
            if item["id"] == item_id:
                return item
        raise ValueError("That answer pair is not in this queue (any more); the next one is shown now.")

    def order(self, item_id: str) -> bool:
        """Whether the item's answers are shown swapped (A = the second model): drawn from the session's order
        seed and the item's id, so anyone can redraw it."""
        return random.Random(f"{self.meta()['order_seed']}:{item_id}").random() < 0.5

    def append_items(self, items: list[dict]) -> None:
        append_lines(self.items_file, items)

    # Labels
    def folded(self) -> Folded:
        """The label log folded (cached until the file changes). The log only grows, so a change reads just the
        lines appended since the last read: a click costs its own line, not the whole log's."""
        key = str(self.labels_file)
        try:
            stat = self.labels_file.stat()
        except FileNotFoundError:
            return Folded()
        version = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        with _FOLD_LOCK:
            cached = _FOLD_CACHE.get(key)
            if cached is not None and cached.version == version and cached.folded is not None:
                return cached.folded
            if cached is None or cached.inode != stat.st_ino or stat.st_size < cached.offset:
                cached = _Read(stat.st_ino)  # a new or rewritten file: read it from the start
            read = _Read(cached.inode, cached.offset, list(cached.records), cached.unreadable)
        try:
            with open(self.labels_file, "rb") as handle:
                handle.seek(read.offset)
                data = handle.read()
        except FileNotFoundError:
            return Folded()
        records, bad, consumed, torn = _parse_lines(data)
        read.records += records
        read.unreadable += bad
        read.offset += consumed
        read.version = version  # lines appended since the stat are in already; the next read goes on from offset
        labels, undone = fold(read.records)
        result = Folded(labels, undone, read.unreadable + int(torn),
                        Counter(str(r.get("annotator")) for r in read.records))
        read.folded = result
        with _FOLD_LOCK:
            _FOLD_CACHE.pop(key, None)
            _FOLD_CACHE[key] = read  # the newest last
            while len(_FOLD_CACHE) > 64:
                _FOLD_CACHE.pop(next(iter(_FOLD_CACHE)))
        return result

    def label_bytes(self) -> int:
        try:
            return self.labels_file.stat().st_size
        except FileNotFoundError:
            return 0

    def record(self, item_id: str, annotator: str, choice: str, side: str | None = None, edited: str | None = None,
               max_lines: int | None = None, max_bytes: int | None = None,
               max_per_annotator: int | None = None) -> dict:
        """Write one choice to the log now (the line is on disk when this returns) and return it. A shared studio
        bounds a queue's log: `max_lines` and `max_bytes` in all, `max_per_annotator` lines from one annotator
        (so no one visitor fills a queue that others label)."""
        if not annotator:
            raise ValueError("The page is still loading (it has no browser id yet); press the button again.")
        if choice not in CHOICES:
            raise ValueError(f"Unknown choice {choice!r}; use one of {', '.join(CHOICES)}.")
        item = self.item(item_id)
        single = item.get("b") is None
        if choice in PAIR_CHOICES:
            if single:
                raise ValueError("This queue shows one answer per prompt: rate it with thumbs up or down, or edit it.")
            side = None
        elif choice in THUMBS or choice == "edit":
            side = (side or "a").lower()
            if side not in ("a", "b") or (side == "b" and single):
                raise ValueError("Pick which answer this is about: A or B.")
        edited_text = None
        if choice == "edit":
            edited_text = str(edited or "").strip()
            if not edited_text:
                raise ValueError("The edit box is empty: write the better answer there first (start from A or B).")
            if len(edited_text) > MAX_EDIT_CHARS:
                raise ValueError(f"The edited answer is {len(edited_text):,} characters; keep it under "
                                 f"{MAX_EDIT_CHARS:,}.")
            if edited_text == item[side]["text"].strip():
                raise ValueError(f"The edit is the same as answer {side.upper()}; change it into a better answer "
                                 "first (or pick A or B instead).")
        folded = self.folded() if max_lines is not None or max_per_annotator is not None else None
        if max_lines is not None and folded.lines >= max_lines:
            raise ValueError(FULL_QUEUE)
        if max_per_annotator is not None and folded.lines_by.get(annotator, 0) >= max_per_annotator:
            raise ValueError(f"You have made {max_per_annotator:,} choices in this queue, as many as this shared "
                             "studio takes from one person; thank you! Others can go on labelling it.")
        meta = self.meta()
        label = {"kind": "label", "id": secrets.token_hex(8), "item": item["id"], "round": item.get("round", 1),
                 "annotator": annotator, "choice": choice, "side": side, "edited": edited_text,
                 "prompt": item["prompt"], "a": item["a"]["text"], "b": (item["b"] or {}).get("text"),
                 "model_a": item["a"]["model"], "model_b": (item["b"] or {}).get("model"),
                 "decoding_a": item["a"].get("decoding"), "decoding_b": (item["b"] or {}).get("decoding"),
                 "swapped": item.get("swapped", False), "session": meta.get("name", self.name), "at": time.time()}
        if max_bytes is not None and \
                self.label_bytes() + len(json.dumps(label, ensure_ascii=False).encode("utf-8")) + 2 > max_bytes:
            raise ValueError(FULL_QUEUE)
        append_lines(self.labels_file, [label])
        return label

    def undo(self, annotator: str) -> dict | None:
        """Undo the annotator's own last label still in force (an undo record is appended; nothing is removed).
        Returns the label undone, None when they have none left."""
        if not annotator:
            raise ValueError("The page is still loading (it has no browser id yet); press Undo again.")
        with file_lock(self.path / ".undo.lock"):  # two tabs pressing Undo at once undo two labels, not one twice
            mine = self.folded().of(annotator)
            if not mine:
                return None
            target = mine[-1]
            append_lines(self.labels_file, [{"kind": "undo", "id": secrets.token_hex(8), "target": target["id"],
                                             "annotator": annotator, "at": time.time()}])
            return target


# Finding sessions ----------------------------------------------------------------------------------------------

def feedback_root(runs_dir: Path) -> Path:
    return Path(runs_dir) / FEEDBACK_DIR


def open_session(runs_dir: Path, name: str) -> FeedbackSession:
    """The session named `name` (a folder name, as the page shows it), checked to be one of this studio's."""
    name = str(name or "").strip()
    if not name:
        raise ValueError("Pick a feedback queue first, or start a new one below.")
    root = feedback_root(runs_dir)
    path = root / name
    if not _NAME.match(name) or path.is_symlink() or not (path / "session.json").is_file() or \
            path.resolve().parent != root.resolve():
        raise ValueError("There is no feedback queue by that name here; pick one from the list (↻ refreshes it).")
    return FeedbackSession(path)


def list_sessions(runs_dir: Path) -> list[dict]:
    """Every feedback queue here, newest first: name, title, items, rounds, labels in force."""
    root = feedback_root(runs_dir)
    found = []
    for path in root.iterdir() if root.is_dir() else []:
        if path.is_symlink() or not (path / "session.json").is_file():
            continue
        session = FeedbackSession(path)
        try:
            meta = session.meta()
        except ValueError:
            continue
        found.append({"name": path.name, "title": meta.get("title") or path.name, "owner": meta.get("owner", ""),
                      "created_at": meta.get("created_at", 0), "rounds": len(meta.get("rounds", [])),
                      "items": len(session.items()), "labels": len(session.folded().labels),
                      "kind": meta.get("kind", "pair"), "address": meta.get("address", "")})
    return sorted(found, key=lambda s: s["created_at"], reverse=True)


def check_may_delete(session: FeedbackSession, owner: str | None = None, annotator: str | None = None) -> None:
    """delete_session's rule for a shared studio (`owner` given): the owner, with no one else's labels inside."""
    if owner is None:
        return
    if session.meta().get("owner") != owner:
        raise ValueError("Only whoever started this queue can delete it.")
    others = sum(n for who, n in session.folded().lines_by.items() if who != annotator)
    if others:
        raise ValueError(f"Others have labelled this queue ({others:,} choice(s)); it stays, so their work isn't "
                         "lost.")


def delete_session(session: FeedbackSession, owner: str | None = None, annotator: str | None = None) -> str:
    """Delete a queue with its items and labels; returns its title. With `owner` (a shared studio) only the queue's
    owner may, and only while every label in it is their own (`annotator`): others' work is never deleted.
    (rounds.delete_queue also keeps a queue that a run trains on, or that is being answered.)"""
    import shutil

    meta = session.meta()
    check_may_delete(session, owner, annotator)
    shutil.rmtree(session.path)
    with _FOLD_LOCK:
        _FOLD_CACHE.pop(str(session.labels_file), None)
    return meta.get("title") or session.name


# Who has judged what ---------------------------------------------------------------------------------------------

def judged_items(session_items: list[dict], folded: Folded, annotator: str) -> set[str]:
    """The items this annotator has judged: a pair judgement (or an edit) for pairs; a thumb for single answers."""
    single = {item["id"] for item in session_items if item.get("b") is None}
    done = set()
    for label in folded.of(annotator):
        if label["item"] in single or slot_of(label) == "pair":
            done.add(label["item"])
    return done


def next_item(session_items: list[dict], folded: Folded, annotator: str, skipped=()) -> dict | None:
    """The first item the annotator hasn't judged, passing over those they skipped on this page (until only
    skipped ones are left)."""
    done = judged_items(session_items, folded, annotator)
    todo = [item for item in session_items if item["id"] not in done]
    skipped = set(skipped or ())
    return next((item for item in todo if item["id"] not in skipped), todo[0] if todo else None)


@dataclass
class Progress:
    mine: int  # items this annotator judged
    total: int  # items in the queue
    anyone: int  # items judged by at least one annotator
    labels: int  # labels in force, everyone's
    annotators: int

    @property
    def percent(self) -> float:
        return 100.0 * self.mine / self.total if self.total else 0.0


def progress(session_items: list[dict], folded: Folded, annotator: str) -> Progress:
    ids = {item["id"] for item in session_items}
    anyone = {label["item"] for label in folded.labels if label["item"] in ids}
    return Progress(len(judged_items(session_items, folded, annotator) & ids), len(session_items), len(anyone),
                    len(folded.labels), len({label["annotator"] for label in folded.labels}))


# Agreement and per-annotator counts -----------------------------------------------------------------------------

def _judgement(label: dict) -> str | None:
    """What two annotators can agree on: the pair choice, or the thumb (edits are each person's own text)."""
    return None if label["choice"] == "edit" else label["choice"]


def agreement(folded: Folded) -> dict:
    """Where two annotators judged the same pair (or rated the same answer): how often they chose the same,
    over every two annotators of each such item, with Wilson's 95% interval."""
    from ..evaluation import stats

    by_slot: dict[tuple[str, str], dict[str, str]] = {}
    for (annotator, item, slot), label in folded.slots().items():
        value = _judgement(label)
        if value is not None:
            by_slot.setdefault((item, slot), {})[annotator] = value
    compared = agreed = 0
    items = set()
    per_annotator: dict[str, list[int]] = {}
    for (item, _slot), votes in by_slot.items():
        people = sorted(votes)
        if len(people) < 2:
            continue
        items.add(item)
        for i, first in enumerate(people):
            for second in people[i + 1:]:
                same = votes[first] == votes[second]
                compared += 1
                agreed += same
                for who in (first, second):
                    tally = per_annotator.setdefault(who, [0, 0])
                    tally[0] += same
                    tally[1] += 1
    low, high = stats.wilson(agreed, compared)
    return {"compared": compared, "agreed": agreed, "items": len(items),
            "rate": agreed / compared if compared else None, "ci_low": low, "ci_high": high,
            "per_annotator": {who: {"agreed": a, "compared": n} for who, (a, n) in per_annotator.items()}}


def annotator_counts(folded: Folded) -> list[dict]:
    """Per annotator: pair judgements, thumbs and edits in force (latest per slot), most active first."""
    counts: dict[str, Counter] = {}
    for (annotator, _, _), label in folded.slots().items():
        kind = "edits" if label["choice"] == "edit" else "thumbs" if label["choice"] in THUMBS else "pairs"
        counts.setdefault(annotator, Counter())[kind] += 1
    agreed = agreement(folded)["per_annotator"]
    rows = [{"annotator": who, "pairs": c["pairs"], "thumbs": c["thumbs"], "edits": c["edits"],
             "total": c["pairs"] + c["thumbs"] + c["edits"], **agreed.get(who, {"agreed": 0, "compared": 0})}
            for who, c in counts.items()]
    return sorted(rows, key=lambda r: (-r["total"], r["annotator"]))


# Export: TRL's preference and unpaired formats --------------------------------------------------------------------

@dataclass
class Export:
    """Training rows made from the labels, and what was left out (and why)."""

    kind: str  # "pairs" (prompt, chosen, rejected) or "unpaired" (prompt, completion, label)
    rows: list[dict]
    left_out: Counter = field(default_factory=Counter)
    path: Path | None = None

    def note(self) -> str:
        what = "pairs" if self.kind == "pairs" else "rated answers"
        parts = [f"{count} {reason}" for reason, count in sorted(self.left_out.items()) if count]
        return f"{len(self.rows)} {what}" + (f" (left out: {', '.join(parts)})" if parts else "")

    @property
    def good(self) -> int:
        return sum(bool(r.get("label")) for r in self.rows)


def _conversational(rows: list[dict], answer_keys: tuple[str, ...]) -> list[dict]:
    """One format for the whole file (the data checks refuse a mix): when any prompt is a conversation, every
    prompt becomes one and every answer an assistant turn."""
    if not any(isinstance(r["prompt"], list) for r in rows):
        return rows
    out = []
    for row in rows:
        row = dict(row)
        if not isinstance(row["prompt"], list):
            row["prompt"] = [{"role": "user", "content": str(row["prompt"])}]
        for key in answer_keys:
            row[key] = [{"role": "assistant", "content": row[key]}]
        out.append(row)
    return out


def _majority(votes: list[str]) -> str | None:
    counts = Counter(votes)
    top = max(counts.values())
    winners = [choice for choice, count in counts.items() if count == top]
    return winners[0] if len(winners) == 1 else None


def export_pairs(folded: Folded, session_items: list[dict] | None = None) -> Export:
    """Preference pairs: each item once, by its annotators' majority (A or B better; ties, both-bad and even
    splits are left out), plus one pair per edit (the edited answer chosen over the answer it rewrote)."""
    order = {item["id"]: i for i, item in enumerate(session_items or [])}
    by_item: dict[str, list[dict]] = {}
    for (_, item, slot), label in folded.slots().items():
        if slot == "pair":
            by_item.setdefault(item, []).append(label)
    rows, left_out = [], Counter()
    for item in sorted(by_item, key=lambda i: (order.get(i, len(order)), i)):
        labels = by_item[item]
        for edit in (label for label in labels if label["choice"] == "edit"):
            original = edit.get(edit.get("side") or "a") or ""
            if not original.strip() or edit["edited"].strip() == original.strip():
                left_out["edits identical to the answer"] += 1
                continue
            rows.append({"prompt": edit["prompt"], "chosen": edit["edited"], "rejected": original})
        votes = [label for label in labels if label["choice"] != "edit"]
        if not votes:
            continue
        winner = _majority([label["choice"] for label in votes])
        if winner is None:
            left_out["pairs the annotators split on"] += 1
            continue
        if winner == "tie":
            left_out["ties"] += 1
            continue
        if winner == "both_bad":
            left_out["both bad"] += 1
            continue
        label = next(label for label in votes if label["choice"] == winner)
        chosen, rejected = label[winner] or "", label["b" if winner == "a" else "a"] or ""
        if not chosen.strip() or not rejected.strip():
            left_out["pairs with an empty answer"] += 1
            continue
        if chosen.strip() == rejected.strip():
            left_out["pairs of identical answers"] += 1
            continue
        rows.append({"prompt": label["prompt"], "chosen": chosen, "rejected": rejected})
    return Export("pairs", _conversational(rows, ("chosen", "rejected")), left_out)


def export_unpaired(folded: Folded, session_items: list[dict] | None = None) -> Export:
    """Unpaired feedback: each rated answer once, by its annotators' majority (even splits left out). A thumb
    rates one answer; "both bad" rates both answers down (for an annotator who gave that answer no thumb)."""
    order = {item["id"]: i for i, item in enumerate(session_items or [])}
    votes: dict[tuple[str, str], dict[str, tuple[bool, dict]]] = {}
    pair_votes = []
    for (annotator, item, _slot), label in folded.slots().items():
        if label["choice"] in THUMBS:
            votes.setdefault((item, label.get("side") or "a"), {})[annotator] = (label["choice"] == "up", label)
        elif label["choice"] == "both_bad":
            pair_votes.append((annotator, item, label))
    for annotator, item, label in pair_votes:
        for side in ("a", "b"):
            votes.setdefault((item, side), {}).setdefault(annotator, (False, label))
    rows, left_out = [], Counter()
    for item, side in sorted(votes, key=lambda key: (order.get(key[0], len(order)), key[0], key[1])):
        cast = votes[(item, side)]
        ups = sum(good for good, _ in cast.values())
        downs = len(cast) - ups
        if ups == downs:
            left_out["answers the annotators split on"] += 1
            continue
        label = next(iter(cast.values()))[1]
        completion = label.get(side) or ""
        if not completion.strip():
            left_out["empty answers"] += 1
            continue
        rows.append({"prompt": label["prompt"], "completion": completion, "label": ups > downs})
    return Export("unpaired", _conversational(rows, ("completion",)), left_out)


def write_export(session: FeedbackSession, kind: str) -> Export:
    """Write the current labels as a new training file under exports/ (never one written before: a run that
    trains on an earlier one keeps its data)."""
    if kind not in ("pairs", "unpaired"):
        raise ValueError(f"unknown export {kind!r}: pairs or unpaired.")
    items = session.items()
    export = (export_pairs if kind == "pairs" else export_unpaired)(session.folded(), items)
    session.exports.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = session.exports / f"{kind}-{stamp}{'' if n == 0 else f'-{n}'}-{len(export.rows)}.jsonl"
        if not path.exists():
            break
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for row in export.rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    export.path = path
    return export



def write_downloads(session: FeedbackSession, folder: Path) -> list[Path]:
    """The labels as the two download files (pairs for DPO, rated answers for KTO) in `folder`, rewritten in
    place: one pair of files per queue however often it is asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    items, folded = session.items(), session.folded()
    paths = []
    for kind, make in (("pairs", export_pairs), ("rated-answers", export_unpaired)):
        path = folder / f"{session.name}-{kind}.jsonl"
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            for row in make(folded, items).rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        paths.append(path)
    return paths
