"""The slow, careful path for files DuckDB cannot split into JSON lines by itself:
undecodable bytes, gzip content, and song files holding pretty-printed or several objects."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path
from typing import NoReturn

# (path, line_no, raw text or None, reason or None, column or None)
Row = tuple[str, int, str | None, str | None, int | None]


def _text_lines(path: Path, data: bytes) -> list[Row]:
    rows: list[Row] = []
    for number, chunk in enumerate(data.split(b"\n"), start=1):
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            rows.append(
                (
                    str(path),
                    number,
                    chunk[:1000].decode("utf-8", "replace"),
                    f"invalid UTF-8 at byte {exc.start + 1}",
                    exc.start + 1,
                )
            )
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        rows.append((str(path), number, line.rstrip("\r"), None, None))
    return rows


def _raw(path: Path) -> tuple[bytes, list[Row]]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":  # gzip: valid data, compressed
        try:
            return gzip.decompress(data), []
        except (OSError, EOFError, zlib.error) as exc:
            return b"", [(str(path), 1, None, f"corrupt gzip content: {exc}", None)]
    return data, []


def event_lines(path: Path) -> list[Row]:
    data, errors = _raw(path)
    return errors or _text_lines(path, data)


def song_objects(path: Path) -> list[Row]:
    """Each JSON object of a song file as one compact line, numbered by the line it starts on."""
    data, errors = _raw(path)
    if errors:
        return errors
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return _text_lines(path, data)
    pos, rows = 0, list[Row]()
    while True:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= len(text):
            return rows
        end, error = _decode(text, pos)
        if error is not None:
            reason, at = error
            line = text.count("\n", 0, at) + 1 if at is not None else text.count("\n", 0, pos) + 1
            col = _column(text, at) if at is not None else None
            rows.append((str(path), line, text[pos : pos + 1000], reason, col))
            return rows
        # Newlines outside strings are insignificant whitespace (raw ones inside strings are invalid
        # JSON and were refused above), so joining the lines does not change the object.
        line = text.count("\n", 0, pos) + 1
        rows.append((str(path), line, text[pos:end].replace("\r", " ").replace("\n", " "), None, None))
        pos = end


_WHITESPACE = " \t\n\r"  # JSON's (str.isspace() takes more: form feeds, no-break spaces, ...)


class _Constant(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON (RFC 8259) has no such value."""


def _refuse(name: str) -> NoReturn:
    raise _Constant(name)


_STRICT = json.JSONDecoder(parse_constant=_refuse)
# A JSON string, or a constant outside one (the text before it parsed, so strings are well-formed).
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?(?:NaN|Infinity))')
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def _decode(text: str, pos: int) -> tuple[int, tuple[str, int | None] | None]:
    """Decode the JSON value at pos as RFC 8259 has it: (its end, None), or (pos, (reason, index of
    the first text that is not JSON, when known))."""
    try:
        _, end = _STRICT.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        return pos, (f"invalid JSON: {exc.msg}", exc.pos)
    except _Constant as exc:
        found = next((m for m in _STRING_OR_CONSTANT.finditer(text, pos) if m.group(1)), None)
        return pos, (f"invalid JSON: {exc} is not a JSON number", found and found.start(1))
    except RecursionError:
        return pos, ("invalid JSON: nested too deeply", None)
    lone = _lone_surrogate(text, pos, end)
    return (end, None) if lone is None else (pos, lone)


def _lone_surrogate(text: str, start: int, end: int) -> tuple[str, int] | None:
    """A \\ud800-\\udfff escape that is not half of a pair is JSON text but no character: it cannot
    be stored as text, so it is refused too."""
    if "\\u" not in text[start:end]:
        return None
    high: re.Match[str] | None = None  # a high surrogate waiting for its low half
    for escape in _ESCAPE.finditer(text, start, end):
        code = int(escape.group(1), 16) if escape.group(1) else -1
        if high is not None:
            if escape.start() != high.end() or not 0xDC00 <= code <= 0xDFFF:
                break
            high = None
        elif 0xD800 <= code <= 0xDBFF:
            high = escape
        elif 0xDC00 <= code <= 0xDFFF:
            high = escape  # a low half with no high half before it
            break
    if high is None:
        return None
    return f"invalid JSON: lone surrogate {high.group(0)}", high.start()


def _column(text: str, at: int) -> int:
    return at - text.rfind("\n", 0, at)


def json_error(raw: str) -> tuple[str, int | None] | None:
    """Why a line is not JSON (RFC 8259) and the column where it stops being JSON, as Python's
    strict json sees it; None when it is JSON."""
    start = len(raw) - len(raw.lstrip(_WHITESPACE))
    end, error = _decode(raw, start)
    if error is None:
        rest = raw[end:].lstrip(_WHITESPACE)
        if not rest:
            return None
        error = ("invalid JSON: Extra data", len(raw) - len(rest))
    reason, at = error
    return reason, None if at is None else _column(raw, at)


# A part DuckDB reads as one text must stay well under its memory limit (SPARKIFY_DUCKDB_MEMORY_LIMIT).
PART_BYTES = 32 << 20


def concatenate(paths: list[Path], folder: Path) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Many small files into a few (DuckDB pays a fixed cost per file it opens; Python does not).

    Parts stay under PART_BYTES so no single text DuckDB reads outgrows its memory limit.
    Returns (path, part file, first line number in that part) for every non-empty file written, and
    the files left for the careful path (undecodable or compressed). Each file ends with a newline.
    """
    starts: list[tuple[str, str, int]] = []
    careful: list[str] = []
    part, sink, line, size = "", None, 1, 0
    try:
        for path in paths:
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                careful.append(str(path))
                continue
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                careful.append(str(path))
                continue
            data = data.removeprefix(b"\xef\xbb\xbf")
            if not data:
                continue
            if not data.endswith(b"\n"):
                data += b"\n"
            if sink is None or size + len(data) > PART_BYTES:
                if sink is not None:
                    sink.close()
                part = str(folder / f"part-{len(starts):08d}.json")
                sink, line, size = open(part, "wb"), 1, 0  # noqa: SIM115 - closed above and below
            starts.append((str(path), part, line))
            sink.write(data)
            line += data.count(b"\n")
            size += len(data)
    finally:
        if sink is not None:
            sink.close()
    return starts, careful
