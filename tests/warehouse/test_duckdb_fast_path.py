"""DuckDB staging's fast path (sql/stage/duckdb/fast.sql) stages exactly what the exact validator
(check.sql) stages: the same rows with the same values, the same rejects with the same reasons,
columns and raw text. Random clean and hostile lines go through both (FAST_PATH off sends every
line to the exact validator), through the real CLI, and the warehouses must be equal table by table.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sparkify_cli.sources.formats import EVENT_FIELDS, SONG_FIELDS, Field
from sparkify_cli.warehouse.duckdb import staging
from support.cli import invoke
from support.data import REAL_DATA, event, song, write_source

# JSON texts a field may hold: the right kind, the wrong kinds, and what only looks like either.
TEXTS = [
    '"x"',
    '"Zo\\u00eb \\u2603"',
    '"Zoë ☃ 𝄞"',
    '"a\\/b \\"q\\" \\\\"',
    '"99 Luftballons"',
    '"1.5"',
    '"true"',
    '"NaN"',
    '"Infinity"',
    '"-0"',
    '"007"',
    '"12"',
    '"[1]"',
    '"{}"',
    '""',
    '"True"',
    '"nan"',
    '"-inf"',
    '"1e2"',
    '" 12"',
    '"\\ud83c\\udfb5"',
    '"\\ud800"',
    '"a\\u0000b"',
    '"' + "é" * 600 + '"',
    '"' + "y" * 1100 + '"',
    '"A\tB"',
]
NUMBERS = [
    "112",
    "-5",
    "0",
    "-0",
    "1.5",
    "1.50",
    "1.0",
    "1e2",
    "1E+2",
    "1e-7",
    "-0.0",
    "1E400",
    "-1e400",
    "NaN",
    "-Infinity",
    "inf",
    "nan",
    "123456789012345678901234",
    "18446744073709551615",
    "9223372036854775808",
    "2147483648",
    "1541105830796",
    "1541105830796.0",
    "9999999999999",
    "200.5",
    "4.9e-325",
    "01",
]
OTHERS = ["true", "false", "null", "[1]", "[1,]", '{"a": 1}', '{"a": 1,}', "[NaN]", "{}"]
EXTRAS = ["1", '"x"', "NaN", "[1, 2,]", '{"a": 1,}', "[1, 2]", '{"a": [null]}', "Infinity", "-0"]


def value_text(field: Field, value: Any, rng: random.Random) -> str:
    """A JSON text for the field: mostly its own value, sometimes anything from the pools."""
    roll = rng.random()
    if roll < 0.85:
        return json.dumps(value, ensure_ascii=rng.random() < 0.5)
    return rng.choice(TEXTS + NUMBERS + OTHERS)


def line_from(record: dict[str, Any], fields: tuple[Field, ...], rng: random.Random, dirty: float) -> str:
    """One line holding `record`, mutated with probability `dirty`: keys, separators, values."""
    values = [value_text(f, record[f.key], rng) if rng.random() < dirty / 3 else json.dumps(record[f.key])
              for f in fields]  # fmt: skip
    pairs = [(json.dumps(f.key), value) for f, value in zip(fields, values, strict=True)]
    if rng.random() < dirty:
        mutation = rng.randrange(8)
        if mutation == 0:
            pairs.pop(rng.randrange(len(pairs)))  # a missing key
        elif mutation == 1:
            i = rng.randrange(len(pairs))
            pairs[i] = (pairs[i][0].upper(), pairs[i][1])  # a renamed key
        elif mutation == 2:
            pairs.append((rng.choice(pairs)[0], rng.choice(TEXTS + NUMBERS)))  # a key twice
        elif mutation == 3:
            pairs.insert(rng.randrange(len(pairs) + 1), ('"extra"', rng.choice(EXTRAS)))  # a key staging ignores
        elif mutation == 4:
            rng.shuffle(pairs)
        elif mutation == 5:
            i = rng.randrange(len(pairs))
            key = pairs[i][0]
            pairs[i] = (f"{key[:2]}\\u{ord(key[2]):04x}{key[3:]}", pairs[i][1]) if len(key) > 3 else pairs[i]
        elif mutation == 6:
            pairs.append(('"extra"', "1"))
            pairs.append(('"extra"', "2"))
    colon, comma = ":", ","
    if rng.random() < dirty:
        colon, comma = rng.choice([(": ", ", "), (" : ", " , "), (":\t", ",\t"), (":", ", ")])
    text = "{" + comma.join(k + colon + v for k, v in pairs) + "}"
    if rng.random() < dirty:
        whole = rng.randrange(9)
        if whole == 0:
            text = text[: rng.randrange(1, len(text))]  # truncated
        elif whole == 1:
            text = text[:-1] + rng.choice([",}", ", }", " }", "\t}", "\r}", ",\t}", ",\r}", "\r\t}"])
        elif whole == 2:
            text = rng.choice([" ", "\t", "\u00a0", "\x0b"]) + text
        elif whole == 3:
            text = text + rng.choice([" ", "\t", " x", "{}"])
        elif whole == 4:
            text = rng.choice(["[1, 2]", "42", '"text"', "null", "{}", "[1,]", "   ", ""])
        elif whole == 5:
            text = text + text
    return text


def random_event(rng: random.Random, n: int) -> dict[str, Any]:
    page = rng.choice(["NextSong"] * 6 + ["Home", "Logout"])
    return event(
        ts=1541105830000 + n * 997 + rng.randrange(3),  # a few events repeat
        page=page,
        userId=rng.choice(["7", "12", "", "1001", "ünï"]),
        itemInSession=rng.randrange(5),
        sessionId=rng.randrange(3),
        song=rng.choice(["Ask", "1979", "Infinity", "True", None, "99 Luftballons", "Hello, } NaN, ]"]),
        artist=rng.choice(["The Smiths", None, "AC/DC", "Zoë", "311"]),
        length=rng.choice([200.5, 1e-3, 312.0, None, 100]),
        firstName=rng.choice(["Ada", None, "Nancy"]),
        registration=rng.choice([1540919166796.0, None, 1540919166796]),
        status=rng.choice([200, 307, 404, None]),
        location=rng.choice(["London", "San Diego-Carlsbad, CA", None, "a: b"]),
    )


def random_song(rng: random.Random, n: int) -> dict[str, Any]:
    return song(
        song_id=f"SO{n:04d}",
        artist_id=rng.choice(["AR1", "AR2", "ARX"]),
        title=rng.choice(["Ask", "1979", "True", "Infinity"]),
        year=rng.choice([0, 1986, 2100, None]),
        artist_latitude=rng.choice([None, 51.5, -90.0]),
        artist_longitude=rng.choice([None, -0.1, 180.0]),
        duration=rng.choice([200.5, 0.001, 100]),
    )


def source(root: Path, seed: int) -> Path:
    rng = random.Random(seed)
    days: dict[str, list[dict[str, Any]] | str | bytes] = {}
    n = 0
    for day in range(1, 6):
        dirty = [0.0, 0.02, 0.1, 0.3, 1.0][day - 1]
        lines = []
        for _ in range(120):
            n += 1
            lines.append(line_from(random_event(rng, n), EVENT_FIELDS, rng, dirty))
        text = rng.choice(["\n", "\r\n"]).join(lines)
        if day == 4:
            text = "\ufeff" + text + "\n\n"
        days[f"2018-11-{day:02d}"] = text
    songs: dict[str, str | bytes] = {}
    for i in range(40):
        records = [random_song(rng, i * 10 + j) for j in range(rng.randrange(1, 4))]
        dirty = rng.choice([0.0, 0.0, 0.2, 1.0])
        if rng.random() < 0.15:
            songs[f"A/B/C/TR{i:04d}.json"] = "\n".join(json.dumps(r, indent=2) for r in records)  # pretty-printed
        else:
            sep = rng.choice(["\n", "", " "])
            songs[f"A/B/C/TR{i:04d}.json"] = sep.join(line_from(r, SONG_FIELDS, rng, dirty) for r in records)
    return write_source(root, days, songs)


def staged(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    events = ", ".join(f.column for f in EVENT_FIELDS)
    songs = ", ".join(f.column for f in SONG_FIELDS)
    found = {
        "staging_events": con.execute(
            f"SELECT source_file, line_no, {events} FROM songs.staging_events ORDER BY 1, 2"
        ).fetchall(),
        "staging_songs": con.execute(
            f"SELECT source_file, line_no, {songs} FROM songs.staging_songs ORDER BY ALL"
        ).fetchall(),
        "rejects": con.execute(
            "SELECT source_file, line_no, col, reason, raw_line FROM songs.rejects ORDER BY ALL"
        ).fetchall(),
        "staged_files": con.execute(
            "SELECT source_file, kind, rows_staged, rows_rejected, next_song_rows FROM songs.staged_files ORDER BY 1"
        ).fetchall(),
    }
    con.close()
    return found


@pytest.mark.parametrize("seed", range(12))
def test_the_fast_path_stages_what_the_exact_validator_stages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    src = source(tmp_path / "src", seed)
    pending: dict[bool, int] = {True: 0, False: 0}
    exact = staging.DuckDBStager._check_exactly

    def counting(self: staging.DuckDBStager, fmt: Any, checked: str) -> None:
        pending[staging.FAST_PATH] += int(self.wh.scalar(f"SELECT count(*) FROM {checked} WHERE pending"))
        exact(self, fmt, checked)

    monkeypatch.setattr(staging.DuckDBStager, "_check_exactly", counting)
    results = []
    for fast in (True, False):
        monkeypatch.setattr(staging, "FAST_PATH", fast)
        db = tmp_path / f"fast-{fast}.duckdb"
        result = invoke("stage", "--source", str(src), "--max-errors", "100000", env={"SPARKIFY_DUCKDB_PATH": str(db)})
        assert result.exit_code == 0, result.stderr
        results.append(staged(db))
    fast_run, exact_run = results
    for table in exact_run:
        assert fast_run[table] == exact_run[table], table
    # both paths were taken: clean lines were staged without the exact validator, hostile ones were not
    assert len(exact_run["rejects"]) > 50 and len(exact_run["staging_events"]) > 300
    lines = sum(len(exact_run[t]) for t in ("staging_events", "staging_songs", "rejects"))
    assert pending[False] >= lines and 0 < pending[True] < 0.7 * lines, (pending, lines)


def test_a_file_larger_than_a_part_is_read_in_parts_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log file is cut into parts at line ends when it is larger than a part (read_lines.py): the
    lines keep their numbers, BOM and CR line ends are handled as in a file DuckDB reads whole."""
    from sparkify_cli.warehouse.duckdb import read_lines

    src = source(tmp_path / "src", 99)
    results = []
    for limit in (read_lines.PART_BYTES, 3000):
        monkeypatch.setattr(read_lines, "PART_BYTES", limit)
        monkeypatch.setattr(read_lines, "_BLOCK", min(limit, 1 << 20))
        db = tmp_path / f"parts-{limit}.duckdb"
        result = invoke("stage", "--source", str(src), "--max-errors", "100000", env={"SPARKIFY_DUCKDB_PATH": str(db)})
        assert result.exit_code == 0, result.stderr
        results.append(staged(db))
    assert results[0] == results[1]


def _with_value(record: dict[str, Any], fields: tuple[Field, ...], key: str, text: str) -> str:
    """The record as one compact line, the field `key` holding the raw JSON `text`."""
    return (
        "{"
        + ",".join(json.dumps(f.key) + ":" + (text if f.key == key else json.dumps(record[f.key])) for f in fields)
        + "}"
    )


# Whole lines that break the format as a whole, not one field: every shape the exact validator
# (check.sql, then Python's strict judge) has a rule or a suspicion for.
CLEAN = json.dumps(event(), separators=(",", ":"))
HOSTILE_LINES = [
    CLEAN[:-1] + ',"userId":"8"}',  # a key twice (the second wins in lenient readers)
    CLEAN[:-1] + ',"extra":1}',  # a key staging ignores
    CLEAN[:-1] + ',"extra":NaN}',  # NaN where no field looks
    CLEAN[:-1] + ',"extra":[1,2,]}',  # a trailing comma where no field looks
    CLEAN[:-1] + ',"extra":1,"extra":2}',  # an ignored key twice
    CLEAN[:-1] + ",}",
    CLEAN[:-1] + ", }",
    CLEAN[:-1] + ",\t}",
    CLEAN[:-1] + ",\r}",
    CLEAN[:-1] + " }",
    CLEAN + " ",
    " " + CLEAN,
    "\u00a0" + CLEAN,
    CLEAN + "{}",
    CLEAN + CLEAN,
    CLEAN[: len(CLEAN) // 2],
    CLEAN.replace('"ts":', '"TS":'),  # a renamed key: missing ts
    CLEAN.replace('"userId":', '"\\u0075serId":'),  # an escaped key is the same key
    "[1, 2]",
    "42",
    '"text"',
    "null",
    "{}",
    "[1,]",
    "",
    "   ",
    "\t",
    json.dumps(event(song="x" * (4 * 1024 * 1024))),  # longer than MAX_LINE_BYTES
    json.dumps(event(page="NextSong", userId="")),
    json.dumps(event(page="Home", userId="")),
]


def test_every_hostile_value_in_every_field_stages_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not left to chance: every value of the pools in every field of both formats, every hostile
    whole line, BOM, CRLF, empty lines, invalid UTF-8 and gzip files, through both paths. The exact
    run must give every reason the exact validator has (else this test no longer covers a check)."""
    clean_event, clean_song = event(), song()
    values = TEXTS + NUMBERS + OTHERS
    lines = [_with_value(clean_event, EVENT_FIELDS, f.key, v) for f in EVENT_FIELDS for v in values]
    days: dict[str, list[dict[str, Any]] | str | bytes] = {
        "2018-11-01": "\n".join(lines),
        "2018-11-02": "\n".join(HOSTILE_LINES),
        "2018-11-03": "\ufeff" + "\r\n".join([CLEAN, "", CLEAN[:-1] + ",\r}", CLEAN]) + "\r\n\r\n",
        "2018-11-04": CLEAN.encode() + b"\n" + CLEAN.replace("Ada", "Ad\xe9").encode("latin-1") + b"\n",
        "2018-11-05": gzip.compress(("\n".join([CLEAN, CLEAN[:-1] + ",}"]) + "\n").encode()),
    }
    # one object per song file: the careful reader stops at a file's first invalid object (more than
    # COMBINE_ABOVE files, so Python concatenates them into parts, as for a real catalog)
    songs: dict[str, str | bytes] = {
        f"A/B/{i:02d}/TR{j:04d}.json": _with_value(clean_song, SONG_FIELDS, f.key, v)
        for i, f in enumerate(SONG_FIELDS)
        for j, v in enumerate(values)
    }
    clean_song_line = json.dumps(clean_song)
    songs["A/B/D/TRDUP.json"] = clean_song_line[:-1] + ', "song_id": "SO2"}\n' + clean_song_line[:-1] + ",}"
    songs["A/B/D/TRGZ.json"] = gzip.compress(clean_song_line.encode())
    songs["A/B/D/TRBAD.json"] = clean_song_line.replace("Ask", "Ask\xff").encode("latin-1")
    src = write_source(tmp_path / "src", days, songs)
    results = []
    for fast in (True, False):
        monkeypatch.setattr(staging, "FAST_PATH", fast)
        db = tmp_path / f"fast-{fast}.duckdb"
        result = invoke("stage", "--source", str(src), "--max-errors", "100000", env={"SPARKIFY_DUCKDB_PATH": str(db)})
        assert result.exit_code == 0, result.stderr
        results.append(staged(db))
    fast_run, exact_run = results
    for table in exact_run:
        assert fast_run[table] == exact_run[table], table
    reasons = {str(r[3]) for r in exact_run["rejects"]}
    expected = [
        "invalid JSON",
        "invalid JSON: ",  # Python's strict judge on a suspect line
        "not a JSON object but ",
        "duplicate keys in one object",
        "missing field ",
        "field ts is null",
        " is boolean, expected integer",
        " is varchar, expected number",
        " is double, expected string",
        " is array, expected string",
        " is object, expected string",
        "field artist is longer than 1024 bytes",
        "field page is empty",
        "field ts is out of range",
        "field length is out of range",
        "field year is out of range",
        "field artist_latitude is out of range",
        "NextSong event without userId",
        "line is longer than ",
        "invalid UTF-8 at byte ",
    ]
    missing = [e for e in expected if not any(e in r for r in reasons)]
    assert not missing, (missing, sorted(reasons))
    staged_files = {row[0]: row[2] for row in exact_run["staged_files"]}
    assert staged_files["log_data/2018/11/2018-11-05-events.json"] == 1  # gzip is read, its bad line rejected
    assert staged_files["log_data/2018/11/2018-11-03-events.json"] == 2  # BOM, CRLF: the clean lines staged


STAR = {
    "songplays": "songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent",
    "users": "user_id, first_name, last_name, gender, level",
    "songs": "song_id, title, artist_id, year, duration",
    "artists": "artist_id, name, location, latitude, longitude",
    "time": "start_time, hour, day, week, month, year, weekday",
    "rejects": "source_file, line_no, col, reason, raw_line",
}


@pytest.mark.skipif(not (REAL_DATA / "log_data").is_dir(), reason="the real sample is not on this machine")
def test_the_real_sample_loads_the_same_star_tables_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole run on the real sample, fast path on and off: the star tables row by row, and the
    numbers of EXPECTED.md (an independent computation with Python's json)."""
    tables = []
    for fast in (True, False):
        monkeypatch.setattr(staging, "FAST_PATH", fast)
        db = tmp_path / f"real-{fast}.duckdb"
        result = invoke("run", "--source", str(REAL_DATA), env={"SPARKIFY_DUCKDB_PATH": str(db)})
        assert result.exit_code == 0, result.stderr
        con = duckdb.connect(str(db), read_only=True)
        tables.append({t: con.execute(f'SELECT {c} FROM songs."{t}" ORDER BY ALL').fetchall() for t, c in STAR.items()})
        con.close()
    fast_run, exact_run = tables
    for table in STAR:
        assert fast_run[table] == exact_run[table], table
    counts = {t: len(rows) for t, rows in fast_run.items()}
    assert counts == {"songplays": 6820, "users": 97, "songs": 1943, "artists": 1809, "time": 6813, "rejects": 0}
    assert sum(1 for row in fast_run["songplays"] if row[4] is not None) == 39
