"""Hostile lines beyond the README's table: PostgreSQL stages or rejects each exactly as DuckDB does,
with the same reason, column and staged values (DuckDB is the reference the issue names)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import invoke
from support.data import event, song, write_source
from support.harness import HARNESSES, Harness

BASE = json.dumps(event())


def with_value(key: str, literal: str, **changes: Any) -> str:
    """An event whose `key` is written as `literal` (any JSON text, valid or not)."""
    fields = event(**changes)
    fields[key] = "__value__"
    return json.dumps(fields).replace('"__value__"', literal)


EVENT_LINES = [
    with_value("ts", "1.541105830796e12"),  # an integral number written with an exponent is a double
    with_value("ts", "1541105830796e0"),
    BASE.replace('"ts": 1541105830796', '"ts":\t1.541105830796e12'),  # a tab before the number
    BASE.replace('"ts": 1541105830796', '"ts":\r1.541105830796E+12'),
    with_value("ts", "1541105830796.0"),
    with_value("ts", "18446744073709551615"),  # fits UBIGINT, not BIGINT
    with_value("ts", "9223372036854775808"),
    with_value("ts", "100000000000000000000000"),  # past UBIGINT: a double
    with_value("ts", "-5"),
    with_value("ts", "-0"),
    with_value("length", "1e400"),  # past the largest double: infinite, as DuckDB reads it
    with_value("length", "4.9e-325"),  # below the smallest: 0
    with_value("length", "1.7976931348623157e309"),
    with_value("song", '"a\\ud800b"'),  # a lone surrogate escape is not JSON
    with_value("artist", "1.50"),  # numbers in text fields, written as DuckDB writes them
    with_value("artist", "1e2"),
    with_value("artist", "1e21"),
    with_value("artist", "1.5e-7"),
    with_value("artist", "0.000001"),
    with_value("artist", "-2.5"),
    with_value("artist", "123456789012345678901234"),
    with_value("artist", "true"),
    with_value("artist", '{"a": 1}'),
    with_value("artist", '{"a": 1, "a": 2}'),  # a repeated key one level down is not a repeated key
    with_value("artist", "[1]"),
    "5",
    "-5",
    "null",
    '"x"',
    "true",
    "1.5",
    "18446744073709551615",
    "1e400",
    "[" * 50 + "]" * 50,
    BASE + " x",
    BASE + BASE,
    BASE.replace('"userId"', '"user\\u0049d"'),  # an escaped key is the same key
    "   " + BASE + "   ",
    "\t" + BASE,
    "\u00a0" + BASE,
    "\x0b" + BASE,
    with_value("sessionId", "2147483648"),
    with_value("sessionId", "-2147483648"),
    with_value("status", "null"),
    with_value("level", "null"),
    with_value("song", '"a\tb"'),  # a raw tab inside a string
    with_value("song", '"a\x7fb"'),
    with_value("song", '"\\x"'),
    with_value("song", '"12e5"'),  # an exponent-looking string is text
    BASE[:-1] + ', "zzz": 1}',  # an unknown key is ignored
    BASE[:-1] + ', "zzz": 1, "zzz": 2}',
    BASE[:-1] + ', "level": "paid"}',
    BASE[:-1] + ' , "level" : "paid"}',
    json.dumps({k: v for k, v in event().items() if k != "song"})[:-1] + ', "level": "paid"}',  # 18 keys, one twice
    BASE.replace('"ts"', '"TS"'),
    with_value("ts", "01541105830796"),
    with_value("ts", "+1541105830796"),
    with_value("artist", "TRUE"),
    with_value("userId", '""'),
    with_value("userId", '""', page="Home"),
    with_value("userId", "7"),
    with_value("userId", "7.0"),
    with_value("registration", "1540919166796"),
    with_value("registration", "1E3"),
    with_value("song", '"caf\\u00e9 \\ud83d\\ude00"'),
    with_value("level", '"' + "\u00e9" * 9 + '"'),  # 9 characters, 18 bytes: wider than 16 bytes
    with_value("location", '"' + "x" * 1024 + '"'),
    with_value("location", '"' + "x" * 1025 + '"'),
    with_value("song", '" "'),
    with_value("length", "NaN"),  # not JSON (RFC 8259), though DuckDB's and Python's readers take them
    with_value("length", "-Infinity"),
    BASE[:-1] + ",}",
    BASE.replace('"userId": "7"}', '"userId": "7",\t}'),
    with_value("artist", "[1, 2,]"),
    "{}",
    "{",
    "}",
    "",
    "   ",
    "\t",
]

SONG_FILES = {
    "A/A/A/TR1.json": json.dumps(song(song_id="SO1", title=1.25, artist_name=1e21)),
    "A/A/B/TR2.json": json.dumps(song(song_id="SO2"), indent=2) + "\n" + json.dumps(song(song_id="SO3"), indent=4),
    "A/A/C/TR3.json": json.dumps(song(song_id="SO4")) + json.dumps(song(song_id="SO5")),  # two objects, one line
    "A/A/D/TR4.json": json.dumps(song(song_id="SO6"), indent=2) + "\n{broken\n" + json.dumps(song(song_id="SO7")),
    "A/A/E/TR5.json": "\ufeff" + json.dumps(song(song_id="SO8")) + "\r\n",
    "A/A/F/TR6.json": json.dumps(song(song_id="SO9", year=2.5e3, duration=1.5)).replace("1.5", "1e400"),
    "A/A/G/TR7.json": "",
    # one object per line, one of them not strict JSON: the others still load (as on DuckDB)
    "A/A/H/TR8.json": "\n".join(
        [
            json.dumps(song(song_id="SO10")),
            json.dumps(song(song_id="SO11"))[:-1] + ",}",
            json.dumps(song(song_id="SO12")),
        ]
    ),
    "A/A/I/TR9.json": json.dumps(song(song_id="SO13"), indent=2).replace('"duration": 200.5', '"duration": NaN'),
}


def verdicts(harness: Harness, source: Path) -> dict[str, list[Any]]:
    env = harness.env("verdicts")
    staged = invoke("stage", "--source", str(source), "--max-errors", "1000", env=env)
    assert staged.exit_code == 0, staged.stderr
    return harness.snapshot(env, ("rejects", "staging_events", "staging_songs")) | {
        "rejects": harness.read(env, {"r": "SELECT source_file, line_no, col, reason, raw_line FROM songs.rejects"})[
            "r"
        ],  # type: ignore[index]
    }


def normalised(found: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Rows comparable across engines: floats as Python floats, sorted."""
    return {
        table: sorted(
            (tuple(float(v) if isinstance(v, float) else v for v in row) for row in rows),
            key=repr,
        )
        for table, rows in found.items()
    }


def test_hostile_lines_get_duckdbs_verdicts(postgres: Harness, tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", {"2018-11-01": "\n".join(EVENT_LINES)}, songs=SONG_FILES)
    duckdb = HARNESSES["duckdb"](tmp_path)
    expected = normalised(verdicts(duckdb, source))
    found = normalised(verdicts(postgres, source))
    assert len(expected["rejects"]) > 40 and len(expected["staging_events"]) > 10
    for table in expected:
        assert found[table] == expected[table], table


def test_nul_bytes_are_rejected_as_duckdb_rejects_them(postgres: Harness, tmp_path: Path) -> None:
    """PostgreSQL text cannot hold NUL: such a line gets DuckDB's reason and column, and its raw text
    keeps U+FFFD where the NUL was."""
    lines = [BASE.replace('"Ask"', '"A\x00sk"'), "\x00" + BASE, BASE]
    source = write_source(tmp_path / "src", {"2018-11-01": "\n".join(lines)})
    duckdb = HARNESSES["duckdb"](tmp_path)
    expected = verdicts(duckdb, source)
    found = verdicts(postgres, source)
    assert [r[:4] for r in sorted(found["rejects"])] == [r[:4] for r in sorted(expected["rejects"])]
    assert [r[1] for r in sorted(found["rejects"])] == [1, 2]
    assert sorted(found["rejects"])[0][4] == lines[0].replace("\x00", "\ufffd")
    assert len(found["staging_events"]) == len(expected["staging_events"]) == 1


def test_what_postgresql_cannot_store_is_rejected_not_repaired(postgres: Harness, tmp_path: Path) -> None:
    """The one verdict that differs: a \\u0000 escape is JSON, but PostgreSQL text cannot hold the
    character (DuckDB stages it). Rejected as invalid JSON, never repaired."""
    lines = [with_value("song", '"a\\u0000b"'), with_value("userAgent", '"\\u0000"')]
    source = write_source(tmp_path / "src", {"2018-11-01": "\n".join([*lines, BASE])})
    found = verdicts(postgres, source)
    assert [(r[1], str(r[3]).startswith("invalid JSON")) for r in sorted(found["rejects"])] == [
        (n, True) for n in range(1, len(lines) + 1)
    ]
    assert len(found["staging_events"]) == 1
