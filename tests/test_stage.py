"""Staging: unusual but valid shapes load; invalid lines are rejected with file, line and reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import count, event, invoke, query, song, write_source


def stage(src: Path, *args: str) -> None:
    result = invoke("stage", "--source", str(src), *args)
    assert result.exit_code == 0, result.stderr


def test_bom_crlf_and_blank_lines_load(tmp_path: Path) -> None:
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


def test_staging_keeps_every_field_typed(tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": [event()]})
    stage(src)
    types = query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'songs' AND table_name = 'staging_events'"
    )
    typed = {r["column_name"]: r["data_type"] for r in types}
    assert typed["ts"] == "BIGINT" and typed["session_id"] == "INTEGER"
    assert typed["registration"] == "DOUBLE" and typed["user_id"] == "VARCHAR"
    row = query("SELECT ts, registration, user_id, user_agent FROM songs.staging_events")[0]
    assert row == {"ts": 1541105830796, "registration": 1540919166796.0, "user_id": "7", "user_agent": '"Mozilla/5.0"'}


def test_pretty_printed_and_multi_object_song_files(tmp_path: Path) -> None:
    pretty = json.dumps(song(song_id="SO1"), indent=4) + "\n" + json.dumps(song(song_id="SO2", title="B"), indent=2)
    ndjson = json.dumps(song(song_id="SO3")) + "\n" + json.dumps(song(song_id="SO4"))
    src = write_source(tmp_path, {"2018-11-01": [event()]}, songs={"A/A/A/TR1.json": pretty, "A/A/B/TR2.json": ndjson})
    stage(src)
    rows = query("SELECT song_id, source_file, line_no FROM songs.staging_songs ORDER BY song_id")
    assert [(r["song_id"], r["line_no"]) for r in rows] == [("SO1", 1), ("SO2", 13), ("SO3", 1), ("SO4", 2)]
    assert count("rejects") == 0


def test_numbers_in_song_text_fields_load_as_text(tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": [event()]}, songs=[song(artist_name=112, artist_location=27)])
    stage(src)
    assert query("SELECT artist_name, artist_location FROM songs.staging_songs") == [
        {"artist_name": "112", "artist_location": "27"}
    ]


def test_wrong_types_are_rejected_not_repaired(tmp_path: Path) -> None:
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


def test_invalid_utf8_and_gzip(tmp_path: Path) -> None:
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


def test_rejects_fail_the_step_unless_max_errors(tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": json.dumps(event()) + "\n{broken"})
    failed = invoke("stage", "--source", str(src))
    assert failed.exit_code == 4
    assert "2018-11-01-events.json:2" in failed.stderr
    assert count("staging_events") == 0
    listed = invoke("rejects", "--format", "json").json()
    assert listed[0]["line_no"] == 2 and listed[0]["col"] == 2
    ok = invoke("stage", "--source", str(src), "--max-errors", "1")
    assert ok.exit_code == 0
    assert "1 line(s) rejected" in ok.stderr
    assert count("staging_events") == 1


def test_same_event_twice_is_one_songplay(tmp_path: Path) -> None:
    line = json.dumps(event())
    src = write_source(tmp_path, {"2018-11-01": line + "\n" + line})
    assert invoke("run", "--source", str(src)).exit_code == 0
    assert count("staging_events") == 2
    assert count("songplays") == 1


def test_large_catalogs_take_the_concatenated_path_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COMBINE_ABOVE files, Python concatenates song files for DuckDB: same rows, lines, rejects."""
    from sparkify_cli.warehouse.duckdb import staging as stage_service

    pretty = json.dumps(song(song_id="SO1"), indent=4) + "\n" + json.dumps(song(song_id="SO2", title="B"), indent=2)
    files: dict[str, str | bytes] = {
        "A/A/A/TR1.json": pretty,
        "A/A/B/TR2.json": json.dumps(song(song_id="SO3")) + "\n" + json.dumps(song(song_id="SO4")) + "\n",
        "A/A/C/TR3.json": "\ufeff" + json.dumps(song(song_id="SO5")),
        "A/A/D/TR4.json": "",
        "A/A/E/TR5.json": json.dumps(song(song_id="SO6")) + "\n{oops",
        "A/A/F/TR6.json": gzip.compress(json.dumps(song(song_id="SO7")).encode()),
        "A/A/G/TR7.json": json.dumps(song(song_id="SO8", title="Ca\udcff")).encode("utf-8", "surrogateescape"),
    }
    files.update({f"B/{i:03d}.json": json.dumps(song(song_id=f"SX{i:03d}")) for i in range(40)})
    from sparkify_cli.warehouse.duckdb import read_lines

    results = []
    # the per-file path, then the concatenated one in one part, then in many small parts
    for limit, part_bytes in ((10_000, read_lines.PART_BYTES), (0, read_lines.PART_BYTES), (0, 600)):
        monkeypatch.setattr(stage_service, "COMBINE_ABOVE", limit)
        monkeypatch.setattr(read_lines, "PART_BYTES", part_bytes)
        src = write_source(tmp_path / f"src{limit}-{part_bytes}", {"2018-11-01": [event()]}, songs=files)
        wh = str(tmp_path / f"wh{limit}-{part_bytes}.duckdb")
        result = invoke("stage", "--source", str(src), "--max-errors", "5", env={"SPARKIFY_DUCKDB_PATH": wh})
        assert result.exit_code == 0, result.stderr
        rows = invoke(
            "query",
            "SELECT song_id, source_file, line_no FROM songs.staging_songs ORDER BY 1",
            "--format",
            "json",
            env={"SPARKIFY_DUCKDB_PATH": wh},
        ).json()
        rejects = invoke(
            "query",
            "SELECT source_file, line_no, reason FROM songs.rejects ORDER BY 1, 2",
            "--format",
            "json",
            env={"SPARKIFY_DUCKDB_PATH": wh},
        ).json()
        results.append((rows, rejects))
    assert results[0] == results[1] == results[2]
    rows, rejects = results[2]
    assert len(rows) == 7 + 40 and {"song_id": "SO5", "source_file": "song_data/A/A/C/TR3.json", "line_no": 1} in rows
    assert [(r["source_file"][-12:], r["line_no"]) for r in rejects] == [("A/E/TR5.json", 2), ("A/G/TR7.json", 1)]
