"""Source files as rows for COPY ... FROM STDIN (text format): file_no, line_no, raw, pre_reason,
pre_col, exponent.

PostgreSQL judges every line (sql/stage/postgres/check.sql). Decided here, as DuckDB staging decides
it, is only what cannot reach the server as text: bytes that are not UTF-8, gzip content, NUL bytes
(PostgreSQL text cannot hold them) and where the objects of a song file begin and end. Those files
go through the careful reader every stager shares (sources/lines.py: warehouse-neutral
Python), so the reasons and columns are the same, word for word. A UTF-8 BOM and CR line ends are
valid data in an unusual shape: they are stripped and the line kept.

`exponent` marks the lines where a field's number may be written with an exponent (1e2, 1.5E3): the
server reads how their numbers were written from the text (the jsonb it parses keeps only their
values). A hint that may be true needlessly, never false wrongly.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterable
from pathlib import Path

from sparkify_cli.sources import lines as careful

# line_no, raw text (None: nothing readable), reason decided here (None: for the server), its column
Line = tuple[int, str | None, str | None, int | None]

_BOM = b"\xef\xbb\xbf"
_TRAILING_CR = re.compile(rb"\r+(?=\n|\Z)")
# A value that starts like a number and has an exponent (after a key's colon: the fields' values).
# Superset by design: the same text inside a string only costs a second look at that line.
_EXPONENT = re.compile(rb":\s*-?[0-9][0-9.]*[eE]")
_NULL = "\\N"


def read(path: Path) -> tuple[bytes, Line | None]:
    """The file's bytes, gunzipped when they are gzip; a corrupt gzip file is one rejected line."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data), None
        except (OSError, EOFError, zlib.error) as exc:
            return b"", (1, None, f"corrupt gzip content: {exc}", None)
    return data, None


def copy_rows(file_no: int, path: Path, one_object_per_line: bool) -> bytes:
    """The file as COPY text rows, newline-terminated (b"" for an empty file)."""
    data, failed = read(path)
    if failed is not None:
        return _format(file_no, [failed])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _format(file_no, _careful(path, one_object_per_line))
    if "\x00" in text:  # text cannot hold NUL: such lines are judged here, as DuckDB judges them
        return _format(file_no, _careful(path, one_object_per_line))
    if not one_object_per_line and not all(lenient_json(line) for line in _lines(text)):
        # pretty-printed, or several objects to a line: DuckDB's careful reader finds the objects
        return _format(file_no, _careful(path, one_object_per_line))
    return _fast(file_no, data)


def _careful(path: Path, one_object_per_line: bool) -> list[Line]:
    """DuckDB staging's careful reading of the file; a line holding NUL gets the reason DuckDB gives
    it (its reader keeps the NUL, and strict JSON refuses it)."""
    rows = careful.event_lines(path) if one_object_per_line else careful.song_objects(path)
    out: list[Line] = []
    for _path, number, raw, reason, col in rows:
        if reason is None and raw is not None and "\x00" in raw:
            reason, col = careful.json_error(raw) or ("invalid JSON", None)
        out.append((number, raw, reason, col))
    return out


def _lines(text: str) -> Iterable[str]:
    """The non-blank lines of a file, as DuckDB staging reads them."""
    for line in text.removeprefix("\ufeff").split("\n"):
        line = line.rstrip("\r")
        if line.strip(" "):
            yield line


_TRAILING_COMMA = re.compile(r",[ \t\r\n]*([}\]])")


def lenient_json(line: str) -> bool:
    """Would DuckDB's reader take the line as JSON? It also takes NaN, Infinity and trailing commas,
    which strict JSON refuses afterwards, line by line. (Python's json takes the constants.)"""
    for attempt in (line, _TRAILING_COMMA.sub(r"\1", line)):
        try:
            json.loads(attempt)
        except RecursionError:
            return True  # nested too deeply for Python: the server judges it
        except ValueError:
            continue
        return True
    return False


def _fast(file_no: int, data: bytes) -> bytes:
    """Valid UTF-8 without NUL: escaped for COPY as a whole, then numbered line by line (as bytes:
    the hot path of staging)."""
    while data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data:
        return b""
    # the hint reads the text as it is (escaping would hide a tab between a colon and a number)
    flags = [b"t" if _EXPONENT.search(line) else b"f" for line in data.split(b"\n")] if _EXPONENT.search(data) else None
    data = data.replace(b"\\", b"\\\\").replace(b"\t", b"\\t")
    if b"\r" in data:  # the regex is slow: only for files that have a CR at all
        data = _TRAILING_CR.sub(b"", data).replace(b"\r", b"\\r")
    rows = data.split(b"\n")  # escaping adds no newline: the same lines as the flags'
    flagged = zip(rows, flags, strict=True) if flags is not None else ((line, b"f") for line in rows)
    return b"".join(
        [b"%d\t%d\t%s\t\\N\t\\N\t%s\n" % (file_no, n, line, flag) for n, (line, flag) in enumerate(flagged, 1)]
    )


def _format(file_no: int, lines: list[Line]) -> bytes:
    out = []
    for number, raw, reason, col in lines:
        flag = "t" if raw is not None and _EXPONENT.search(raw.encode()) else "f"
        col_text = _NULL if col is None else col
        out.append(f"{file_no}\t{number}\t{_escape(raw)}\t{_escape(reason)}\t{col_text}\t{flag}\n")
    return "".join(out).encode()


def _escape(value: str | None) -> str:
    if value is None:
        return _NULL
    value = value.replace("\x00", "\ufffd")
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
