"""Every S3 failure of a run leaves a `failed` row in the run ledger: while listing, while syncing,
and while opening the source (before anything is listed)."""

from __future__ import annotations

from pathlib import Path

from support.cli import invoke
from support.s3_fixtures import BUCKET, SOURCE, make_bucket, moto_server, upload, write_fixture

__all__ = ["moto_server"]  # fixture


def ledger() -> list[tuple[str, str]]:
    result = invoke("runs", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [(r["status"], r["error"]) for r in result.json()["runs"]]


def test_a_failed_listing_or_sync_is_a_failed_run(moto_server: str, tmp_path: Path) -> None:
    make_bucket()
    upload(write_fixture(tmp_path / "local"))
    missing = invoke("run", "--source", "s3://no-such-bucket/x")
    assert missing.exit_code == 2
    # a sync that cannot write into its cache folder (a file where the folder should be)
    cache = tmp_path / "cache" / BUCKET / "data"
    cache.mkdir(parents=True)
    (cache / "v1").write_text("not a folder")
    blocked = invoke("run", "--source", SOURCE)
    assert blocked.exit_code == 2 and f"cannot use the cache folder {cache / 'v1'}" in blocked.stderr
    assert [status for status, _ in ledger()] == ["failed", "failed"]
    assert "no-such-bucket" in ledger()[1][1]


def test_a_source_that_cannot_be_opened_is_a_failed_run(moto_server: str, tmp_path: Path) -> None:
    result = invoke("run", "--source", SOURCE, env={"SPARKIFY_AWS_PROFILE": "no-such-profile"})
    assert result.exit_code == 2
    assert [status for status, _ in ledger()] == ["failed"]
