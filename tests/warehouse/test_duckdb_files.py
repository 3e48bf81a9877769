"""The DuckDB file: a path that cannot be a warehouse, a full disk, a read-only file system."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import invoke
from support.data import event, write_source


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


def test_a_truncated_warehouse_is_a_warehouse_error_not_failed_checks(tmp_path: Path) -> None:
    """Checks that cannot read the file are not data failures: exit 4, one line, not 1."""
    assert invoke("generate", str(tmp_path / "src"), "--events", "3000", "--songs", "50").exit_code == 0
    assert invoke("run", "--source", str(tmp_path / "src")).exit_code == 0
    wh = tmp_path / "wh.duckdb"
    assert wh.stat().st_size > 3_000_000  # blocks beyond the cut hold the tables
    with wh.open("r+b") as f:
        f.truncate(1_000_000)
    for fmt in ("table", "json"):
        result = invoke("check", "--format", fmt)
        assert result.exit_code == 4, result.stdout + result.stderr
        line = result.stderr.strip().splitlines()
        assert len(line) == 1 and line[0].startswith("error: DuckDB: IO Error"), line
        assert result.stdout == "" if fmt == "table" else result.json()["status"] == "failed"
