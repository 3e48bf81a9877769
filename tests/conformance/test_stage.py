"""Staging: unusual but valid shapes load; invalid lines are rejected with file, line and reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from support.cli import count, invoke, query
from support.data import event, song, write_source
from support.harness import Harness


def stage(src: Path, *args: str) -> None:
    result = invoke("stage", "--source", str(src), *args)
    assert result.exit_code == 0, result.stderr


def test_bom_crlf_and_blank_lines_load(harness: Harness, tmp_path: Path) -> None:
    lines = [json.dumps(event(itemInSession=i, ts=1541105830796 + i)) for i in range(3)]
    text = "\ufeff" + lines[0] + "\r\n\r\n" + lines[1] + "\r\n" + lines[2] + "\r\n"
    src = write_source(tmp_path, {"2018-11-01": text})
    stage(src)
    rows = query("SELECT line_no, item_in_session FROM songs.staging_events ORDER BY line_no")
    assert rows == [
        {"line_no": 1, "item_in_session": 0},
        {"line_no": 3, "item_in_session": 1},
        {"line_no": 4, "item_in_session": 2},
    ]
    assert count("rejects") == 0


def test_pretty_printed_and_multi_object_song_files(harness: Harness, tmp_path: Path) -> None:
    pretty = json.dumps(song(song_id="SO1"), indent=4) + "\n" + json.dumps(song(song_id="SO2", title="B"), indent=2)
    ndjson = json.dumps(song(song_id="SO3")) + "\n" + json.dumps(song(song_id="SO4"))
    src = write_source(tmp_path, {"2018-11-01": [event()]}, songs={"A/A/A/TR1.json": pretty, "A/A/B/TR2.json": ndjson})
    stage(src)
    rows = query("SELECT song_id, source_file, line_no FROM songs.staging_songs ORDER BY song_id")
    assert [(r["song_id"], r["line_no"]) for r in rows] == [("SO1", 1), ("SO2", 13), ("SO3", 1), ("SO4", 2)]
    assert count("rejects") == 0


def test_numbers_in_song_text_fields_load_as_text(harness: Harness, tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": [event()]}, songs=[song(artist_name=112, artist_location=27)])
    stage(src)
    assert query("SELECT artist_name, artist_location FROM songs.staging_songs") == [
        {"artist_name": "112", "artist_location": "27"}
    ]


def test_wrong_types_are_rejected_not_repaired(harness: Harness, tmp_path: Path) -> None:
    bad = [
        event(ts="abc"),
        event(sessionId="x"),
        event(ts=1541105830796.5),
        event(ts=10**20),
        event(ts=0),
        [1, 2],
        "scalar",
    ]
    renamed = event()
    renamed["userID"] = renamed.pop("userId")
    text = "\n".join(json.dumps(b) for b in [*bad, renamed, event()])
    src = write_source(tmp_path, {"2018-11-01": text})
    result = invoke("stage", "--source", str(src), "--max-errors", "100")
    assert result.exit_code == 0, result.stderr
    reasons = [r["reason"] for r in query("SELECT reason FROM songs.rejects ORDER BY line_no")]
    assert reasons == [
        "field ts is varchar, expected integer",
        "field sessionId is varchar, expected integer",
        "field ts is double, expected integer",
        "field ts is double, expected integer",
        "field ts is out of range",
        "not a JSON object but array",
        "not a JSON object but varchar",
        "missing field userId",
    ]
    assert count("staging_events") == 1


def test_invalid_utf8_and_gzip(harness: Harness, tmp_path: Path) -> None:
    good = json.dumps(event()).encode()
    broken = json.dumps(event(itemInSession=1, ts=1541105830797)).encode().replace(b"Ada", b"A\xffa")
    src = write_source(
        tmp_path,
        {
            "2018-11-01": good + b"\n" + broken,
            "2018-11-02": gzip.compress(json.dumps(event(ts=1541190000796)).encode()),
        },
    )
    result = invoke("stage", "--source", str(src), "--max-errors", "1")
    assert result.exit_code == 0, result.stderr
    rejects = query("SELECT source_file, line_no, reason FROM songs.rejects")
    assert rejects == [
        {"source_file": "log_data/2018/11/2018-11-01-events.json", "line_no": 2, "reason": rejects[0]["reason"]}
    ]
    assert rejects[0]["reason"].startswith("invalid UTF-8")
    assert count("staging_events") == 2  # the good line of day 1 and the gzipped day 2


def test_rejects_fail_the_step_unless_max_errors(harness: Harness, tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": json.dumps(event()) + "\n{broken"})
    failed = invoke("stage", "--source", str(src))
    assert failed.exit_code == 4
    assert "2018-11-01-events.json:2" in failed.stderr
    assert count("staging_events") == 0
    listed = invoke("rejects", "--format", "json").json()["rejects"]
    assert listed[0]["line_no"] == 2 and listed[0]["col"] == 2
    ok = invoke("stage", "--source", str(src), "--max-errors", "1")
    assert ok.exit_code == 0
    assert "1 line rejected" in ok.stdout
    assert count("staging_events") == 1


def test_same_event_twice_is_one_songplay(harness: Harness, tmp_path: Path) -> None:
    line = json.dumps(event())
    src = write_source(tmp_path, {"2018-11-01": line + "\n" + line})
    assert invoke("run", "--source", str(src)).exit_code == 0
    assert count("staging_events") == 2
    assert count("songplays") == 1
