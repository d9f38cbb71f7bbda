"""`inspect_dataset`: the one call the UI and the CLI make, and the hand-over of checked rows to `datasets`.

load (file or hub id) → map columns (guessed or the user's) → convert community formats → fold a system
column in → join content parts → detect the shape → check every row (checks.py) → `DatasetReport`, plus the
rows training reads. Any input, however hostile, ends in a report or a ValueError whose message names the
file and says what to do; nothing else escapes.

Rows stream through one at a time: the first `HEAD_ROWS` decide the columns, the format and the shape, and
the rest are checked as they are read, so a JSON Lines file of gigabytes is validated in bounded memory when
the caller keeps no rows (`keep_rows=0`, as `python -m studio validate` does). A local JSONL file of
parts.PARALLEL_MIN_BYTES or more is checked in one part per core (parts.py): `_plan` (what the first rows decide)
and `_Tally` (what the rows say as they pass) are what each part runs, and the parts' tallies merge into the
very report one pass gives.

Bad rows are skipped, not blocking: a row with an error, or with images/audio/video (this studio trains text
only), is left out of the rows returned and listed in `report.skipped`; `report.usable` says whether what is
left may be trained on (see report.py). `inspect_file(..., collect_skipped=True)` also hands back the skipped
rows themselves, for a run's skipped.jsonl.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from . import content, formats, mapping as colmap
from .checks import MAX_FINDINGS, MIN_ROWS, VALID_ROLES, RowChecker, check_rows, parse_label  # noqa: F401
from .loading import MAX_FILE_BYTES, LoadedFile, RowStream, load_rows, open_rows  # noqa: F401 (re-exported)
from .report import MAX_BAD_SHARE, MAX_SKIPPED_LISTED, DatasetReport, Finding

PREVIEW_ROWS = 20
MIN_EVAL_ROWS = 8  # a held-out evaluation set smaller than this says little
HEAD_ROWS = 5_000  # rows read ahead to decide the columns, the format and the shape
MAX_GAPS = 10_000  # distinct score gaps (rounded to 0.1) counted for the quantiles
MAX_KEYSETS = 5_000  # distinct column sets counted one by one; past this, columns are counted singly


@dataclass
class Inspection:
    report: DatasetReport
    rows: list[dict]  # the rows training reads (the first `keep_rows` of them when a limit was given)
    skipped: list[dict] = field(default_factory=list)  # {row, line?, reasons, data} per row left out


def inspect_dataset(path: str | Path, mapping: dict | None = None, max_bytes: int = MAX_FILE_BYTES, *,
                    config: str | None = None, split: str | None = None,
                    holdout_rows: int = 0, max_rows: int | None = None, skip_bad_rows: bool = True,
                    min_score_gap: float | None = None,
                    keep_rows: int | None = None) -> tuple[DatasetReport, list[dict]]:
    """Load, map, convert, detect and check a dataset file or hub dataset id: (report, the rows to train on).

    `mapping` is {target: source_column} (targets: prompt, completion, chosen, rejected, label, messages, text);
    it overrides the columns guessed from their names, and a target mapped to None is left unmapped.
    `config`/`split` choose a hub dataset's configuration and split. `holdout_rows` > 0 also checks what a
    run that keeps that many rows out for evaluation would leave. `skip_bad_rows=False` blocks on any error
    instead of leaving bad rows out; `min_score_gap` counts the pairs whose score gap is below it (the
    report says how many; `drop_near_ties` leaves them out); `keep_rows` bounds the rows returned (0: none,
    for a validation that streams a huge file). Raises ValueError only when nothing usable can be read (or
    the mapping names a column the file lacks).
    """
    found = inspect_file(path, mapping, max_bytes, config=config, split=split, holdout_rows=holdout_rows,
                         max_rows=max_rows, skip_bad_rows=skip_bad_rows, min_score_gap=min_score_gap,
                         keep_rows=keep_rows)
    return found.report, found.rows


def inspect_file(path: str | Path, mapping: dict | None = None, max_bytes: int = MAX_FILE_BYTES, *,
                 config: str | None = None, split: str | None = None, holdout_rows: int = 0,
                 max_rows: int | None = None, skip_bad_rows: bool = True, min_score_gap: float | None = None,
                 keep_rows: int | None = None, collect_skipped: bool = False, sink=None) -> Inspection:
    """`inspect_dataset`, with the skipped rows themselves when `collect_skipped` (and each row training reads
    handed to `sink` as it passes, when given)."""
    from .hub import hub_id, load_hub_rows

    name = Path(str(path)).name or str(path)
    options = dict(holdout_rows=holdout_rows, skip_bad_rows=skip_bad_rows, min_score_gap=min_score_gap,
                   keep_rows=keep_rows, collect_skipped=collect_skipped, sink=sink)
    try:
        repo = hub_id(str(path))
        if repo:
            loaded = load_hub_rows(repo, config, split, **({"max_rows": max_rows} if max_rows else {}))
            name = repo + (f" [{config}]" if config else "") + (f" ({split})" if split else "")
            stream = RowStream.of(loaded)
        else:
            from .parts import Sequential, eligible, open_in_parts

            parts = eligible(path, sink=sink, collect_skipped=collect_skipped, keep_rows=keep_rows, max_rows=max_rows)
            if parts > 1:  # a big JSONL file: checked in several processes (parts.py), the same report
                try:
                    stream, work = open_in_parts(path, name, mapping, {"keep_rows": keep_rows,
                                                                       "min_score_gap": min_score_gap}, parts,
                                                 max_bytes)
                except Sequential:
                    work = None  # no child could start: one process
                if work is not None:
                    try:
                        return inspect_stream(stream, name, mapping, path=str(path), parts=work, **options)
                    except Sequential:
                        pass  # what the parts found can't be merged exactly: once more, in one process
                    finally:
                        work.abort()
            stream = open_rows(path, max_bytes=max_bytes, max_rows=max_rows)
        return inspect_stream(stream, name, mapping, path=str(path), **options)
    except ValueError:
        raise
    except RecursionError as exc:
        raise ValueError(f"{name}: values are nested too deeply to check; flatten them.") from exc
    except MemoryError as exc:
        raise ValueError(f"{name}: too large to check in memory; use a smaller sample of it.") from exc
    except Exception as exc:  # a bug or an input nobody foresaw: still a message, never a traceback
        raise ValueError(f"{name}: could not be checked ({type(exc).__name__}: {str(exc)[:200]}). "
                         "Check the file's format; if it looks right, please report this.") from exc


def column_counts(rows: list[dict]) -> tuple[list[str], Counter]:
    """All columns in order of first appearance, and how many rows have each."""
    keysets = Counter(tuple(r) for r in rows)
    columns = list(dict.fromkeys(k for keys in keysets for k in keys))
    per_column: Counter = Counter()
    for keys, count in keysets.items():
        for key in keys:
            per_column[key] += count
    return columns, per_column


class _Columns:
    """Every column of every row, in order of first appearance, remembered by column set (cheap when rows
    share their columns, as they do); past MAX_KEYSETS sets, column by column."""

    def __init__(self):
        self.keysets: dict[tuple, None] = {}
        self.singles: dict[str, None] = {}

    def add(self, row: dict) -> None:
        keys = tuple(row)
        if keys in self.keysets or len(self.keysets) < MAX_KEYSETS:
            self.keysets[keys] = None
        else:
            self.singles.update(dict.fromkeys(keys))

    def names(self) -> list[str]:
        return list(dict.fromkeys(chain((k for keys in self.keysets for k in keys), self.singles)))


def detect(columns: list[str], per_column: Counter, total: int) -> str | None:
    """The shape most rows have (columns in over half the rows), else whatever the columns make together."""
    common = [c for c in columns if per_column[c] * 2 > total]
    return formats.detect_shape(common) or formats.detect_shape(columns)


def inspect_rows(loaded: LoadedFile, name: str, mapping: dict | None = None, path: str = "",
                 holdout_rows: int = 0, **options) -> tuple[DatasetReport, list[dict]]:
    """`inspect_dataset` for rows already read (a `LoadedFile`)."""
    found = inspect_stream(RowStream.of(loaded), name, mapping, path, holdout_rows, **options)
    return found.report, found.rows


def _pipeline(steps):
    steps = [step for step in steps if step is not None]
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def run(row):
        for step in steps:
            row = step(row)
        return row
    return run


class _Scores:
    """What a preference file's score columns say: means, ties, chosen scored below rejected, near-ties."""

    def __init__(self, columns: dict[str, str], min_gap: float | None):
        self.chosen, self.rejected, self.min_gap = columns["chosen"], columns["rejected"], min_gap
        self.rows = self.ties = self.inverted = self.below = 0
        self.sum_chosen = self.sum_rejected = 0.0
        self.gaps: Counter = Counter()  # gap rounded to 0.1 → rows (the first MAX_GAPS distinct gaps)
        self.capped = False  # a gap was left out of `gaps`

    def add(self, row: dict) -> None:
        chosen, rejected = row.get(self.chosen), row.get(self.rejected)
        if not isinstance(chosen, (int, float)) or not isinstance(rejected, (int, float)):
            return
        gap = chosen - rejected
        if gap != gap:  # NaN
            return
        self.rows += 1
        self.sum_chosen += chosen
        self.sum_rejected += rejected
        self.ties += gap == 0
        self.inverted += gap < 0
        if self.min_gap is not None and gap < self.min_gap:
            self.below += 1
        if len(self.gaps) < MAX_GAPS or round(gap, 1) in self.gaps:
            self.gaps[round(gap, 1)] += 1
        else:
            self.capped = True

    def merge(self, other: _Scores) -> bool:
        """Add the scores a later part of the same file counted (parts.py); False (nothing added) where the gaps
        one pass would keep depend on the order the rows came in (past MAX_GAPS distinct gaps)."""
        if self.capped or other.capped or len(self.gaps.keys() | other.gaps.keys()) > MAX_GAPS:
            return False
        self.rows += other.rows
        self.ties += other.ties
        self.inverted += other.inverted
        self.below += other.below
        self.sum_chosen += other.sum_chosen
        self.sum_rejected += other.sum_rejected
        self.gaps.update(other.gaps)
        return True

    def quantile(self, q: float) -> float | None:
        total, seen = sum(self.gaps.values()), 0
        for gap in sorted(self.gaps):
            seen += self.gaps[gap]
            if seen >= q * total:
                return gap
        return None

    def summary(self) -> dict:
        rows = max(1, self.rows)
        return {"chosen_column": self.chosen, "rejected_column": self.rejected, "rows": self.rows,
                "mean_chosen": round(self.sum_chosen / rows, 3), "mean_rejected": round(self.sum_rejected / rows, 3),
                "mean_gap": round((self.sum_chosen - self.sum_rejected) / rows, 3),
                "gap_p10": self.quantile(0.1), "gap_p50": self.quantile(0.5), "gap_p90": self.quantile(0.9),
                "ties": self.ties, "inverted": self.inverted, "min_score_gap": self.min_gap,
                "below_min_gap": self.below if self.min_gap is not None else None}

    def findings(self) -> list[Finding]:
        names = f"'{self.chosen}' / '{self.rejected}'"
        found = []
        if self.inverted:
            found.append(Finding("warning", f"{self.inverted:,} pair(s) score the chosen answer below the rejected one "
                                 f"({names}); check the columns are the right way round, or set min_score_gap to "
                                 "leave such pairs out of training."))
        if self.ties:
            found.append(Finding("warning", f"{self.ties:,} pair(s) have equal scores ({names}), so there is little to "
                                 "learn from them; set min_score_gap (e.g. 1) to leave near-ties out of training."))
        return found


@dataclass
class _Plan:
    """What the first rows of a file decide: the mapping, the conversions, the shape, and how rows are checked."""

    head: list  # (place, row) as read
    head_final: list  # the same rows mapped and converted
    source_columns: list[str]
    applied: dict
    suggested: dict
    conversions: list[str]
    transform: object  # row → mapped and converted row, or None
    columns: list[str]
    shape: str | None
    conversational: bool
    media: list[str]
    scores_at: dict
    tool_turns: bool


def _plan(items, name: str, mapping: dict | None, head_rows: int | None = None) -> _Plan:
    """Read the first `head_rows` (default HEAD_ROWS) of `items` and decide from them."""
    head = list(islice(items, head_rows or HEAD_ROWS))
    first = [row for _, row in head]
    source_columns, _ = column_counts(first)
    explicit = colmap.validate_mapping(mapping, source_columns, name)
    applied, suggested = colmap.choose_mapping(source_columns, first[:50], explicit)
    conversions = []
    if applied:
        conversions.append(colmap.mapping_note(applied, explicit, source_columns))
    rename = (lambda row: colmap.apply_mapping([row], applied)[0]) if applied else None
    renamed = colmap.renamed_columns(source_columns, applied)
    sample = colmap.apply_mapping(first[:50], applied)
    convert, note = formats.converter(renamed, sample)
    if note:
        conversions.append(note)
    if convert is not None:
        sample = [convert(r) for r in sample]
    merge_system, note = formats.system_merger(list(dict.fromkeys(k for r in sample for k in r)), sample)
    if note:
        conversions.append(note)
    transform = _pipeline([rename, convert, merge_system])
    head_final = [transform(r) for r in first] if transform else first
    columns, per_column = column_counts(head_final)
    shape = detect(columns, per_column, len(head_final))
    conversational = shape is not None and formats.is_conversational(head_final, shape)
    scores_at = colmap.score_columns(columns, head_final[:200]) if shape == "preference" else {}
    return _Plan(head, head_final, source_columns, applied, suggested, conversions, transform, columns, shape,
                 conversational, content.media_columns(columns), scores_at,
                 shape is not None and _has_tool_turns(head_final[:200]))


class _Tally:
    """What the rows say as they pass (one pass over a file, or one part of it; parts.py merges parts): the
    rows training reads, the skipped rows, the findings of the first rows that have some, and the counts.
    `checker`: carry on with one that has already seen rows (a part seeded with the file's first rows);
    `record_places`: remember every row's place, so a part's row numbers can be told from its lines later."""

    def __init__(self, plan: _Plan, unit: str, *, keep_rows: int | None = None, collect_skipped: bool = False,
                 sink=None, min_score_gap: float | None = None, checker: RowChecker | None = None,
                 record_places: bool = False):
        self.plan, self.unit = plan, unit
        self.checker = checker or (RowChecker(plan.shape, plan.conversational, plan.columns, unit)
                                   if plan.shape else None)
        self.scores = _Scores(plan.scores_at, min_score_gap) if plan.scores_at else None
        self.keep_rows, self.collect_skipped, self.sink = keep_rows, collect_skipped, sink
        self.kept: list[dict] = []
        self.skipped_listed: list[dict] = []
        self.skipped_rows: list[dict] = []
        self.groups: list[tuple[int, list[Finding]]] = []  # (place, findings) of rows while under MAX_FINDINGS
        self.listed = 0  # findings in `groups`
        self.duplicates: list[tuple[Finding, int]] = []  # the duplicate warnings in `groups`, with the place named
        self.columns = _Columns()
        self.preview: list[dict] = []
        self.counts = Counter()  # bad, media, placeholders, joined, tool_json
        self.media_kinds: Counter = Counter()
        self.placeholder_places: list[int] = []
        self.rows = self.good = 0
        self.places = array("q") if record_places else None

    def feed(self, pairs, attached_findings: dict | None = None) -> None:
        """Take the (place, row) pairs, mapped and converted, in file order."""
        checker, media = self.checker, self.plan.media
        counts, kept, limit, preview, sink = self.counts, self.kept, self.keep_rows, self.preview, self.sink
        skipped_listed, skipped_rows, collect_skipped = self.skipped_listed, self.skipped_rows, self.collect_skipped
        groups, places = self.groups, self.places
        normalize = self.plan.conversational or bool(media)
        keysets = self.columns.keysets
        line_unit = self.unit == "line"
        check = checker.check if checker is not None else None
        good, index = self.good, self.rows
        for index, (place, row) in enumerate(pairs, start=self.rows + 1):
            if places is not None:
                places.append(place)
            source = row
            if normalize:
                found_content = content.RowContent()
                row = content.normalize_row(row, media, found_content)
                if found_content.joined:
                    counts["joined"] += 1
                if found_content.tool_json:
                    counts["tool_json"] += 1
            if tuple(row) not in keysets:  # rows share their columns: only a new set is counted
                self.columns.add(row)
            if check is not None:  # (else: no known shape, nothing to check the rows against)
                found = check(row, place, index)
                if attached_findings and place in attached_findings:
                    found = attached_findings.pop(place) + found
                kinds = checker.marker
                if found or kinds or (normalize and found_content.media):
                    reasons = [f"{f.column}: {f.message}" if f.column else f.message for f in found
                               if f.level == "error"]
                    kinds = (found_content.media if normalize else []) + ([kinds] if kinds else [])
                    if kinds:
                        counts["media"] += 1
                        self.media_kinds.update(set(kinds))
                        reasons = [f"holds {content.describe_media(kinds)}: this studio trains on text only"] + reasons
                    elif reasons:
                        counts["bad"] += 1
                    if found and self.listed < MAX_FINDINGS:
                        groups.append((place, found))
                        self.listed += len(found)
                        if checker.duplicate_of is not None:  # the duplicate warning is the row's last finding
                            self.duplicates.append((found[-1], checker.duplicate_of))
                    if reasons:
                        entry = {"row": index, "line": place, "reasons": reasons} if line_unit else \
                            {"row": place, "reasons": reasons}
                        if len(skipped_listed) < MAX_SKIPPED_LISTED:
                            skipped_listed.append(dict(entry))
                        if collect_skipped:
                            skipped_rows.append({**entry, "data": source})
                        continue
                if checker.placeholder:
                    counts["placeholders"] += 1
                    if len(self.placeholder_places) < 5:
                        self.placeholder_places.append(place)
                if media:
                    row = {k: v for k, v in row.items() if k not in media}
                if self.scores is not None:
                    self.scores.add(row)
            good += 1
            if sink is not None:
                sink(row)
            if limit is None or len(kept) < limit:
                kept.append(row)
            if len(preview) < PREVIEW_ROWS:
                preview.append(shorten(row))
        self.rows, self.good = index, good

    def row_findings(self) -> list[Finding]:
        return [finding for _, found in self.groups for finding in found]


def inspect_stream(stream: RowStream, name: str, mapping: dict | None = None, path: str = "",
                   holdout_rows: int = 0, *, skip_bad_rows: bool = True, min_score_gap: float | None = None,
                   keep_rows: int | None = None, collect_skipped: bool = False, sink=None,
                   parts=None) -> Inspection:
    """Inspect the rows of `stream` as they pass; `sink`, if given, is called with each row training reads
    (in order, all of them, whatever `keep_rows` keeps): e.g. to write a mapped copy of a large file.
    `parts` (parts.py): the rest of the file is checked by other processes, merged in once this one is done."""
    items = iter(stream)
    plan = _plan(items, name, mapping)
    tally = _Tally(plan, stream.unit, keep_rows=keep_rows, collect_skipped=collect_skipped, sink=sink,
                   min_score_gap=min_score_gap)
    rest = ((place, plan.transform(row)) for place, row in items) if plan.transform else items
    tally.feed(chain(_drain(plan.head, plan.head_final), rest), stream.row_findings)
    if parts is not None:
        parts.merge_into(tally, stream)
    return _inspection(tally, stream, name, path, holdout_rows, skip_bad_rows)


def _inspection(tally: _Tally, stream: RowStream, name: str, path: str, holdout_rows: int,
                skip_bad_rows: bool) -> Inspection:
    """The report once every row has passed."""
    plan, counts, checker, scores = tally.plan, tally.counts, tally.checker, tally.scores
    shape, columns, media, conversions = plan.shape, plan.columns, plan.media, list(plan.conversions)
    unit = stream.unit
    findings: list[Finding] = list(stream.findings)
    if shape is None:
        hint = f" They look like {_describe(plan.suggested)}." if plan.suggested else ""
        findings.append(Finding(
            "error",
            f"no known dataset shape in columns {columns}.{hint} Expected e.g. 'messages', 'text', "
            "'prompt'+'completion', 'prompt'+'chosen'+'rejected' or 'prompt'+'completion'+'label'; "
            "rename the columns, or map them (the Data tab's column mapping, or --map TARGET=COLUMN).",
        ))
    summary: list[Finding] = []
    if shape is not None:
        summary.extend(checker.finish(tally.good))
        summary.extend(check_split(tally.good, holdout_rows))
    if counts["media"]:
        where = [f"column '{c}'" for c in media] + ["content parts or <image>-style markers in the text"]
        kinds = content.describe_media(tally.media_kinds)
        summary.append(Finding("warning", f"{counts['media']:,} row(s) hold {kinds} "
                               f"({' or '.join(where)}); this studio trains on text only, so these rows are left out "
                               f"of training ({tally.good:,} text row(s) remain)."))
    if counts["placeholders"]:
        first = ", ".join(f"{unit} {p}" for p in tally.placeholder_places)
        summary.append(Finding("warning", f"{counts['placeholders']:,} row(s) still hold template placeholders such as "
                               f"{{{{name}}}} or <NAME> (first: {first}); fill them in, or the model learns to "
                               "write them."))
    if scores is not None:
        summary.extend(scores.findings())
    if counts["joined"]:
        conversions.append(f"Joined the text parts of message content given as a list of parts ({counts['joined']:,} "
                           "row(s)); non-text parts are reported, not trained on.")
    if counts["tool_json"]:
        conversions.append(f"Wrote tool results given as objects as JSON text ({counts['tool_json']:,} row(s)).")
    if media and tally.good:
        conversions.append(f"Dropped the media column(s) {', '.join(repr(c) for c in media)}: this studio trains on "
                           "text only.")
    if "tools" in columns or plan.tool_turns:
        conversions.append("Kept the tool definitions and tool-call turns for the chat template.")
    room = max(0, MAX_FINDINGS - len(summary))
    findings = (findings + tally.row_findings())[:room] + summary
    unreadable = stream.unreadable
    skipped_listed = _merge_unreadable(tally.skipped_listed, stream.findings)[:MAX_SKIPPED_LISTED]
    skipped_rows = _merge_unreadable(tally.skipped_rows, stream.findings) if tally.collect_skipped else []
    report = DatasetReport(
        source=name, file_format=stream.file_format, rows=tally.rows, columns=tally.columns.names(),
        shape=shape or "unknown", conversational=plan.conversational, findings=findings,
        preview=tally.preview, path=path, source_columns=plan.source_columns,
        column_mapping=plan.applied, suggested_mapping=plan.suggested, conversions=conversions,
        skip_bad_rows=skip_bad_rows, max_bad_share=MAX_BAD_SHARE, unreadable_rows=unreadable,
        bad_rows=counts["bad"] + unreadable, media_rows=counts["media"],
        skipped_rows=counts["bad"] + counts["media"] + unreadable, training_rows=tally.good,
        skipped=skipped_listed, scores=scores.summary() if scores is not None else None,
    )
    return Inspection(report, tally.kept, skipped_rows)


def reason_counts(skipped: list[dict]) -> Counter:
    """How often each kind of reason leaves a row out (the first reason of each row; numbers read as N, so
    "line 7 is not valid JSON" and "line 9 is not valid JSON" count as one kind)."""
    return Counter(re.sub(r"\d+", "N", entry["reasons"][0]) for entry in skipped if entry.get("reasons"))


def _drain(head: list, rows: list):
    """(place, row) for the rows read ahead, letting go of each once it is handed out."""
    for i, row in enumerate(rows):
        place = head[i][0]
        head[i] = rows[i] = None
        yield place, row


def _has_tool_turns(rows: list[dict]) -> bool:
    for row in rows:
        for column in content.MESSAGE_COLUMNS:
            value = row.get(column)
            if type(value) is list and any(isinstance(m, dict) and (m.get("role") == "tool" or m.get("tool_calls"))
                                           for m in value):
                return True
    return False


def _merge_unreadable(entries: list[dict], unreadable: list[Finding]) -> list[dict]:
    """The skipped rows with the unreadable lines among them, in file order."""
    if not unreadable:
        return entries
    extra = [{"row": f.row, "line": f.line, "reasons": [f.message]} if f.line is not None else
             {"row": f.row, "reasons": [f.message]} for f in unreadable]
    return sorted(entries + extra, key=lambda e: e.get("line") or e.get("row") or 0)


def _describe(mapping: dict[str, str]) -> str:
    return ", ".join(f"'{c}' → {t}" for t, c in mapping.items())


def check_split(total: int, holdout_rows: int) -> list[Finding]:
    """What keeping `holdout_rows` out for evaluation (at most a tenth of the rows, as runs do) leaves."""
    if holdout_rows <= 0 or total < MIN_ROWS:
        return []
    held = min(holdout_rows, total // 10)
    findings = []
    if held < min(holdout_rows, MIN_EVAL_ROWS):
        findings.append(Finding("warning", f"of the {holdout_rows} rows asked for, only {held} can be kept out for "
                                f"the end-of-run evaluation (at most a tenth of {total}); the before/after comparison "
                                "will say little. Add rows, or set holdout_rows to 0."))
    if total - held < MIN_ROWS:
        findings.append(Finding("warning", f"keeping {held} rows out for evaluation leaves {total - held} to train "
                                f"on, under the {MIN_ROWS} training needs."))
    return findings


def to_dataset(rows: list[dict], report: DatasetReport):
    """Checked rows → `datasets.Dataset` in the detected TRL shape (labels become real booleans)."""
    if not report.usable:
        raise ValueError(blocked_message(report))
    from datasets import Dataset

    if report.shape == "unpaired_preference":
        rows = [{**r, "label": parse_label(r["label"])} for r in rows]
    return Dataset.from_list(rows)


def blocked_message(report: DatasetReport) -> str:
    """Why `report`'s data can't be trained on, naming the file and the first error's row and column."""
    errors = report.errors
    first = next((f for f in errors if f.row_level), errors[0] if errors else None)
    where = f" First: {first.describe(report.source)}" if first is not None else ""
    return f"{report.source} has {len(errors)} error(s) to fix before training: {report.blocked_reason}{where}"


def drop_near_ties(rows: list[dict], report: DatasetReport, min_gap: float | None) -> tuple[list[dict], list[dict]]:
    """Preference rows whose score gap (chosen − rejected) is at least `min_gap`, and the ones left out as
    {reasons, data} records (a row without both scores is kept). No score columns or no gap: all kept."""
    scores = report.scores or {}
    if not min_gap or not scores:
        return rows, []
    chosen, rejected = scores["chosen_column"], scores["rejected_column"]
    kept, dropped = [], []
    for row in rows:
        a, b = row.get(chosen), row.get(rejected)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a - b < min_gap:
            dropped.append({"reasons": [f"score gap {a - b:g} ('{chosen}' − '{rejected}') is below min_score_gap "
                                        f"{min_gap:g}"], "data": row})
        else:
            kept.append(row)
    return kept, dropped


def shorten(row: dict, limit: int = 400, items: int = 20, levels: int = 6) -> dict:
    """A copy of `row` small enough to show: long text cut, long lists cut, deep nesting elided."""
    def cut(value, level):
        if isinstance(value, str):
            return value[:limit] + "…" if len(value) > limit else value
        if isinstance(value, (list, dict)) and level >= levels:
            return "…"
        if isinstance(value, list):
            return [cut(v, level + 1) for v in value[:items]]
        if isinstance(value, dict):
            return {str(k): cut(v, level + 1) for k, v in list(value.items())[:items]}
        return value

    return {k: cut(v, 0) for k, v in row.items()}
