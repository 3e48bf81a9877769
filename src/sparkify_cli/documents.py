"""Named aliases for the places where a value really can be anything: JSON documents (AWS answers,
--format json output, the ledger's counts) and the values a Jinja template renders; the one way the
CLI writes a JSON document; and the one way any message writes a count (`1 log file`, `1,234 log
files`), so every layer says it the same way."""

from __future__ import annotations

import json
import math
from typing import Any

JSON = Any  # one value of a JSON document: str, int, float, bool, None, a list or a Document
Document = dict[str, JSON]
TemplateValue = Any  # what a SQL template is given: strings, numbers, formats, macros

# The version of every --format json document's shape (its `schema_version`; cli/contract.py holds
# the shapes): raised on a change that could break a reader.
SCHEMA_VERSION = 1

# JSON has no NaN or infinities; a query can return them (DOUBLE 'nan', 'inf'). They are written as
# these strings, the way PostgreSQL's to_json writes them, so the document stays valid JSON and keeps
# what the value was.
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def finite(value: JSON) -> JSON:
    """`value` with every non-finite float (in lists and documents too) as its NON_FINITE string."""
    if isinstance(value, float) and not math.isfinite(value):
        return NON_FINITE[repr(value)]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(document: JSON, *, indent: int | None = 2, ensure_ascii: bool = True) -> str:
    """A valid JSON document whatever it holds: non-finite floats as strings (see NON_FINITE),
    anything JSON has no type for (timestamps, UUIDs) as its text."""
    return json.dumps(finite(document), indent=indent, ensure_ascii=ensure_ascii, allow_nan=False, default=str)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` with thousands separators and the noun in the number it needs: count(1, "log file") is
    "1 log file", count(1234, "log file") "1,234 log files". `plural` for the irregular ones
    (count(2, "entry", "entries"))."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
