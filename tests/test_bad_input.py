"""Messy source files and bad settings: loaded correctly or rejected with a reason, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import count, event, invoke, query, write_source


def stage_all(src: Path, max_errors: int = 1000) -> list[dict[str, object]]:
    result = invoke("stage", "--source", str(src), "--max-errors", str(max_errors))
    assert result.exit_code == 0, result.stderr
    return query("SELECT line_no, col, reason, raw FROM songs.rejects ORDER BY line_no")


def test_truncated_last_line_is_rejected(tmp_path: Path) -> None:
    text = json.dumps(event()) + "\n" + json.dumps(event(ts=1541105830999))[:57]
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": text}))
    assert [(r["line_no"], str(r["reason"]).startswith("invalid JSON")) for r in rejects] == [(2, True)]
    assert rejects[0]["col"] == 58  # where the text stops
    assert count("staging_events") == 1


def test_empty_file_loads_nothing_and_rejects_nothing(tmp_path: Path) -> None:
    src = write_source(tmp_path, {"2018-11-01": "", "2018-11-02": [event()]})
    assert stage_all(src, 0) == []
    assert count("staging_events") == 1
    staged = query("SELECT source_file, rows_staged FROM songs.staged_files WHERE kind = 'event' ORDER BY 1")
    assert [r["rows_staged"] for r in staged] == [0, 1]


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    line = json.dumps(event())[:-1] + ', "level": "paid"}'
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": line}))
    assert [r["reason"] for r in rejects] == ["duplicate keys in one object"]


def test_raw_newline_inside_a_string_rejects_both_halves(tmp_path: Path) -> None:
    line = json.dumps(event(song="Two\nLines")).replace("\\n", "\n")
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": line}))
    assert [r["line_no"] for r in rejects] == [1, 2]
    assert all(str(r["reason"]).startswith("invalid JSON") for r in rejects)
    assert count("staging_events") == 0


def test_very_long_line_is_rejected_whole(tmp_path: Path) -> None:
    huge = json.dumps(event(userAgent="x" * 20_000_000))
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": json.dumps(event(ts=1541105830000)) + "\n" + huge}))
    assert [(r["line_no"], r["reason"]) for r in rejects] == [(2, "line is longer than 4194304 bytes")]
    assert len(str(rejects[0]["raw"])) == 1000  # the raw text is kept, cut to a sane length
    assert count("staging_events") == 1


def test_text_wider_than_the_warehouse_column_is_rejected(tmp_path: Path) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": [event(userAgent="y" * 5000)]}))
    assert [r["reason"] for r in rejects] == ["field userAgent is longer than 1024 bytes"]


def test_ts_far_in_the_future_is_rejected(tmp_path: Path) -> None:
    rejects = stage_all(write_source(tmp_path, {"2018-11-01": [event(ts=9_999_999_999_999)]}))
    assert [r["reason"] for r in rejects] == ["field ts is out of range"]


def test_malformed_s3_uri_is_exit_2() -> None:
    result = invoke("run", "--source", "s3://No_Such Bucket/x")
    assert result.exit_code == 2
    assert "S3 URI" in result.stderr


def test_duckdb_path_that_is_a_folder_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "dir.duckdb").mkdir()
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    result = invoke("run", "--source", str(src), env={"SPARKIFY_DUCKDB_PATH": str(tmp_path / "dir.duckdb")})
    assert result.exit_code == 2
    assert "SPARKIFY_DUCKDB_PATH" in result.stderr


def test_duckdb_folder_missing_is_exit_2(tmp_path: Path) -> None:
    result = invoke("schema", "create", env={"SPARKIFY_DUCKDB_PATH": str(tmp_path / "no" / "wh.duckdb")})
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs (needs root, as in CI); skipped where mounting is not allowed."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_while_staging_is_a_clean_failure(tmp_path: Path, tiny_fs: Path) -> None:
    wh = tiny_fs / "wh.duckdb"
    env = {"SPARKIFY_DUCKDB_PATH": str(wh)}
    small = write_source(tmp_path / "small", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(small), env=env).exit_code == 0
    before = invoke("query", "SELECT count(*) AS n FROM songs.staging_events", "--format", "json", env=env).json()

    big = tmp_path / "big"
    lines = [json.dumps(event(itemInSession=i, ts=1541105830796 + i, userAgent="z" * 900)) for i in range(8000)]
    write_source(big, {"2018-11-01": "\n".join(lines)})
    result = invoke("run", "--source", str(big), env=env)
    assert result.exit_code == 4
    assert len(result.stderr.strip().splitlines()) == 1
    after = invoke("query", "SELECT count(*) AS n FROM songs.staging_events", "--format", "json", env=env)
    assert after.exit_code == 0, after.stderr
    assert after.json() == before

    # with room again, the same command succeeds
    shutil.move(wh, tmp_path / "wh.duckdb")
    env["SPARKIFY_DUCKDB_PATH"] = str(tmp_path / "wh.duckdb")
    assert invoke("run", "--source", str(big), env=env).exit_code == 0


def test_read_only_warehouse_is_a_clean_failure(tmp_path: Path, tiny_fs: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    env = {"SPARKIFY_DUCKDB_PATH": str(tiny_fs / "wh.duckdb")}
    assert invoke("run", "--source", str(src), env=env).exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    result = invoke("run", "--source", str(src), env=env)
    assert result.exit_code == 4, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "read-only" in result.stderr.lower() or "read only" in result.stderr.lower()
    # reading still works
    assert invoke("query", "SELECT count(*) FROM songs.songplays", env=env).exit_code == 0


def test_accepted_rejects_are_reported_in_the_json_summary(tmp_path: Path) -> None:
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
