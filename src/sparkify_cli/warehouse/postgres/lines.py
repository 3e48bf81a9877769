"""Source files as rows for COPY ... FROM STDIN (text format): file_no, line_no, raw, pre_reason,
pre_col, exponent.

PostgreSQL judges every line (sql/stage/postgres/check.sql). Decided here, as DuckDB staging decides
it, is only what cannot reach the server as text: bytes that are not UTF-8, gzip content, NUL bytes
(PostgreSQL text cannot hold them) and where the objects of a song file begin and end. A UTF-8 BOM
and CR line ends are valid data in an unusual shape: they are stripped and the line kept.

`exponent` marks the lines where a field's number may be written with an exponent (1e2, 1.5E3): the
server reads how their numbers were written from the text (the jsonb it parses keeps only their
values). A hint that may be true needlessly, never false wrongly.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

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
        return _format(file_no, list(_text_lines(data)))
    if "\x00" in text:  # text cannot hold NUL: such lines are judged here, like DuckDB judges them
        return _format(file_no, list(_text_lines(data)))
    if not one_object_per_line and not _lines_are_objects(text):
        return _format(file_no, list(_objects(text.removeprefix("\ufeff"))))
    return _fast(file_no, data)


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


def _text_lines(data: bytes) -> Iterator[Line]:
    """Line by line: a line that is not UTF-8 is rejected where it breaks; one holding NUL is
    rejected with the reason Python's decoder gives (what DuckDB reports for it too)."""
    for number, chunk in enumerate(data.split(b"\n"), start=1):
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, chunk[:1000].decode("utf-8", "replace"), f"invalid UTF-8 at byte {exc.start + 1}", None
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        line = line.rstrip("\r")
        if "\x00" in line:
            reason, col = explain_invalid(line)
            yield number, line, reason, col
        else:
            yield number, line, None, None


def _lines_are_objects(text: str) -> bool:
    """Does every non-blank line of a song file parse on its own? Otherwise its objects are
    pretty-printed or several to a line, and _objects finds them."""
    for line in text.removeprefix("\ufeff").split("\n"):
        line = line.rstrip("\r")
        if not line.strip(" "):
            continue
        try:
            json.loads(line)
        except json.JSONDecodeError:
            return False
        except RecursionError:
            continue  # nested too deeply for Python: the server judges it
    return True


def _objects(text: str) -> Iterator[Line]:
    """Each JSON object of a song file as one line, numbered by the line it starts on; from the
    first text that is not JSON on, the rest of the file is one rejected line."""
    decoder, pos, line, counted = json.JSONDecoder(), 0, 1, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            _, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield exc.lineno, text[pos : pos + 1000], f"invalid JSON: {exc.msg}", None
            return
        except RecursionError:
            yield line, text[pos : pos + 1000], "invalid JSON: nested too deeply", None
            return
        # Newlines outside strings are insignificant whitespace (raw ones inside strings are invalid
        # JSON and were refused above), so joining the lines does not change the object.
        yield line, text[pos:end].replace("\r", " ").replace("\n", " "), None, None
        line += text.count("\n", pos, end)
        counted = pos = end


def explain_invalid(raw: str) -> tuple[str, int | None]:
    """Why a line is not JSON, and where: Python's decoder names the column (DuckDB staging words
    its reasons the same way)."""
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg}", exc.colno
    except RecursionError:
        return "invalid JSON: nested too deeply", None
    return "invalid JSON", None
