"""Through the CLI: an S3 source behind a moto server, and --dry-run's SQL-only output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from support.cli import invoke
from support.s3_fixtures import SOURCE, make_bucket, moto_server, upload, write_fixture

__all__ = ["moto_server"]  # fixture

STAR = ("songplays", "users", "songs", "artists", "time")


def tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: sorted(con.execute(f'SELECT * FROM songs."{t}"').fetchall(), key=repr) for t in STAR}
    finally:
        con.close()


def test_run_from_s3_through_the_cli(moto_server: str, tmp_path: Path) -> None:
    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    from_s3, from_disk = tmp_path / "s3.duckdb", tmp_path / "disk.duckdb"
    first = invoke("run", "--source", SOURCE, "--format", "json", env={"SPARKIFY_DUCKDB_PATH": str(from_s3)})
    assert first.exit_code == 0, first.stderr
    assert invoke("run", "--source", str(local), env={"SPARKIFY_DUCKDB_PATH": str(from_disk)}).exit_code == 0
    assert tables(from_s3) == tables(from_disk)
    assert first.json()["rows"]["songplays"] > 0


def test_dry_run_prints_only_sql_and_changes_nothing(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    result = invoke("schema", "create", "--dry-run", env={"SPARKIFY_DUCKDB_PATH": str(wh)})
    assert result.exit_code == 0, result.stderr
    assert not wh.exists()
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("--")
    # SQL only: every line is a comment or part of a statement, and the script runs as it is
    con = duckdb.connect(str(tmp_path / "piped.duckdb"))
    con.execute(result.stdout)
    created = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'songs'").fetchall()
    }
    assert set(STAR) <= created
    assert "not executed" in result.stderr


def test_redshift_dry_run_needs_no_cluster(tmp_path: Path) -> None:
    result = invoke("schema", "create", "--warehouse", "redshift", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "DISTSTYLE ALL" in result.stdout and "DISTKEY (user_id)" in result.stdout
    assert result.stdout.rstrip().endswith(";")


def test_aws_error_mid_sync_is_exit_3_and_changes_nothing(
    moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sparkify_cli import aws

    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    wh = tmp_path / "wh.duckdb"
    env = {"SPARKIFY_DUCKDB_PATH": str(wh)}
    assert invoke("run", "--source", SOURCE, "--date", "2018-11-01", env=env).exit_code == 0
    before = tables(wh)
    real = aws.download_file

    def throttled(client: Any, bucket: str, key: str, out: Any, stop: Any) -> bool:
        if key.endswith("2018-11-02-events.json"):
            raise aws.AwsCallError(
                "s3 download s3://sparkify-src/...: SlowDown (Please reduce your request rate)", "SlowDown"
            )
        return real(client, bucket, key, out, stop)

    monkeypatch.setattr(aws, "download_file", throttled)
    failed = invoke("run", "--source", SOURCE, env=env)
    assert failed.exit_code == 3
    assert len(failed.stderr.strip().splitlines()) == 1 and "SlowDown" in failed.stderr
    assert tables(wh) == before
    monkeypatch.setattr(aws, "download_file", real)
    again = invoke("run", "--source", SOURCE, env=env)
    assert again.exit_code == 0, again.stderr
    assert tables(wh) != before
