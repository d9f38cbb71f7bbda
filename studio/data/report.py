"""The plain records that describe a dataset to the rest of the studio: `Finding` and `DatasetReport`.

`DatasetReport.to_dict()` is everything (the UI keeps it in its state); `contract_dict()` is the object
`python -m studio validate --json` prints, whose keys are a promise to scripts (see issue 3): keys are only
ever added.

Bad rows are skipped, not blocking (issue 15): a row with a row-level error (or media, which this studio
doesn't train on) is left out of training and listed in `skipped`. The data is blocked only when the file
as a whole is unusable (an error that names no row), when more than `max_bad_share` of its rows are bad,
when nothing is left to train on, or — with `skip_bad_rows` off ("block on any error") — on any error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MAX_BAD_SHARE = 0.05  # more bad rows than this share blocks training instead of skipping them
MAX_SKIPPED_LISTED = 1000  # skipped rows named one by one in a report (all of them go to a run's skipped.jsonl)


@dataclass
class Finding:
    """One problem. Rows and lines are counted as a person counts them (the first is 1)."""

    level: str  # "error" blocks training, "warning" does not
    message: str
    row: int | None = None
    column: str | None = None
    line: int | None = None

    @property
    def row_level(self) -> bool:
        """Whether the finding names a row (or line): an error there makes that row bad, not the file."""
        return self.row is not None or self.line is not None

    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def describe(self, file_name: str = "") -> str:
        where = ", ".join(p for p in (file_name, self.where()) if p)
        return f"{self.level.upper()} {where}: {self.message}" if where else f"{self.level.upper()}: {self.message}"

    def to_json(self) -> dict:
        """{row, column, message}, plus line where the file counts lines (JSONL)."""
        data = {"row": self.row, "column": self.column, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data


@dataclass
class DatasetReport:
    """What the studio knows about a dataset after loading, mapping, conversion and checks."""

    source: str  # the file name (or hub id) findings are reported against
    file_format: str  # jsonl, json, csv, tsv, parquet or hub
    rows: int
    columns: list[str]  # after mapping and conversion: the columns the trainer sees
    shape: str  # one of formats.SHAPES, or "unknown"
    conversational: bool
    findings: list[Finding] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    path: str = ""  # as given (a local path or a hub id)
    source_columns: list[str] = field(default_factory=list)  # the file's own columns, before mapping
    column_mapping: dict[str, str] = field(default_factory=dict)  # target → the file's column it came from
    suggested_mapping: dict[str, str] = field(default_factory=dict)  # guesses from names, applied or not
    conversions: list[str] = field(default_factory=list)  # one note per change made on import
    tokens: dict | None = None  # tokens.TokenStats.to_dict() once token statistics were measured
    skip_bad_rows: bool = True  # False: "block on any error"
    max_bad_share: float = MAX_BAD_SHARE
    unreadable_rows: int = 0  # lines or items that could not be read as a row at all (not in `rows`)
    bad_rows: int = 0  # rows with an error, the unreadable ones included
    media_rows: int = 0  # rows with images, audio or video: this studio trains text only
    skipped_rows: int = 0  # rows left out of training: bad_rows + media_rows
    training_rows: int = 0  # rows training reads (rows - the parsed rows left out)
    skipped: list[dict] = field(default_factory=list)  # {row, line?, reasons}, the first MAX_SKIPPED_LISTED
    scores: dict | None = None  # score columns of a preference file and what they say (see validation.py)

    @property
    def conversion_note(self) -> str:
        return " ".join(self.conversions)

    @property
    def dataset_type(self) -> str | None:
        """TRL's name for the shape, None when no shape was recognised."""
        return None if self.shape == "unknown" else self.shape

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def file_errors(self) -> list[Finding]:
        """Errors about the file as a whole (they name no row): these always block."""
        return [f for f in self.errors if not f.row_level]

    @property
    def bad_share(self) -> float:
        return self.bad_rows / max(1, self.rows + self.unreadable_rows)

    @property
    def blocked_reason(self) -> str:
        """Why the data can't be trained on, in one sentence; "" when it can (skipped rows allowed)."""
        if self.file_errors:
            return self.file_errors[0].message
        errors = self.errors
        if errors and not self.skip_bad_rows:
            return (f"{len(errors)} error(s) and 'block on any error' is on (skip_bad_rows: false); fix them, or "
                    "let the studio leave the bad rows out.")
        if self.bad_rows and self.bad_share > self.max_bad_share:
            total = self.rows + self.unreadable_rows
            return (f"{self.bad_rows:,} of {total:,} rows ({self.bad_share:.1%}) have errors, more than the "
                    f"{self.max_bad_share:.0%} the studio leaves out by itself; fix the rows the findings name "
                    "(a share this large usually means the columns or the format are not what they seem).")
        if self.rows and self.skipped_rows and self.training_rows == 0:
            if self.media_rows:
                return (f"{self.media_rows:,} of the rows hold images, audio or video and none is left once they are "
                        "left out: this studio trains on text only. Use a text dataset.")
            return "no row is left to train on once the bad rows are left out."
        return ""

    @property
    def usable(self) -> bool:
        return not self.blocked_reason

    def to_dict(self) -> dict:
        data = asdict(self)
        data["usable"] = self.usable
        data["conversion_note"] = self.conversion_note
        data["blocked_reason"] = self.blocked_reason
        return data

    def contract_dict(self, recommended_methods: list[str] | None = None) -> dict:
        return {
            "path": self.path or self.source,
            "source_format": self.file_format,
            "dataset_type": self.dataset_type,
            "conversational": self.conversational,
            "rows": self.rows,
            "columns": list(self.columns),
            "column_mapping": dict(self.column_mapping),
            "conversions": list(self.conversions),
            "errors": [f.to_json() for f in self.errors],
            "warnings": [f.to_json() for f in self.warnings],
            "recommended_methods": list(recommended_methods or []),
            # Added for issue 15: what training leaves out, and why the data is blocked (null when usable).
            "usable": self.usable,
            "blocked_reason": self.blocked_reason or None,
            "training_rows": self.training_rows,
            "skipped_rows": self.skipped_rows,
            "skipped": [dict(s) for s in self.skipped],
            "skipped_listed_all": len(self.skipped) >= self.skipped_rows,
            "skip_bad_rows": self.skip_bad_rows,
            "max_bad_share": self.max_bad_share,
            "scores": self.scores,
        }
