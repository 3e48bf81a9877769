"""An S3 source on PostgreSQL: the objects are synced to the local cache, then sent with COPY like a
local folder's files (moto, reached only through AWS_ENDPOINT_URL)."""

from __future__ import annotations

from pathlib import Path

from support.cli import invoke
from support.harness import Harness
from support.s3_fixtures import SOURCE, make_bucket, moto_server, upload, write_fixture

__all__ = ["moto_server"]  # fixture


def test_run_from_s3_equals_run_from_the_local_folder(moto_server: str, postgres: Harness, tmp_path: Path) -> None:
    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    from_s3 = invoke("run", "--source", SOURCE, "--format", "json")
    assert from_s3.exit_code == 0, from_s3.stderr
    assert from_s3.json()["events"]["staged"] > 0
    folder = postgres.env("folder")
    assert invoke("run", "--source", str(local), env=folder).exit_code == 0
    assert postgres.snapshot(postgres.env()) == postgres.snapshot(folder)
    assert (tmp_path / "cache").is_dir()  # the objects came through the cache (SPARKIFY_CACHE_DIR)
