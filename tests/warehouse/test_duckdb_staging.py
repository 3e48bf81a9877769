"""DuckDB staging specifics: its column types, and the concatenated read of large song catalogs."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from support.cli import invoke, query
from support.data import event, song, write_source


def stage(src: Path, *args: str) -> None:
    result = invoke("stage", "--source", str(src), *args)
    assert result.exit_code == 0, result.stderr


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
        ).json()["rows"]
        rejects = invoke(
            "query",
            "SELECT source_file, line_no, reason FROM songs.rejects ORDER BY 1, 2",
            "--format",
            "json",
            env={"SPARKIFY_DUCKDB_PATH": wh},
        ).json()["rows"]
        results.append((rows, rejects))
    assert results[0] == results[1] == results[2]
    rows, rejects = results[2]
    assert len(rows) == 7 + 40 and {"song_id": "SO5", "source_file": "song_data/A/A/C/TR3.json", "line_no": 1} in rows
    assert [(r["source_file"][-12:], r["line_no"]) for r in rejects] == [("A/E/TR5.json", 2), ("A/G/TR7.json", 1)]


def test_a_dry_run_with_rejects_says_that_it_recorded_nothing(tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": json.dumps(event()) + "\nnot json"})
    result = invoke("stage", "--source", str(src), "--dry-run")
    assert result.exit_code == 4
    assert "2018-11-01-events.json:2: invalid JSON" in result.stderr
    assert "see `sparkify rejects`" not in result.stderr  # it would list nothing
    assert "nothing was changed (dry run)" in result.stderr
    stage(src, "--max-errors", "1")  # the real step records them
    assert [r["line_no"] for r in query("SELECT line_no FROM songs.rejects")] == [2]
    over = invoke("stage", "--source", str(src))
    assert over.exit_code == 4 and "see `sparkify rejects`" in over.stderr


def test_a_dry_run_reads_files_with_glob_characters_as_themselves(tmp_path: Path) -> None:
    """A dry run's script must replay on its own (no temporary links): Python reads such files."""
    own = write_source(tmp_path / "sparkify[1]", {"2018-11-01": [event(userId="own-user")]})
    write_source(tmp_path / "sparkify1", {"2018-11-01": [event(userId="other-user")]})
    result = invoke("stage", "--source", str(own), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert '"userId": "own-user"' in result.stdout  # the line, as the script inserts it
    assert "other-user" not in result.stdout


def test_a_file_name_that_is_not_utf8_stops_the_step_with_its_name(tmp_path: Path) -> None:
    """A song file (any *.json under song_data/ is one); a log file so named is not named like a day,
    so it is not a log file at all."""
    src = write_source(tmp_path, {"2018-11-01": [event()]})
    folder = os.fsencode(src / "song_data" / "A" / "B" / "C")
    try:
        os.rename(folder + b"/TR0000.json", folder + b"/TR\xff.json")
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    result = invoke("stage", "--source", str(src))
    assert result.exit_code == 2
    assert "TR\\xff.json: the file name is not UTF-8" in result.stderr


def test_suspect_lines_are_judged_a_chunk_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines with a key staging does not keep are all checked by Python, whatever the chunk size."""
    from sparkify_cli.warehouse.duckdb import staging as duckdb_staging

    monkeypatch.setattr(duckdb_staging, "JUDGE_CHUNK", 2)
    lines = []
    for i in range(7):
        extra = "NaN" if i in (1, 2, 6) else str(i)
        lines.append(json.dumps(event(ts=1541105830000 + i))[:-1] + f', "extra": {extra}}}')
    stage(write_source(tmp_path, {"2018-11-01": "\n".join(lines)}), "--max-errors", "10")
    rejects = query("SELECT line_no, reason FROM songs.rejects ORDER BY line_no")
    assert [(r["line_no"], r["reason"]) for r in rejects] == [
        (n, "invalid JSON: NaN is not a JSON number") for n in (2, 3, 7)
    ]
    assert [r["ts"] % 1000 for r in query("SELECT ts FROM songs.staging_events ORDER BY ts")] == [0, 3, 4, 5]


@pytest.mark.parametrize("end", [",\r}", ", \r}", ",\r\t}"])
def test_a_trailing_comma_before_a_carriage_return_is_rejected(tmp_path: Path, end: str) -> None:
    """A CR is JSON whitespace: `"7",\\r}` ends in a trailing comma, which RFC 8259 refuses (DuckDB's
    reader takes it, so Python's strict judge has to see the line)."""
    line = json.dumps(event())[:-1] + end
    text = json.dumps(event(ts=1541105830000)) + "\n" + line
    stage(write_source(tmp_path, {"2018-11-01": text}), "--max-errors", "5")
    rejects = query("SELECT line_no, reason FROM songs.rejects")
    assert [r["line_no"] for r in rejects] == [2]
    assert str(rejects[0]["reason"]).startswith("invalid JSON: ")
    assert [r["ts"] for r in query("SELECT ts FROM songs.staging_events")] == [1541105830000]


def test_a_log_file_larger_than_duckdbs_memory_is_staged_in_parts(tmp_path: Path) -> None:
    """DuckDB reads a file as one text: a log file near its memory limit failed with Out of Memory
    (400 MB at the default 256MB). A file larger than a part is now read in parts, whatever its size."""
    lines = [json.dumps(event(ts=1541105830000 + i, userAgent="x" * 300)) for i in range(100_000)]
    src = write_source(tmp_path, {"2018-11-01": "\n".join(lines)})
    assert (src / "log_data/2018/11/2018-11-01-events.json").stat().st_size > 40_000_000
    result = invoke("stage", "--source", str(src), env={"SPARKIFY_DUCKDB_MEMORY_LIMIT": "64MB"})
    assert result.exit_code == 0, result.stderr
    found = query(
        "SELECT count(*) AS n, min(line_no) AS first, max(line_no) AS last, max(ts) AS ts FROM songs.staging_events"
    )
    assert found == [{"n": 100_000, "first": 1, "last": 100_000, "ts": 1541105830000 + 99_999}]
