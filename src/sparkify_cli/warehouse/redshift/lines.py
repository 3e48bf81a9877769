"""Log files as COPY input that keeps their lineage: sparkify reads each log file itself and hands
Redshift one CSV row per line, with the file, the line number and every field as (JSON type, text).

COPY has no file or line column, and its own JSON reader differs from DuckDB's (it matches keys
case-insensitively with 'auto ignorecase', loads "123" into a BIGINT, lets a JSON object span
lines). Reading the lines here, with the same rules as DuckDB staging (sql/stage/duckdb/raw_lines.sql,
warehouse/duckdb/read_lines.py: UTF-8, a BOM, CR line ends, blank lines, gzip; sources/json_text.py
for what is not JSON), gives every line the same verdict on both warehouses; the rules on fields
(sql/stage/redshift/validate.sql) are rendered from the SourceFormat, as DuckDB's are.
"""

from __future__ import annotations

import gzip
import json
import math
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sparkify_cli.sources.formats import MAX_LINE_BYTES, Field, SourceFormat
from sparkify_cli.sources.json_text import json_error

# A cell holds a text field's value up to one character past its width (a longer one is rejected
# for its length either way), or a number's text. Redshift sizes text in bytes, at most 4 a character.
NUMBER_CHARS = 32
RAW_CHARS, RAW_BYTES = 1000, 1024  # rejects.raw_line: 1,000 characters, and Redshift counts bytes
PART_BYTES = 128 << 20  # CSV per object COPY reads (a batch of many days is several objects)
_INT64, _UINT64 = 1 << 63, 1 << 64


@dataclass(frozen=True)
class Number:
    """A JSON number as DuckDB's json_type names it, and its text."""

    kind: str  # BIGINT, UBIGINT or DOUBLE
    text: str


class _Object(dict[str, object]):
    duplicated = False


class _NotJson(ValueError):
    pass


def _int(text: str) -> Number:
    value = int(text)
    if 0 <= value < _UINT64:
        return Number("UBIGINT", str(value))
    if -_INT64 <= value < 0:
        return Number("BIGINT", str(value))
    return _float(text)  # beyond 64 bits JSON readers (DuckDB's too) take a number as a double


def _float(text: str) -> Number:
    """A number no column can hold (1e400) keeps its type with no text: validate.sql rejects it as
    out of range for its field, as DuckDB does."""
    value = float(text)
    return Number("DOUBLE", repr(value) if math.isfinite(value) else "")


def _constant(text: str) -> object:
    raise _NotJson(f"{text} is not JSON")


def _pairs(pairs: list[tuple[str, object]]) -> _Object:
    found = _Object(pairs)
    found.duplicated = len(found) != len(pairs)
    return found


def cell_chars(field: Field) -> int:
    """How many characters of a field's text a cell keeps: enough for every verdict and value."""
    return field.width + 1 if field.kind == "string" else NUMBER_CHARS


def cell_bytes(field: Field) -> int:
    """The size of a field's text cell (Redshift counts bytes; UTF-8 takes at most 4 a character)."""
    return 4 * cell_chars(field)


def _type(value: object) -> str:
    if isinstance(value, Number):
        return value.kind
    if isinstance(value, bool):
        return "BOOLEAN"
    return {str: "VARCHAR", type(None): "NULL", list: "ARRAY"}.get(type(value), "OBJECT")


def _cut_raw(text: str) -> str:
    """The raw text kept with a reject: 1,000 characters, and no more bytes than the column holds."""
    cut = text[:RAW_CHARS].replace("\x00", "\ufffd").encode("utf-8", "replace")[:RAW_BYTES]
    return cut.decode("utf-8", "ignore")


@dataclass(frozen=True)
class Line:
    """One line of a log file: its reason when it is not a JSON object sparkify can stage, else its
    fields as (JSON type, text) cells, a missing key as (None, None)."""

    source_file: str
    line_no: int
    raw: str
    reason: str | None = None
    col: int | None = None
    cells: tuple[tuple[str | None, str | None], ...] = ()


def read_lines(source_file: str, data: bytes) -> Iterator[tuple[int, str, str | None, int | None]]:
    """(line number, text, reason, column) of every non-blank line, as DuckDB staging reads them."""
    if data[:2] == b"\x1f\x8b":  # gzip: valid data, compressed
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            yield 1, "", f"corrupt gzip content: {exc}", None
            return
    for number, chunk in enumerate(data.split(b"\n"), start=1):
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            # The reason and the column name the byte, as on DuckDB.
            where = exc.start + 1
            yield number, chunk[:RAW_CHARS].decode("utf-8", "replace"), f"invalid UTF-8 at byte {where}", where
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        text = text.rstrip("\r")
        if text.strip(" "):
            yield number, text, None, None


def parse_line(source_file: str, number: int, text: str, fmt: SourceFormat) -> Line:
    """A line's verdict on its shape (JSON, an object, no key twice), and its fields' cells."""
    if len(text.encode("utf-8")) > MAX_LINE_BYTES:
        return Line(source_file, number, _cut_raw(text), f"line is longer than {MAX_LINE_BYTES} bytes")
    not_json = json_error(text)  # RFC 8259 as every warehouse judges it: reason and column
    if not_json is not None:
        return Line(source_file, number, _cut_raw(text), *not_json)
    try:
        doc = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=_pairs)
    except (_NotJson, ValueError) as exc:  # ints too long for Python to convert
        return Line(source_file, number, _cut_raw(text), f"invalid JSON: {exc}")
    if not isinstance(doc, _Object):
        return Line(source_file, number, _cut_raw(text), f"not a JSON object but {_type(doc).lower()}")
    if doc.duplicated:
        return Line(source_file, number, _cut_raw(text), "duplicate keys in one object")
    cells: list[tuple[str | None, str | None]] = []
    for field in fmt.fields:
        if field.key not in doc:
            cells.append((None, None))
            continue
        value = doc[field.key]
        if isinstance(value, str):
            if "\x00" in value:  # Redshift text cannot hold NUL
                return Line(source_file, number, _cut_raw(text), f"field {field.key} holds a NUL character")
            cells.append(("VARCHAR", value[: cell_chars(field)]))
        elif isinstance(value, Number):
            cells.append((value.kind, value.text))
        elif isinstance(value, bool):
            cells.append(("BOOLEAN", "true" if value else "false"))
        else:
            cells.append((_type(value), None))
    return Line(source_file, number, _cut_raw(text), cells=tuple(cells))


def lines(source_file: str, data: bytes, fmt: SourceFormat) -> Iterator[Line]:
    for number, text, reason, col in read_lines(source_file, data):
        if reason is not None:
            yield Line(source_file, number, _cut_raw(text), reason, col)
        else:
            yield parse_line(source_file, number, text, fmt)


def columns(fmt: SourceFormat) -> list[str]:
    """The CSV's columns, in order (the copy table of sql/stage/redshift/prepare.sql)."""
    out = ["line_no", "source_file", "col", "reason", "raw_line"]
    for field in fmt.fields:
        out += [f"{field.column}_t", f"{field.column}_v"]
    return out


def _quoted(text: str | None) -> str:
    return "" if text is None else '"' + text.replace('"', '""') + '"'


def csv_row(line: Line, fmt: SourceFormat) -> str:
    """One CSV record; an absent value is an empty field (COPY ... EMPTYASNULL loads it as NULL)."""
    cells = line.cells or tuple((None, None) for _ in fmt.fields)
    out = [str(line.line_no), _quoted(line.source_file), str(line.col or 0), _quoted(line.reason), _quoted(line.raw)]
    for kind, text in cells:
        out += [_quoted(kind), _quoted(text)]
    return ",".join(out) + "\n"


def csv_parts(
    files: Iterable[tuple[str, bytes]], fmt: SourceFormat, *, part_bytes: int | None = None
) -> Iterator[tuple[bytes, int]]:
    """The lines of the files as gzipped CSV parts of about `part_bytes` (before compression) each,
    and how many records each holds: one file in memory at a time, and COPY loads the parts in
    parallel."""
    too_wide = [f.key for f in fmt.fields if cell_bytes(f) > 65535]
    if too_wide:
        raise ValueError(f"fields wider than a Redshift VARCHAR can hold: {too_wide}")
    part_bytes = part_bytes or PART_BYTES
    records: list[bytes] = []
    size = parts = 0
    for source_file, data in files:
        for line in lines(source_file, data, fmt):
            try:
                record = csv_row(line, fmt).encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate escape (\ud800) decodes to no UTF-8 text
                bad = Line(source_file, line.line_no, line.raw, "invalid JSON: unpaired surrogate in a string")
                record = csv_row(bad, fmt).encode("utf-8")
            records.append(record)
            size += len(record)
            if size >= part_bytes:
                yield gzip.compress(b"".join(records), compresslevel=5), len(records)
                records, size, parts = [], 0, parts + 1
    if records or not parts:  # an empty batch is one empty part: COPY needs an object to read
        yield gzip.compress(b"".join(records), compresslevel=5), len(records)


def csv_body(files: list[tuple[str, bytes]], fmt: SourceFormat) -> tuple[bytes, int]:
    """All the lines of the files as one gzipped CSV, and how many records it holds."""
    parts = list(csv_parts(files, fmt, part_bytes=1 << 62))
    return parts[0]
