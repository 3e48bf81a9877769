"""Log lines of every shape the README's "loads as it is / rejected" table names, one file a day:
the verdict tests run them through both warehouses (tests/warehouse/, tests/redshift/)."""

from __future__ import annotations

import json
from typing import Any

from support.data import event


def dump(e: dict[str, Any]) -> str:
    return json.dumps(e)


def bad_input() -> dict[str, str | bytes]:
    """One log file per line shape of the README table (and a few more), each on its own day."""
    ok = dump(event())
    cases: dict[str, str | bytes] = {
        "bom and crlf": "\ufeff" + ok + "\r\n" + dump(event(ts=1541105831000)) + "\r\n",
        "blank lines": "\n\n" + ok + "\n   \n\n",
        "empty file": "",
        "truncated line": ok + "\n" + dump(event(ts=1541105830999))[:57],
        "raw newline in a string": dump(event(song="Two\nLines")).replace("\\n", "\n"),
        "invalid utf-8": ok.encode() + b"\n" + dump(event(artist="X")).encode().replace(b"X", b"\xff\xfe"),
        "not an object": '[1, 2]\n"text"\n42\nnull',
        "missing userId": dump({k: v for k, v in event().items() if k != "userId"}),
        "renamed key userID": dump({("userID" if k == "userId" else k): v for k, v in event().items()}),
        "missing artist (not required)": dump({k: v for k, v in event().items() if k != "artist"}),
        "null artist (not required)": dump(event(artist=None, song=None, length=None, page="Home")),
        "null level (required)": dump(event(level=None)),
        "ts as text": dump(event(ts="abc")),
        "ts as digits in a string": dump(event(ts="1541903636796")),
        "ts as a float": dump(event(ts=1541105830796.5)),
        "ts 1e20": ok.replace("1541105830796", "1e20"),
        "ts out of range": dump(event(ts=9_999_999_999_999)),
        "sessionId out of range": dump(event(sessionId=2**31)),
        "negative sessionId": dump(event(sessionId=-5)),
        "duplicate keys": ok[:-1] + ', "level": "paid"}',
        "song too long": dump(event(song="é" * 600)),
        "NextSong without userId": dump(event(userId="")),
        "logged out, not NextSong": dump(event(userId="", page="Home", firstName=None, lastName=None)),
        "number in a text field": dump(event(artist=112)),
        "fraction in a text field": dump(event(song=1.5)),
        "boolean in a text field": dump(event(artist=True)),
        "object in a number field": dump(event(length={"s": 1})),
        "the same event twice": ok + "\n" + ok,
        "quotes, backslashes, unicode": dump(event(song='say "hi" \\ back', artist="Zoë ☃ 𝄞", location="a,b\tc")),
        "line longer than 4 MB": dump(event(userAgent="x" * 4_200_000)),
        # the limits of sources/formats.py
        "empty page": dump(event(page="")),
        "empty level": dump(event(level="")),
        "zero length": dump(event(length=0)),
        "negative length": dump(event(length=-1.5)),
        "status 99": dump(event(status=99)),
        "negative itemInSession": dump(event(itemInSession=-1)),
        "registration in seconds": dump(event(registration=1540919166.0)),
        "length 1e400": ok.replace('"length": 200.5', '"length": 1e400'),
        "NaN length": ok.replace('"length": 200.5', '"length": NaN'),
        "trailing comma": ok[:-1] + ",}",
        "lone surrogate": dump(event(song="x")).replace('"x"', '"\\ud800"'),
        "exponent in a text field": ok.replace('"artist": "The Smiths"', '"artist": 1e2'),
    }
    return cases


def day_of(number: int) -> str:
    return f"2018-{1 + number // 28:02d}-{1 + number % 28:02d}"


def key_of(day: str) -> str:
    return f"log_data/{day[:4]}/{day[5:7]}/{day}-events.json"
