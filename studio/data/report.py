"""The plain records that describe a dataset to the rest of the studio: `Finding` and `DatasetReport`.

`DatasetReport.to_dict()` is everything (the UI keeps it in its state); `contract_dict()` is the object
`python -m studio validate --json` prints, whose keys are a promise to scripts (see issue 3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Finding:
    """One problem. Rows and lines are counted as a person counts them (the first is 1)."""

    level: str  # "error" blocks training, "warning" does not
    message: str
    row: int | None = None
    column: str | None = None
    line: int | None = None

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
    def usable(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        data = asdict(self)
        data["usable"] = self.usable
        data["conversion_note"] = self.conversion_note
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
        }
