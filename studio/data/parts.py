"""Checking a big JSON Lines file in several processes at once, with the very report one process would give.

Parsing a line and checking its row are Python code, so one process checks about 100,000 rows a second
whatever the machine; `datasets` reads JSON with Arrow's threaded reader. For files of PARALLEL_MIN_BYTES or
more, this process reads the first rows (which decide the mapping, the format and the shape, validation.py),
then cuts the rest at line starts into as many parts as there are cores: it checks the first part itself while
each other part is checked by a spawned child, which reads the same first rows (so it decides the same) and
checks them once to know what they hold, then checks its part. The children's tallies are merged in file
order: counts added, row numbers shifted, duplicates of rows in earlier parts found by their hashes (and the
warnings of later copies pointed at the first), findings and skipped rows listed as one pass lists them.

What a merge can't reproduce exactly, it doesn't guess: when a column that first appears after the first rows
holds different types in different parts, the whole file is checked again in one process (validation.py).
A child that fails unexpectedly does the same; a child's ValueError (a line that isn't UTF-8) is the file's.

multiprocessing and concurrent.futures run functions in other processes but don't split a file at line
starts or merge validation tallies; `datasets.Dataset.map(num_proc=...)` would first convert the whole file
to Arrow, which is what bounded-memory validation avoids. Hence this module.
"""

from __future__ import annotations

import multiprocessing
import os
from bisect import bisect_left
from itertools import islice
from pathlib import Path

from ..processes import start_without_main
from .checks import MAX_FINDINGS, duplicate_finding
from .loading import MAX_LOADER_FINDINGS, RowStream, _format_of, _iter_jsonl, open_rows
from .report import MAX_SKIPPED_LISTED

PARALLEL_MIN_BYTES = 128 * 2**20  # smaller files are checked faster than a child process starts and merges
MAX_PARTS = 8
PARTS_ENV = "STUDIO_VALIDATION_PARTS"  # "1": always one process (benchmarks compare both)
BLOCK = 16 * 2**20
# The first part is this much longer than the others: while a child starts (a fresh interpreter, the imports,
# the first rows read and checked once more) this process is already checking (measured: about half a second).
LEAD_BYTES = 32 * 2**20


class Sequential(Exception):
    """The parts can't be merged into exactly the one-process report: check the file in one process."""


def parts_for(path, size: int) -> int:
    """How many parts to check `path` (of `size` bytes) in: 1 below PARALLEL_MIN_BYTES, else one per core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    wanted = os.environ.get(PARTS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return min(int(wanted), MAX_PARTS)
    if size < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(cores, MAX_PARTS))


def eligible(path, *, sink=None, collect_skipped: bool = False, keep_rows: int | None = None,
             max_rows: int | None = None) -> int:
    """The number of parts for this call (1: check in one process). Only plain local JSONL files whose rows
    are not all kept (or handed on) are split."""
    if sink is not None or collect_skipped or keep_rows is None or max_rows is not None:
        return 1
    path = Path(str(path))
    ext, compressed = _format_of(path)
    if ext != ".jsonl" or compressed or not path.is_file():
        return 1
    return parts_for(path, path.stat().st_size)


def split_offsets(path: Path, begin: int, size: int, parts: int, lead: int = 0) -> list[int]:
    """Byte offsets [begin, o1, …, size] cutting [begin, size) at line starts into `parts` pieces, the first
    `lead` bytes longer than each of the others (roughly: what this process checks while a child starts)."""
    each = max(0, (size - begin - lead)) / parts
    offsets = [begin]
    with open(path, "rb") as handle:
        for k in range(1, parts):
            nominal = int(begin + lead + each * k) if each else size
            handle.seek(max(nominal - 1, 0))
            handle.readline()  # to the end of the line the byte before `nominal` is in
            at = handle.tell()
            if offsets[-1] < at < size:
                offsets.append(at)
    return offsets + [size]


def count_lines(path: Path, begin: int, end: int) -> int:
    """Newlines in bytes [begin, end) of `path`."""
    lines = 0
    with open(path, "rb") as handle:
        handle.seek(begin)
        left = end - begin
        while left > 0:
            block = handle.read(min(BLOCK, left))
            if not block:
                break
            lines += block.count(b"\n")
            left -= len(block)
    return lines


def open_in_parts(path, name: str, mapping: dict | None, options: dict, parts: int,
                  max_bytes: int) -> tuple[RowStream, Parts]:
    """The children checking the later parts, started now, and a stream of the first part for this process
    (read on past its cut until the first rows, which decide for every part, are read)."""
    from .validation import HEAD_ROWS

    path = Path(str(path))
    open_rows(path, max_bytes=max_bytes)  # the file-level refusals (missing, empty, too big, binary) first
    size = path.stat().st_size
    bounds = split_offsets(path, 0, size, parts, lead=min(LEAD_BYTES, size // (2 * parts)))
    work = Parts(path, name, mapping, options, HEAD_ROWS, max_bytes)
    work.start(bounds[1:])
    stream = RowStream((), "jsonl", "line")
    stream._items = _iter_jsonl(path, False, max_bytes, None, stream, end=bounds[1], at_least=HEAD_ROWS)
    return stream, work


class Parts:
    """The children checking the parts after the first, and the merge of what they found."""

    def __init__(self, path: Path, name: str, mapping: dict | None, options: dict, head_rows: int, max_bytes: int):
        self.path, self.name, self.mapping, self.options = path, name, mapping, options
        self.head_rows, self.max_bytes = head_rows, max_bytes
        self.children: list[tuple] = []  # (process, connection)

    def start(self, bounds: list[int]) -> None:
        """One child per part [bounds[i], bounds[i+1]). Raises Sequential (with none left running) when one
        can't be started."""
        context = multiprocessing.get_context("spawn")
        try:
            for begin, end in zip(bounds, bounds[1:]):
                mine, theirs = context.Pipe()
                process = context.Process(target=_child, name="studio-validate-part", daemon=True, args=(
                    theirs, str(self.path), self.name, self.mapping, self.options, self.head_rows, self.max_bytes,
                    begin, end))
                try:
                    start_without_main(process)
                finally:
                    theirs.close()
                self.children.append((process, mine))
        except Exception as exc:  # no process or pipe to be had (limits, memory): one process checks it all
            self.abort()
            raise Sequential(f"a child could not start ({type(exc).__name__})") from exc

    def close(self, wait: float = 5) -> None:
        """Let the children go (after a merge they are ending); one still running after `wait` s is killed."""
        for process, connection in self.children:
            connection.close()
            process.join(wait)
            if process.is_alive():
                process.kill()
                process.join()
        self.children = []

    def abort(self) -> None:
        """End the children now (the first part failed, or the merge is given up)."""
        self.close(wait=0)

    @staticmethod
    def _answer(process, connection, kind: str):
        """The child's next message, which must be of `kind`; its ValueError is the file's; anything else (no
        answer, a child that died, another message) means: check in one process."""
        try:
            while not connection.poll(1.0):
                if not process.is_alive() and not connection.poll(0):
                    raise Sequential("a child ended without an answer")
            got, value = connection.recv()
        except (EOFError, OSError, ValueError, TypeError) as exc:
            raise Sequential("a child ended without an answer") from exc
        if got == "value-error":
            raise ValueError(value)
        if got != kind:
            raise Sequential(str(value))
        return value

    def merge_into(self, tally, stream: RowStream) -> None:
        """Add every child's tally to `tally` (the first part's, complete) and its unreadable lines to `stream`.
        Raises ValueError for an error in the file, Sequential where only one process can say it exactly."""
        merged = False
        try:
            for process, connection in self.children:
                if not merge(tally, stream, self._answer(process, connection, "tally")):
                    raise Sequential("what the parts found can't be merged exactly")
                need = 0 if tally.keep_rows is None else max(0, tally.keep_rows - len(tally.kept))
                try:
                    connection.send(need)
                except OSError as exc:
                    raise Sequential("a child ended before its rows were asked for") from exc
                if need:
                    rows = self._answer(process, connection, "rows")
                    if not isinstance(rows, list) or not all(type(row) is dict for row in rows):
                        raise Sequential("a child sent no rows")
                    tally.kept.extend(rows[:need])
            merged = True
        finally:
            if merged:
                self.close()
            else:
                self.abort()


def merge(tally, stream: RowStream, part: dict) -> bool:
    """Add one later part's tally (`export`) to `tally`; False where the result would differ from one pass."""
    from .validation import PREVIEW_ROWS

    checker, unit = tally.checker, tally.unit
    offset = tally.rows
    places = part["places"]
    added = {}
    if checker is not None:
        for column, first in part["new_kinds"].items():
            known = checker.extra_kinds.get(column)
            if known is None:
                checker.extra_kinds[column] = first
            elif known[0] != first[0] or column in part["mixed"]:
                return False
        checker.mixed |= part["mixed"]
        # A row whose first copy is in an earlier part: the part saw it as new; one pass calls it a duplicate,
        # and the part's later copies name that earlier row.
        seen, moved = checker.seen, {}
        for key, place in zip(part["keys"], part["key_places"]):
            first = seen.setdefault(key, place)
            if first != place:
                moved[place] = first
                warning = duplicate_finding(unit, first)
                warning.row, warning.line = offset + bisect_left(places, place) + 1, place
                added[place] = warning
        for finding, first in part["duplicates"]:
            if first in moved:
                finding.message = duplicate_finding(unit, moved[first]).message
    groups = part["groups"]
    for _, found in groups:
        for finding in found:
            finding.row += offset
    if added:
        listed = dict(groups)
        for place, warning in added.items():
            if place in listed:
                listed[place].append(warning)
            else:
                groups.append((place, [warning]))
        groups.sort(key=lambda group: group[0])
    for place, found in groups:  # as one pass lists them: whole rows, while under MAX_FINDINGS
        if tally.listed >= MAX_FINDINGS:
            break
        tally.groups.append((place, found))
        tally.listed += len(found)
    room = MAX_SKIPPED_LISTED - len(tally.skipped_listed)
    for entry in part["skipped_listed"][:max(0, room)]:
        entry["row"] += offset
        tally.skipped_listed.append(entry)
    tally.counts.update(part["counts"])
    tally.media_kinds.update(part["media_kinds"])
    tally.placeholder_places = (tally.placeholder_places + part["placeholder_places"])[:5]
    tally.preview = (tally.preview + part["preview"])[:PREVIEW_ROWS]
    for keys in part["columns"].keysets:
        tally.columns.add(dict.fromkeys(keys))
    tally.columns.singles.update(part["columns"].singles)
    if tally.scores is not None and part["scores"] is not None and not tally.scores.merge(part["scores"]):
        return False
    tally.rows += part["rows"]
    tally.good += part["good"]
    stream.findings.extend(part["findings"][:max(0, MAX_LOADER_FINDINGS - len(stream.findings))])
    stream.unreadable += part["unreadable"]
    return True


def _child(connection, path: str, name: str, mapping, options: dict, head_rows: int, max_bytes: int,
           begin: int, end: int) -> None:
    """A spawned child: check the part [begin, end) of `path` and send its tally, then the rows asked for."""
    try:
        found, kept = _check_part(Path(path), name, mapping, options, head_rows, max_bytes, begin, end)
        connection.send(("tally", found))
        need = connection.recv()
        if need:
            connection.send(("rows", kept[:need]))
    except ValueError as exc:
        _tell(connection, ("value-error", str(exc)))
    except (EOFError, BrokenPipeError):
        pass  # the parent stopped waiting
    except BaseException as exc:  # told to the parent, which checks the file in one process instead
        _tell(connection, ("failed", f"{type(exc).__name__}: {exc}"[:300]))
    finally:
        connection.close()


def _tell(connection, message) -> None:
    try:
        connection.send(message)
    except (OSError, ValueError):  # the parent stopped listening: nothing to tell
        pass


def _check_part(path: Path, name: str, mapping, options: dict, head_rows: int, max_bytes: int, begin: int,
                end: int) -> tuple[dict, list[dict]]:
    """What the lines beginning in [begin, end) hold (after the file's first `head_rows` rows, which the parent
    checks), with the checks knowing what those first rows hold: the tally for the merge (`export`) and the
    rows kept for training."""
    from .validation import _drain, _plan, _Tally

    first = RowStream((), "jsonl", "line")
    plan = _plan(_iter_jsonl(path, False, max_bytes, None, first, limit=head_rows, require_rows=False), name,
                 mapping, head_rows)  # the same first rows decide the same as in the parent
    seed = _Tally(plan, "line", min_score_gap=options.get("min_score_gap"), keep_rows=0)
    seed.feed(_drain(plan.head, plan.head_final))  # what the first rows leave the checks knowing
    checker = seed.checker
    seeded = len(checker.seen) if checker is not None else 0
    seed_kinds = set(checker.extra_kinds) if checker is not None else set()
    if checker is not None:
        checker.mixed = set()
    tally = _Tally(plan, "line", keep_rows=options.get("keep_rows"), min_score_gap=options.get("min_score_gap"),
                   checker=checker, record_places=True)
    stream = RowStream((), "jsonl", "line")
    if first.next_line is not None and max(begin, first.position) < end:  # else: the first rows reach past it
        begin = max(begin, first.position)
        first_line = first.next_line + count_lines(path, first.position, begin)
        rows = _iter_jsonl(path, False, max_bytes, None, stream, start=begin, end=end, first_line=first_line,
                           require_rows=False)
        if plan.transform is not None:
            rows = ((place, plan.transform(row)) for place, row in rows)
        tally.feed(rows)
    return export(tally, stream, seeded, seed_kinds), tally.kept


def export(tally, stream: RowStream, seeded: int, seed_kinds: set[str]) -> dict:
    """What the parent's merge needs from a part's tally (plain values, pickled through the pipe)."""
    from array import array

    checker = tally.checker
    new = list(islice(checker.seen.items(), seeded, None)) if checker is not None else []  # the part's own
    return {
        "rows": tally.rows, "good": tally.good, "counts": tally.counts, "media_kinds": tally.media_kinds,
        "placeholder_places": tally.placeholder_places, "groups": tally.groups, "duplicates": tally.duplicates,
        "skipped_listed": tally.skipped_listed, "preview": tally.preview, "columns": tally.columns,
        "scores": tally.scores, "places": tally.places,
        "keys": array("Q", (key for key, _ in new)), "key_places": array("q", (place for _, place in new)),
        "new_kinds": {c: v for c, v in checker.extra_kinds.items() if c not in seed_kinds} if checker else {},
        "mixed": checker.mixed if checker is not None else set(),
        "findings": stream.findings, "unreadable": stream.unreadable,
    }
