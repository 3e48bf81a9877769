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
    runs = invoke("runs", "--format", "json").json()
    assert runs[0]["run_id"] == summary["run_id"]
    assert runs[0]["counts"]["rejected_events"] == 2 and runs[0]["status"] == "ok"
    over = invoke("run", "--source", str(src), "--max-errors", "1", "--format", "json")
    assert over.exit_code == 4
    assert over.stdout == ""  # nothing half-reported either
    assert invoke("runs", "--format", "json").json()[0]["status"] == "failed"


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


# Each name is a file of its own: never a pattern, never another file's alias.
ODD_NAMES = (
    "2018-11-0[1]-events.json",  # a character class matching 2018-11-01-events.json
    "?.json",
    "[!x].json",
    "{a,b}.json",
    "**.json",
    "back\\slash.json",
    'it\'s "quoted".json',
    "spaces and ünïcödé e\u0301 🎵.json",
    "~tilde.json",
)


def test_log_files_with_glob_characters_in_their_names_are_read_literally(harness: Harness, tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event(userId="plain")]})
    folder = src / "log_data" / "2018" / "11"
    for i, name in enumerate(ODD_NAMES):
        (folder / name).write_text(json.dumps(event(userId=f"u{i}")))
    (folder / "*.json").write_text("")  # an empty file named like "every file of the folder"
    assert stage_all(src, 0) == []
    rows = query("SELECT source_file, user_id FROM songs.staging_events")
    expected = [("2018-11-01-events.json", "plain"), *((name, f"u{i}") for i, name in enumerate(ODD_NAMES))]
    assert sorted((r["source_file"], r["user_id"]) for r in rows) == sorted(
        (f"log_data/2018/11/{name}", user) for name, user in expected
    )
    staged = query("SELECT source_file, rows_staged FROM songs.staged_files WHERE kind = 'event'")
    assert {r["source_file"]: r["rows_staged"] for r in staged}["log_data/2018/11/*.json"] == 0


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
