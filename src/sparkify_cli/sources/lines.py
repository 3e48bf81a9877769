"""The slow, careful path for files a warehouse cannot split into JSON lines by itself:
undecodable bytes, gzip content, and song files holding pretty-printed or several objects.
Warehouse-neutral: each stager that needs it gives every line the same verdict with it."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from sparkify_cli.sources.json_text import WHITESPACE, column, decode, json_error

__all__ = ["Row", "event_lines", "json_error", "song_objects"]

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
        while pos < len(text) and text[pos] in WHITESPACE:
            pos += 1
        if pos >= len(text):
            return rows
        end, error = decode(text, pos)
        if error is not None:
            reason, at = error
            line = text.count("\n", 0, at) + 1 if at is not None else text.count("\n", 0, pos) + 1
            col = column(text, at) if at is not None else None
            rows.append((str(path), line, text[pos : pos + 1000], reason, col))
            return rows
        # Newlines outside strings are insignificant whitespace (raw ones inside strings are invalid
        # JSON and were refused above), so joining the lines does not change the object.
        line = text.count("\n", 0, pos) + 1
        rows.append((str(path), line, text[pos:end].replace("\r", " ").replace("\n", " "), None, None))
        pos = end
