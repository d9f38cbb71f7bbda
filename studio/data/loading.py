"""Reading a dataset file into plain rows (dicts), with every unreadable line reported, not raised.

Supported: JSON Lines, JSON (an array of objects, or an object of equal-length arrays), CSV, TSV and
Parquet, each optionally gzip-compressed. Problems that make the whole file unusable raise ValueError
with the file name and what to do; problems with single lines come back as findings so the user sees
all of them at once.

`open_rows` gives a `RowStream`: the rows one at a time, so a JSON Lines, Parquet, CSV or TSV file of many
gigabytes is read in bounded memory (JSON arrays and gzip-compressed CSV, TSV and Parquet are still read
whole, then handed out one by one). `load_rows` reads everything into a `LoadedFile`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .report import Finding

try:
    import orjson as _orjson  # ships with gradio
except ImportError:  # pragma: no cover
    _orjson = None

MAX_FILE_BYTES = 10 * 2**30  # files over this are refused before reading (shared mode has its own upload cap)
SUPPORTED = (".jsonl", ".json", ".csv", ".tsv", ".parquet")
MAX_LOADER_FINDINGS = 500  # unreadable lines named one by one; all of them are counted
STREAM_TEXT_BYTES = 64 * 2**20  # CSV/TSV files larger than this are read as they stream (smaller: whole)


@dataclass
class LoadedFile:
    rows: list[dict]
    file_format: str
    findings: list[Finding] = field(default_factory=list)
    # Where each kept row sits in the file, as a person counts (skipped items keep their numbers);
    # empty means rows are numbered 1..n. JSONL counts lines, the other formats count rows.
    numbers: list[int] = field(default_factory=list)
    unit: str = "row"


def _format_of(path: Path) -> tuple[str, bool]:
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext == ".ndjson":
        ext = ".jsonl"
    return ext, compressed


class RowStream:
    """A file's rows as they are read: iterating gives (place, row), place as a person counts (JSONL: the
    line). Unreadable lines become `findings` as they are met. Iterate once."""

    def __init__(self, items, file_format: str, unit: str = "row", findings: list[Finding] | None = None,
                 row_findings: dict[int, list[Finding]] | None = None):
        self._items, self.file_format, self.unit = items, file_format, unit
        self.findings: list[Finding] = findings if findings is not None else []  # unreadable items (capped)
        self.unreadable = len(self.findings)  # how many items could not be read as a row, all of them counted
        self.row_findings = row_findings or {}  # place → findings about a row that was read (CSV: extra cells)
        self.position: int | None = None  # JSONL read in parts: the byte where the rest begins
        self.next_line: int | None = None  # ... and its line number (None: the file ended)

    def __iter__(self):
        return iter(self._items)

    def unreadable_item(self, finding: Finding) -> None:
        self.unreadable += 1
        if len(self.findings) < MAX_LOADER_FINDINGS:
            self.findings.append(finding)

    @classmethod
    def of(cls, loaded: LoadedFile) -> RowStream:
        numbers = loaded.numbers or range(1, len(loaded.rows) + 1)
        if loaded.file_format in ("csv", "tsv"):  # its findings are about rows it kept
            attached: dict[int, list[Finding]] = {}
            for finding in loaded.findings:
                attached.setdefault(finding.row, []).append(finding)
            return cls(zip(numbers, loaded.rows), loaded.file_format, loaded.unit, row_findings=attached)
        return cls(zip(numbers, loaded.rows), loaded.file_format, loaded.unit, list(loaded.findings))


def load_rows(path: str | Path, max_bytes: int = MAX_FILE_BYTES, max_rows: int | None = None) -> LoadedFile:
    """Read `path` into rows. Raises ValueError when the file as a whole can't be used.
    `max_bytes` bounds the file and what it expands to (gzip, Parquet); `max_rows` (shared mode) the rows."""
    stream = open_rows(path, max_bytes, max_rows)
    numbers, rows = [], []
    for number, row in stream:
        numbers.append(number)
        rows.append(row)
    if stream.file_format in ("csv", "tsv"):
        attached = [f for found in stream.row_findings.values() for f in found]
        return LoadedFile(rows, stream.file_format, attached)
    if stream.unit == "line" or stream.file_format == "json":
        return LoadedFile(rows, stream.file_format, stream.findings, numbers, stream.unit)
    return LoadedFile(rows, stream.file_format, stream.findings)


def open_rows(path: str | Path, max_bytes: int = MAX_FILE_BYTES, max_rows: int | None = None) -> RowStream:
    """`path`'s rows as a stream (JSON Lines read as it goes). Raises ValueError, before or while reading,
    when the file as a whole can't be used."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ValueError(f"{name}: no such file.")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{name}: the file is empty. Choose a file with at least a few rows.")
    if size > max_bytes:
        raise ValueError(
            f"{name}: the file is {_mb(size)}, over the {_mb(max_bytes)} limit. "
            "Use a smaller sample of it."
        )
    ext, compressed = _format_of(path)
    if ext not in SUPPORTED:
        raise ValueError(
            f"{name}: unsupported file type '{ext or 'none'}'. Use JSONL, JSON, CSV, TSV or Parquet (optionally .gz)."
        )
    if ext == ".jsonl":
        _sniff_binary(path, compressed)
        stream = RowStream((), "jsonl", "line")
        stream._items = _iter_jsonl(path, compressed, max_bytes, max_rows, stream)
        return stream
    if ext == ".parquet" and not compressed:
        return _stream_parquet(path, max_bytes, max_rows)
    if ext in (".csv", ".tsv") and not compressed and size > STREAM_TEXT_BYTES:
        return _stream_delimited(path, "\t" if ext == ".tsv" else ",", max_rows)
    if ext == ".parquet":
        loaded = _read_parquet(path, compressed, max_bytes, max_rows)
    else:
        text = _decode(_read_bytes(path, compressed, max_bytes), name, ext)
        loaded = _read_json(text, name) if ext == ".json" else \
            _read_delimited(text, name, "\t" if ext == ".tsv" else ",", max_rows)
    _check_rows(len(loaded.rows), max_rows, name)
    return RowStream.of(loaded)


def _check_rows(count: int, max_rows: int | None, name: str) -> None:
    if max_rows is not None and count > max_rows:
        raise ValueError(f"{name}: holds more than {max_rows:,} rows, the limit here. Use a smaller sample of it.")


def _decode(raw: bytes, name: str, ext: str) -> str:
    if b"\x00" in raw[:4096]:
        raise ValueError(f"{name}: this looks like a binary file, not {ext[1:].upper()} text.")
    try:
        return raw.decode("utf-8-sig")  # a BOM is tolerated
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not UTF-8 text (byte {exc.start}). Save the file as UTF-8 and try again.") from exc


def _read_bytes(path: Path, compressed: bool, max_bytes: int) -> bytes:
    if not compressed:
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)  # a small .gz can expand enormously: read no more than allowed
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path.name}: not valid gzip data ({exc}). Re-compress the file or upload it "
                         "uncompressed.") from exc
    if len(raw) > max_bytes:
        raise ValueError(f"{path.name}: expands to over the {_mb(max_bytes)} limit. Use a smaller sample of it.")
    return raw


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size:,} bytes"


def _parse_line(line: bytes):
    """One JSON value from one line: orjson when present (several times faster), else the standard library.
    Where orjson refuses a line (NaN, lone surrogates, depth over 1024) the standard library decides, so
    what is accepted and the messages are json's."""
    if _orjson is not None:
        try:
            return _orjson.loads(line)
        except _orjson.JSONDecodeError:
            pass
    return json.loads(line.decode("utf-8"))


def _gzip_error(name: str, exc: Exception) -> ValueError:
    return ValueError(f"{name}: not valid gzip data ({exc}). Re-compress the file or upload it uncompressed.")


def _sniff_binary(path: Path, compressed: bool) -> None:
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:
            if b"\x00" in handle.read(4096):
                raise ValueError(f"{path.name}: this looks like a binary file, not JSONL text.")
    except (OSError, EOFError, zlib.error) as exc:
        if not compressed:
            raise ValueError(f"{path.name}: could not be read ({exc}).") from exc
        raise _gzip_error(path.name, exc) from exc


def _iter_jsonl(path: Path, compressed: bool, max_bytes: int, max_rows: int | None, stream: RowStream, *,
                start: int = 0, end: int | None = None, first_line: int = 1, limit: int | None = None,
                at_least: int = 0, require_rows: bool = True):
    """(line number, row) for each readable line; unreadable lines go to `stream.unreadable_item`.

    A part of an uncompressed file (parts.py checks big files in several processes): the lines that begin in
    bytes [`start`, `end`) (read on past `end` until `at_least` rows were read), the first numbered
    `first_line`; `limit` stops after that many rows, leaving in `stream.position` and `stream.next_line`
    where the rest begins. `require_rows=False`: a part without a readable row is no error (the file as a
    whole decides that)."""
    name = path.name
    read = kept = 0
    span = end - start if end is not None else float("inf")
    budget = max_bytes - start
    loads, refused = (_orjson.loads, _orjson.JSONDecodeError) if _orjson is not None else (_parse_line, ())
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:
            if start:
                handle.seek(start)
            # Binary lines split on b"\n" only: str.splitlines() would also break on U+2028/U+2029, which
            # JSON strings may hold raw.
            for number, line in enumerate(handle, start=first_line):
                if read >= span and kept >= at_least:  # this line begins the next part
                    break
                read += len(line)
                if read > budget:
                    raise ValueError(f"{name}: expands to over the {_mb(max_bytes)} limit. Use a smaller sample of it.")
                if number == 1:
                    line = line.removeprefix(b"\xef\xbb\xbf")  # a BOM is tolerated
                if not line or line.isspace():  # (isspace stops at a row's first "{"; strip would copy it)
                    continue
                try:
                    try:
                        value = loads(line)
                    except refused:  # orjson refuses a few things json accepts: _parse_line decides
                        value = _parse_line(line)
                except UnicodeDecodeError as exc:
                    offset = start + read - len(line) + exc.start
                    raise ValueError(f"{name}: not UTF-8 text (byte {offset}). Save the file as UTF-8 and try "
                                     "again.") from exc
                except json.JSONDecodeError as exc:
                    stream.unreadable_item(Finding("error", f"line {number} is not valid JSON ({exc.msg}); fix or "
                                                   "delete it.", line=number))
                    continue
                except RecursionError:
                    stream.unreadable_item(Finding("error", f"line {number} is nested too deeply to read; flatten it "
                                                   "or delete it.", line=number))
                    continue
                if not isinstance(value, dict):
                    stream.unreadable_item(Finding("error", f"line {number} is a JSON {type(value).__name__}, not an "
                                                   "object; each line must be one {...} row.", line=number))
                    continue
                kept += 1
                if max_rows is not None and kept > max_rows:
                    _check_rows(kept, max_rows, name)
                if kept == limit:  # set before the row is handed out: the reader may stop asking after it
                    stream.position, stream.next_line = start + read, number + 1
                yield number, value
                if kept == limit:
                    return
    except (OSError, EOFError, zlib.error) as exc:
        if not compressed:
            raise ValueError(f"{name}: could not be read ({exc}).") from exc
        raise _gzip_error(name, exc) from exc
    stream.position, stream.next_line = start + read, None
    if not kept and require_rows:
        first = stream.findings[0].message if stream.findings else ""
        raise ValueError(f"{name}: no readable rows" + (f" ({first})" if first else "."))


def _read_json(text: str, name: str) -> LoadedFile:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}).") from exc
    except RecursionError as exc:
        raise ValueError(f"{name}: the JSON is nested too deeply to read; rows must be flat objects.") from exc
    if isinstance(value, dict):
        # {"data": [...]} or an object of equal-length columns
        lists = {k: v for k, v in value.items() if isinstance(v, list)}
        if len(value) == 1 and lists and all(isinstance(r, dict) for r in next(iter(lists.values()))):
            value = next(iter(lists.values()))
        elif lists and len(lists) == len(value) and len({len(v) for v in lists.values()}) == 1:
            keys = list(lists)
            value = [dict(zip(keys, items)) for items in zip(*lists.values())]
        else:
            raise ValueError(f"{name}: expected an array of row objects, or an object whose values are "
                             "equal-length lists.")
    if not isinstance(value, list) or not value:
        raise ValueError(f"{name}: expected a non-empty array of row objects.")
    rows, findings, numbers = [], [], []
    for index, row in enumerate(value, start=1):
        if isinstance(row, dict):
            rows.append(row)
            numbers.append(index)
        else:
            findings.append(Finding("error", f"item {index} is a {type(row).__name__}, not an object.", row=index))
    if not rows:
        raise ValueError(f"{name}: none of the array items is a row object.")
    return LoadedFile(rows, "json", findings, numbers)


def _read_delimited(text: str, name: str, delimiter: str, max_rows: int | None = None) -> LoadedFile:
    csv.field_size_limit(2**31 - 1)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames:
        raise ValueError(f"{name}: no header row found.")
    rows, findings = [], []
    for index, row in enumerate(reader, start=1):
        if None in row:  # more cells than header columns
            findings.append(Finding("error", f"row {index} has more cells than the header has columns.", row=index))
            row.pop(None)
        rows.append({k: v for k, v in row.items()})
        if max_rows is not None and len(rows) > max_rows:
            _check_rows(len(rows), max_rows, name)
    if not rows:
        raise ValueError(f"{name}: the header is there but no rows follow it.")
    return LoadedFile(rows, "tsv" if delimiter == "\t" else "csv", findings)


def _stream_delimited(path: Path, delimiter: str, max_rows: int | None) -> RowStream:
    """A large CSV/TSV file's rows as they are read (smaller ones are read whole, so a decoding error can name
    its byte); a row with more cells than the header is kept without them, with an error about it."""
    name = path.name
    with open(path, "rb") as handle:
        if b"\x00" in handle.read(4096):
            raise ValueError(f"{name}: this looks like a binary file, not {path.suffix[1:].upper()} text.")
    stream = RowStream((), "tsv" if delimiter == "\t" else "csv")

    def rows():
        csv.field_size_limit(2**31 - 1)
        index = 0
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            try:
                if not reader.fieldnames:
                    raise ValueError(f"{name}: no header row found.")
                for index, row in enumerate(reader, start=1):
                    if None in row:  # more cells than header columns
                        stream.row_findings[index] = [Finding(
                            "error", f"row {index} has more cells than the header has columns.", row=index)]
                        row.pop(None)
                    if max_rows is not None and index > max_rows:
                        _check_rows(index, max_rows, name)
                    yield index, row
            except UnicodeDecodeError as exc:
                raise ValueError(f"{name}: not UTF-8 text (after row {index:,}). Save the file as UTF-8 and try "
                                 "again.") from exc
            except csv.Error as exc:
                raise ValueError(f"{name}: not readable as {stream.file_format.upper()} after row {index:,} "
                                 f"({exc}).") from exc
        if not index:
            raise ValueError(f"{name}: the header is there but no rows follow it.")

    stream._items = rows()
    return stream


PARQUET_EXPANSION = 4  # Parquet compresses well: its data may be this many times the file-size limit


def _read_parquet(path: Path, compressed: bool, max_bytes: int = MAX_FILE_BYTES,
                  max_rows: int | None = None) -> LoadedFile:
    """A Parquet file's footer says how many rows it holds and how large its data is once decompressed: both
    are checked before anything is decompressed (a 20 KB file can expand to millions of rows)."""
    import pandas as pd
    import pyarrow.parquet as pq

    source = io.BytesIO(_read_bytes(path, True, max_bytes)) if compressed else path
    try:
        meta = pq.ParquetFile(source).metadata
    except Exception as exc:
        raise ValueError(f"{path.name}: not a readable Parquet file ({type(exc).__name__}).") from exc
    _check_rows(meta.num_rows, max_rows, path.name)
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if expanded > PARQUET_EXPANSION * max_bytes:
        raise ValueError(f"{path.name}: its data expands to {_mb(expanded)}, over the "
                         f"{_mb(PARQUET_EXPANSION * max_bytes)} limit. Use a smaller sample of it.")
    try:
        if compressed:
            source.seek(0)
        frame = pd.read_parquet(source)
    except Exception as exc:
        raise ValueError(f"{path.name}: not a readable Parquet file ({type(exc).__name__}).") from exc
    rows = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
    if not rows:
        raise ValueError(f"{path.name}: the Parquet file has no rows.")
    return LoadedFile(rows, "parquet")


def _stream_parquet(path: Path, max_bytes: int, max_rows: int | None, batch_rows: int = 2048) -> RowStream:
    """A Parquet file's rows, one batch at a time (its footer is checked first, as `_read_parquet` does)."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
    except Exception as exc:
        raise ValueError(f"{path.name}: not a readable Parquet file ({type(exc).__name__}).") from exc
    _check_rows(meta.num_rows, max_rows, path.name)
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if expanded > PARQUET_EXPANSION * max_bytes:
        raise ValueError(f"{path.name}: its data expands to {_mb(expanded)}, over the "
                         f"{_mb(PARQUET_EXPANSION * max_bytes)} limit. Use a smaller sample of it.")
    if meta.num_rows == 0:
        raise ValueError(f"{path.name}: the Parquet file has no rows.")
    # pandas keeps a non-default index as a column of its own; it is no data of the user's.
    columns = [name for name in parquet.schema_arrow.names if not name.startswith("__index_level_")]

    def rows():
        number = 0
        try:
            for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
                for row in batch.to_pylist():
                    number += 1
                    yield number, row
        except ValueError:
            raise
        except Exception as exc:
            raise ValueError(f"{path.name}: not a readable Parquet file past row {number:,} "
                             f"({type(exc).__name__}).") from exc

    return RowStream(rows(), "parquet")


def _plain(value):
    """numpy arrays/scalars from Parquet → plain Python values, so all formats look the same downstream."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def save_rows(rows: list[dict], path: str | Path) -> Path:
    """Write rows as JSON Lines (UTF-8), e.g. a hub split or a re-mapped file, so a run can read it later."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)
    return path
