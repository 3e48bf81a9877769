"""A log file deleted from an S3 source: the warehouse keeps its rows until `prune` removes them
(never silently); `prune --dry-run` names the file, and the cache drops its copy."""

from __future__ import annotations

from pathlib import Path

from support.cli import invoke
from support.s3_fixtures import BUCKET, PREFIX, SOURCE, make_bucket, moto_server, s3, upload, write_fixture

__all__ = ["moto_server"]  # fixture

GONE = "log_data/2018/11/2018-11-02-events.json"


def plays(env: dict[str, str] | None = None) -> int:
    found = invoke("query", "SELECT count(*) AS n FROM songs.songplays", "--format", "csv", env=env)
    assert found.exit_code == 0, found.stderr
    return int(found.stdout.split()[-1])


def test_a_file_deleted_from_the_bucket_is_named_and_pruned(moto_server: str, tmp_path: Path) -> None:
    make_bucket()
    local = write_fixture(tmp_path / "local")
    upload(local)
    assert invoke("run", "--source", SOURCE).exit_code == 0
    before = plays()

    s3().delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{GONE}")
    fresh = {"SPARKIFY_DUCKDB_PATH": str(tmp_path / "fresh.duckdb")}
    assert invoke("run", "--source", SOURCE, env=fresh).exit_code == 0
    expected = plays(fresh)
    assert expected < before  # the deleted file held plays

    dry = invoke("prune", "--source", SOURCE, "--dry-run")  # status stays offline on S3: prune lists it
    assert dry.exit_code == 0, dry.stderr
    assert GONE in dry.stdout
    assert plays() == before  # the dry run changes nothing

    done = invoke("prune", "--source", SOURCE, "--yes")
    assert done.exit_code == 0, done.stderr
    assert plays() == expected
    assert not (tmp_path / "cache" / BUCKET / PREFIX / GONE).exists()
    again = invoke("prune", "--source", SOURCE, "--dry-run")
    assert again.exit_code == 0 and GONE not in again.stdout
