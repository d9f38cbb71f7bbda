"""The plain records that describe a dataset to the rest of the studio: `Finding` and `DatasetReport`."""

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


@dataclass
class DatasetReport:
    """What the studio knows about a dataset after loading, detection, conversion and checks."""

    source: str
    file_format: str
    rows: int
    columns: list[str]
    shape: str  # one of formats.SHAPES
    conversational: bool
    conversion_note: str = ""
    findings: list[Finding] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

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
        return data
