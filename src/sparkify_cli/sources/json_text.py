"""JSON as RFC 8259 has it, strictly: Python's json also reads NaN, Infinity and lone surrogate
escapes, and DuckDB's reader also takes trailing commas; sparkify refuses all of them on every
warehouse, with Python's reason and the column where the text stops being JSON."""

from __future__ import annotations

import json
import re
from typing import NoReturn

WHITESPACE = " \t\n\r"  # JSON's (str.isspace() takes more: form feeds, no-break spaces, ...)


class _Constant(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON (RFC 8259) has no such value."""


def _refuse(name: str) -> NoReturn:
    raise _Constant(name)


_STRICT = json.JSONDecoder(parse_constant=_refuse)
# A JSON string, or a constant outside one (the text before it parsed, so strings are well-formed).
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?(?:NaN|Infinity))')
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def decode(text: str, pos: int) -> tuple[int, tuple[str, int | None] | None]:
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
    lone = lone_surrogate(text, pos, end)
    return (end, None) if lone is None else (pos, lone)


def lone_surrogate(text: str, start: int, end: int) -> tuple[str, int] | None:
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


def column(text: str, at: int) -> int:
    return at - text.rfind("\n", 0, at)


def json_error(raw: str) -> tuple[str, int | None] | None:
    """Why a line is not JSON (RFC 8259) and the column where it stops being JSON, as Python's
    strict json sees it; None when it is JSON."""
    start = len(raw) - len(raw.lstrip(WHITESPACE))
    end, error = decode(raw, start)
    if error is None:
        rest = raw[end:].lstrip(WHITESPACE)
        if not rest:
            return None
        error = ("invalid JSON: Extra data", len(raw) - len(rest))
    reason, at = error
    return reason, None if at is None else column(raw, at)
