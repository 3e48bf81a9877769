"""Messy source files and bad settings: loaded correctly or rejected with a reason, one-line errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from support.cli import count, invoke, query
from support.data import event, song, write_source
from support.harness import Harness


def stage_all(src: Path, max_errors: int = 1000) -> list[dict[str, object]]:
    result = invoke("stage", "--source", str(src), "--max-errors", str(max_errors))
    assert result.exit_code == 0, result.stderr
    return query("SELECT line_no, col, reason, raw_line FROM songs.rejects ORDER BY line_no")


def test_truncated_last_line_is_rejected(harness: Harness, tmp_path: Path) -> None:
    text = json.dumps(event()) + "\n" + json.dumps(event(ts=1541105830999))[:57]
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": text}))
    assert [(r["line_no"], str(r["reason"]).startswith("invalid JSON")) for r in rejects] == [(2, True)]
    assert rejects[0]["col"] == 58  # where the text stops
    assert count("staging_events") == 1


def test_empty_file_loads_nothing_and_rejects_nothing(harness: Harness, tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": "", "2018-11-02": [event()]})
    assert stage_all(src, 0) == []
    assert count("staging_events") == 1
    staged = query("SELECT source_file, rows_staged FROM songs.staged_files WHERE kind = 'event' ORDER BY 1")
    assert [r["rows_staged"] for r in staged] == [0, 1]


def test_duplicate_keys_are_rejected(harness: Harness, tmp_path: Path) -> None:
    line = json.dumps(event())[:-1] + ', "level": "paid"}'
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": line}))
    assert [r["reason"] for r in rejects] == ["duplicate keys in one object"]


def test_raw_newline_inside_a_string_rejects_both_halves(harness: Harness, tmp_path: Path) -> None:
    line = json.dumps(event(song="Two\nLines")).replace("\\n", "\n")
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": line}))
    assert [r["line_no"] for r in rejects] == [1, 2]
    assert all(str(r["reason"]).startswith("invalid JSON") for r in rejects)
    assert count("staging_events") == 0


def test_very_long_line_is_rejected_whole(harness: Harness, tmp_path: Path) -> None:
    huge = json.dumps(event(userAgent="x" * 20_000_000))
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": json.dumps(event(ts=1541105830000)) + "\n" + huge}))
    assert [(r["line_no"], r["reason"]) for r in rejects] == [(2, "line is longer than 4194304 bytes")]
    assert len(str(rejects[0]["raw_line"])) == 1000  # the raw text is kept, cut to a sane length
    assert count("staging_events") == 1


def test_text_wider_than_the_warehouse_column_is_rejected(harness: Harness, tmp_path: Path) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": [event(userAgent="y" * 5000)]}))
    assert [r["reason"] for r in rejects] == ["field userAgent is longer than 1024 bytes"]


def test_ts_far_in_the_future_is_rejected(harness: Harness, tmp_path: Path) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": [event(ts=9_999_999_999_999)]}))
    assert [r["reason"] for r in rejects] == ["field ts is out of range"]


def test_malformed_s3_uri_is_exit_2() -> None:
    result = invoke("run", "--source", "s3://No_Such Bucket/x")
    assert result.exit_code == 2
    assert "S3 URI" in result.stderr


def test_accepted_rejects_are_reported_in_the_json_summary(harness: Harness, tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": json.dumps(event()) + "\nnot json\n" + json.dumps(event(ts=0))})
    result = invoke("run", "--source", str(src), "--max-errors", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert summary["events"] == {"files": 1, "staged": 1, "rejected": 2}
    assert summary["rows"]["songplays"] == 1
    runs = invoke("runs", "--format", "json").json()["runs"]
    assert runs[0]["run_id"] == summary["run_id"]
    assert runs[0]["events"]["rejected"] == 2 and runs[0]["status"] == "ok"
    over = invoke("run", "--source", str(src), "--max-errors", "1", "--format", "json")
    assert over.exit_code == 4
    assert over.json()["status"] == "failed"  # the failure document alone: nothing half-reported
    # the first reject by file and line, and the count in words, alike on every warehouse
    assert "2018-11-01-events.json:2: " in over.json()["error"]
    assert "(2 rejected lines, --max-errors 1)" in over.json()["error"]
    assert invoke("runs", "--format", "json").json()["runs"][0]["status"] == "failed"


# --- paths are read as themselves, whatever characters they hold (DuckDB reads glob patterns) ----


@pytest.mark.parametrize(
    "folder, lookalike", [("sparkify[1]", "sparkify1"), ("it's ü e\u0301 [x] {y}", "it's ü e\u0301 x {y}")]
)
def test_a_source_folder_named_like_a_glob_reads_only_its_own_files(
    harness: Harness, tmp_path: Path, folder: str, lookalike: str
) -> None:
    """`sparkify[1]` is a folder, not the pattern that matches `sparkify1` next to it."""
    own = write_source(tmp_path / folder, {"2018-11-01": [event(userId="own")]}, [song(song_id="SOOWN")])
    write_source(tmp_path / lookalike, {"2018-11-01": [event(userId="other")]}, [song(song_id="SOOTHER")])
    assert stage_all(own, 0) == []
    assert query("SELECT user_id, source_file FROM songs.staging_events") == [
        {"user_id": "own", "source_file": "log_data/2018/11/2018-11-01-events.json"}
    ]
    assert query("SELECT song_id FROM songs.staging_songs") == [{"song_id": "SOOWN"}]


# A log file's name comes from SPARKIFY_LOG_KEY_TEMPLATE (other names are not log files): a template
# whose names hold glob characters must read each day's file as itself, never a pattern.
ODD = '[1]?{a,b}**~it\'s "quoted" ünïcödé e\u0301 🎵'
ODD_TEMPLATE = "log_data/{year}/{month:02d}/{date}-" + ODD.replace("{", "{{").replace("}", "}}") + ".json"


@pytest.mark.parametrize(
    "folder",
    ["sparkify", "back\\slash [x]"],  # the source root may hold what a template may not
)
def test_log_files_with_glob_characters_in_their_names_are_read_literally(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    monkeypatch.setenv("SPARKIFY_LOG_KEY_TEMPLATE", ODD_TEMPLATE)
    src = write_source(tmp_path / folder, {"2018-11-01": [event(userId="default-name")]})
    days = tmp_path / folder / "log_data" / "2018" / "11"
    for day, user in (("01", "u1"), ("02", "u2")):
        stamp = 1541030400000 + (int(day) - 1) * 86_400_000 + 3_600_000
        (days / f"2018-11-{day}-{ODD}.json").write_text(json.dumps(event(userId=user, ts=stamp)))
    # What the names would match as patterns: other files, and an empty file named "every file".
    (days / '2018-11-01-1x{a,b}~it\'s "quoted" ünïcödé e\u0301 🎵.json').write_text(
        json.dumps(event(userId="lookalike"))
    )
    (days / "*.json").write_text("")
    assert stage_all(src, 0) == []
    rows = query("SELECT source_file, user_id FROM songs.staging_events")
    assert sorted((r["source_file"], r["user_id"]) for r in rows) == [
        (f"log_data/2018/11/2018-11-01-{ODD}.json", "u1"),
        (f"log_data/2018/11/2018-11-02-{ODD}.json", "u2"),
    ]


def test_song_files_with_glob_characters_in_their_names_are_read_literally(harness: Harness, tmp_path: Path) -> None:
    songs: dict[str, str | bytes] = {
        "A/[AB]/C/TR1.json": json.dumps(song(song_id="SO1")),
        "A/B/C/TR1.json": json.dumps(song(song_id="SO2")),
        "A/B/C/*.json": json.dumps(song(song_id="SO3", title="x")) + "\n" + json.dumps(song(song_id="SO4")),
        "A/B/C/TR?.json.gz": gzip.compress(json.dumps(song(song_id="SO5")).encode()),
    }
    src = write_source(tmp_path, {"2018-11-01": [event()]}, songs=songs)
    assert stage_all(src, 0) == []
    rows = query("SELECT song_id, source_file FROM songs.staging_songs ORDER BY song_id")
    assert [(r["song_id"], r["source_file"]) for r in rows] == [
        ("SO1", "song_data/A/[AB]/C/TR1.json"),
        ("SO2", "song_data/A/B/C/TR1.json"),
        ("SO3", "song_data/A/B/C/*.json"),
        ("SO4", "song_data/A/B/C/*.json"),
        ("SO5", "song_data/A/B/C/TR?.json.gz"),
    ]


# --- JSON is RFC 8259 JSON: what DuckDB's reader also accepts is rejected as Python's strict json would ---

LINE = json.dumps(event())


def replaced(old: str, new: str) -> str:
    assert old in LINE
    return LINE.replace(old, new, 1)


# name -> (line, column): the column is where the first text that is not JSON starts (1-based).
NOT_JSON = {
    "NaN": (replaced("200.5", "NaN"), LINE.index("200.5") + 1),
    "nan": (replaced("200.5", "nan"), LINE.index("200.5") + 1),
    "Infinity": (replaced("200.5", "Infinity"), LINE.index("200.5") + 1),
    "-Infinity": (replaced("200.5", "-Infinity"), LINE.index("200.5") + 1),
    "-inf": (replaced("200.5", "-inf"), LINE.index("200.5") + 1),
    "INF": (replaced("200.5", "INF"), LINE.index("200.5") + 1),
    "NaN in an integer field": (replaced("1541105830796", "NaN"), LINE.index("1541105830796") + 1),
    "NaN in a text field": (replaced('"Ask"', "NaN"), LINE.index('"Ask"') + 1),
    "NaN in a key staging ignores": (LINE[:-1] + ', "extra": [1, NaN]}', len(LINE) + 15),
    "trailing comma": (LINE[:-1] + ",}", len(LINE) + 1),
    "trailing comma and spaces": (LINE[:-1] + ",  }", len(LINE) + 3),
    "trailing comma in an array": (LINE[:-1] + ', "extra": [1, 2,]}', len(LINE) + 17),
    "trailing comma in an inner object": (LINE[:-1] + ', "extra": {"a": 1,}}', len(LINE) + 19),
    "trailing comma in a top-level array": ("[1, 2,]", 7),
    "NaN in a top-level array": ("[NaN]", 2),
    "lone high surrogate": (replaced('"Ask"', '"\\ud800"'), LINE.index('"Ask"') + 2),
    "lone low surrogate": (replaced('"Ask"', '"A\\udc00"'), LINE.index('"Ask"') + 3),
    "high surrogate and a letter": (replaced('"Ask"', '"\\ud800\\u0041"'), LINE.index('"Ask"') + 2),
    # already refused by DuckDB: kept so that a new reader cannot start accepting them unnoticed
    "comment": (replaced("200.5", "200.5 /* c */"), LINE.index("200.5") + 7),
    "single quotes": (replaced('"Ask"', "'Ask'"), LINE.index('"Ask"') + 1),
    "leading zero": (replaced('"sessionId": 1', '"sessionId": 01'), LINE.index('"sessionId": 1') + 15),  # after "0"
    "plus sign": (replaced('"sessionId": 1', '"sessionId": +1'), LINE.index('"sessionId": 1') + 14),
    "no digit before the point": (replaced("200.5", ".5"), LINE.index("200.5") + 1),
    "unquoted key": (replaced('"song"', "song"), LINE.index('"song"') + 1),
    "raw tab in a string": (replaced('"Ask"', '"A\tsk"'), LINE.index('"Ask"') + 3),
    "unknown escape": (replaced('"Ask"', '"A\\x41"'), LINE.index('"Ask"') + 3),
    "hexadecimal number": (replaced("200.5", "0x10"), LINE.index("200.5") + 2),
}


@pytest.mark.parametrize("name", NOT_JSON)
def test_text_that_is_not_json_is_rejected_with_the_column(harness: Harness, tmp_path: Path, name: str) -> None:
    line, col = NOT_JSON[name]
    src = write_source(tmp_path, {"2018-11-01": LINE + "\n" + line})
    rejects = stage_all(src)
    assert [(r["line_no"], r["col"]) for r in rejects] == [(2, col)]
    assert str(rejects[0]["reason"]).startswith("invalid JSON: ")  # and what is wrong
    assert count("staging_events") == 1


def test_json_that_only_looks_unusual_loads(harness: Harness, tmp_path: Path) -> None:
    """What the checks above look for may sit inside strings, and valid JSON is not rejected."""
    lines = [
        event(song="Hello, } NaN, ]", artist="[Infinity, -inf,]", ts=1541105830001),
        event(song="\ud83c\udfb5 pair", ts=1541105830002),  # an escaped surrogate pair is one character
        event(length=2.5e2, ts=1541105830003),
    ]
    text = "\n".join(json.dumps(e) for e in lines)
    text += "\n" + json.dumps(event(ts=1541105830004))[:-1] + ', "extra": [1, {"a": null}] }  '
    src = write_source(tmp_path, {"2018-11-01": text})
    assert stage_all(src, 0) == []
    rows = query("SELECT ts, song, artist, length FROM songs.staging_events ORDER BY ts")
    assert [(r["song"], r["artist"], r["length"]) for r in rows] == [
        ("Hello, } NaN, ]", "[Infinity, -inf,]", 200.5),
        ("\U0001f3b5 pair", "The Smiths", 200.5),
        ("Ask", "The Smiths", 250.0),
        ("Ask", "The Smiths", 200.5),
    ]


@pytest.mark.parametrize(
    "line, reason",
    [
        (replaced("200.5", "1e400"), "field length is out of range"),
        (replaced("200.5", "-1e400"), "field length is out of range"),
        (replaced("1540919166796.0", "1E999"), "field registration is out of range"),
        (replaced('"Ask"', "1.50"), "field song is double, expected string"),  # would be staged as "1.5"
        (replaced('"Ask"', "1e2"), "field song is double, expected string"),  # would be staged as "100.0"
    ],
)
def test_numbers_that_do_not_fit_their_column_are_rejected(
    harness: Harness, tmp_path: Path, line: str, reason: str
) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": line}))
    assert [r["reason"] for r in rejects] == [reason]
    assert count("staging_events") == 0


# --- field rules: a value no real record can have is rejected, never loaded as it is ---------------


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"page": ""}, "field page is empty"),
        ({"level": ""}, "field level is empty"),
        ({"sessionId": -1}, "field sessionId is out of range"),
        ({"itemInSession": -1}, "field itemInSession is out of range"),
        ({"status": 99}, "field status is out of range"),
        ({"status": 600}, "field status is out of range"),
        ({"length": 0}, "field length is out of range"),
        ({"length": -200.5}, "field length is out of range"),
        ({"registration": 0.0}, "field registration is out of range"),  # 1970: a unit error
        ({"registration": 1e15}, "field registration is out of range"),
    ],
)
def test_event_fields_out_of_their_domain_are_rejected(
    harness: Harness, tmp_path: Path, fields: dict[str, object], reason: str
) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": [event(**fields)]}))
    assert [r["reason"] for r in rejects] == [reason]


def test_event_edge_values_that_real_data_has_load(harness: Harness, tmp_path: Path) -> None:
    logged_out = event(
        userId="", page="Home", auth="Logged Out", firstName=None, lastName=None, gender=None, length=None,
        registration=None, location=None, userAgent=None, song=None, artist=None, sessionId=0, itemInSession=0,
        status=307,
    )  # fmt: skip
    src = write_source(tmp_path, {"2018-11-01": [logged_out, event(status=404, ts=1541105830797)]})
    assert stage_all(src, 0) == []
    assert count("staging_events") == 2


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"song_id": ""}, "field song_id is empty"),
        ({"artist_id": ""}, "field artist_id is empty"),
        ({"duration": 0}, "field duration is out of range"),
        ({"duration": -1.5}, "field duration is out of range"),
        ({"artist_latitude": 1000.0}, "field artist_latitude is out of range"),
        ({"artist_latitude": -90.5}, "field artist_latitude is out of range"),
        ({"artist_longitude": 180.5}, "field artist_longitude is out of range"),
        ({"year": -2000}, "field year is out of range"),
        ({"year": 3000}, "field year is out of range"),
        ({"num_songs": -1}, "field num_songs is out of range"),
    ],
)
def test_song_fields_out_of_their_domain_are_rejected(
    harness: Harness, tmp_path: Path, fields: dict[str, object], reason: str
) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": [event()]}, [song(**fields)]))
    assert [r["reason"] for r in rejects] == [reason]
    assert count("staging_songs") == 0


def test_song_edge_values_that_real_data_has_load(harness: Harness, tmp_path: Path) -> None:
    """The Million Song Dataset writes 0 for an unknown year and null for unknown coordinates."""
    songs = [
        song(song_id="SO1", year=0, artist_latitude=None, artist_longitude=None, artist_location=""),
        song(song_id="SO2", year=2100, artist_latitude=-90.0, artist_longitude=180.0, duration=0.001, num_songs=0),
    ]
    src = write_source(tmp_path, {"2018-11-01": [event()]}, songs)
    assert stage_all(src, 0) == []
    assert count("staging_songs") == 2


def test_pretty_printed_song_files_are_held_to_json_too(harness: Harness, tmp_path: Path) -> None:
    """Rejected with the line and column in the file itself, not in the object as staged."""
    pretty = json.dumps(song(), indent=4)
    lines = pretty.split("\n")
    at_duration = next(n for n, line in enumerate(lines, start=1) if "200.5" in line)
    at_title = next(n for n, line in enumerate(lines, start=1) if '"Ask"' in line)
    # name -> (text, line, column of the first text that is not JSON)
    files = {
        "NaN": (pretty.replace("200.5", "NaN"), at_duration, lines[at_duration - 1].index("200.5") + 1),
        "trailing comma": (pretty[:-2] + ",\n}", len(lines), 1),
        "lone surrogate": (pretty.replace('"Ask"', '"\\udc00"'), at_title, lines[at_title - 1].index('"Ask"') + 2),
        "no-break space before": ("\u00a0" + json.dumps(song()), 1, 1),  # not JSON whitespace
    }
    src = write_source(
        tmp_path, {"2018-11-01": [event()]}, {f"A/{name}.json": text for name, (text, _, _) in files.items()}
    )
    stage_all(src)
    found = query("SELECT source_file, line_no, col, reason FROM songs.rejects ORDER BY source_file")
    assert [(r["source_file"], r["line_no"], r["col"]) for r in found] == [
        (f"song_data/A/{name}.json", line, col) for name, (_, line, col) in sorted(files.items())
    ]
    assert all(str(r["reason"]).startswith("invalid JSON: ") for r in found)
    assert count("staging_songs") == 0
