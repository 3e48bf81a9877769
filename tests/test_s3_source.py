"""S3 as a source for the embedded warehouse: sync to a local cache, then the same pipeline.

Against moto in-process and through a moto server reached only via AWS_ENDPOINT_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from s3_fixtures import BUCKET, PREFIX, SOURCE, make_bucket, moto_s3, moto_server, s3, upload, write_fixture
from sparkify_cli import aws, s3sync
from sparkify_cli.dates import Days, select_days
from sparkify_cli.errors import SourceError
from sparkify_cli.services import load, schema, stage
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import LocalSource
from sparkify_cli.warehouse import connect

__all__ = ["moto_s3", "moto_server"]  # fixtures

STAR = ("songplays", "users", "songs", "artists", "time")
ORDER = {
    "songplays": "songplay_id", "users": "user_id", "songs": "song_id", "artists": "artist_id", "time": "start_time"
}


@pytest.fixture
def bucket(tmp_path: Path) -> Path:
    """The fixture data set, locally and at s3://sparkify-src/data/v1."""
    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    return local


def run_duckdb(source: LocalSource, db: Path, days: Days) -> dict[str, list[tuple[Any, ...]]]:
    """schema, stage, load on a fresh DuckDB file; every star table, sorted."""
    with connect(load_settings(duckdb_path=db)) as wh:
        schema.create(wh)
        stage.stage(wh, source, days)
        load.load(wh, source, days)
        tables = {t: wh.query(f'SELECT * FROM songs."{t}" ORDER BY {ORDER[t]}')[1] for t in STAR}
        tables["staged"] = wh.query(
            "SELECT source_file, kind, size_bytes, rows_staged FROM songs.staged_files ORDER BY 1"
        )[1]
    return tables


def test_run_from_s3_equals_run_from_local_folder(moto_s3: None, bucket: Path, tmp_path: Path) -> None:
    settings = load_settings()
    days = Days(None)
    progress: list[tuple[str, int, int | None]] = []
    synced = s3sync.open_source(settings, SOURCE, days, on_progress=lambda *a: progress.append(a))
    assert synced.root == (tmp_path / "cache" / BUCKET / PREFIX).resolve()
    from_s3 = run_duckdb(synced, tmp_path / "s3.duckdb", days)
    from_local = run_duckdb(LocalSource.open(bucket, settings.log_key_template), tmp_path / "local.duckdb", days)
    assert from_s3 == from_local
    assert len(from_s3["songplays"]) == 4 and len(from_s3["users"]) == 2 and len(from_s3["songs"]) == 3
    assert progress[0] == ("download", 0, 5) and progress[-1] == ("download", 5, 5)


def test_second_sync_downloads_nothing_and_follows_changes(moto_s3: None, bucket: Path) -> None:
    settings = load_settings()
    first = s3sync.sync_source(settings, SOURCE, Days(None))[1]
    assert (first.listed, first.downloaded, first.skipped) == (5, 5, 0)
    again = s3sync.sync_source(settings, SOURCE, Days(None))[1]
    assert (again.downloaded, again.skipped, again.bytes_downloaded) == (0, 5, 0)

    # One object changes (new ETag and size), one disappears: only those are touched.
    day4 = "log_data/2018/11/2018-11-04-events.json"
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{day4}", Body=(bucket / day4).read_bytes() + b"\n")
    s3().delete_object(Bucket=BUCKET, Key=f"{PREFIX}/song_data/A/B/C/TRABCDE128F00000.json")
    source, third = s3sync.sync_source(settings, SOURCE, Days(None))
    assert (third.downloaded, third.skipped, third.removed) == (1, 3, 1)
    assert not (source.root / "song_data/A/B/C/TRABCDE128F00000.json").exists()
    assert (source.root / "log_data/2018/11/2018-11-04-events.json").read_bytes().endswith(b"\n")


def test_a_day_syncs_the_catalog_and_that_days_file_only(moto_s3: None, bucket: Path) -> None:
    source, result = s3sync.sync_source(load_settings(), SOURCE, select_days("2018-11-02", None, None))
    assert result.downloaded == 3  # two song files and one log file
    assert sorted(p.name for p in (source.root / "log_data/2018/11").iterdir()) == ["2018-11-02-events.json"]


def test_missing_day_and_missing_bucket_are_source_errors(moto_s3: None, bucket: Path) -> None:
    settings = load_settings()
    with pytest.raises(SourceError, match=r"no log file for 2018-11-03 in s3://sparkify-src/data/v1"):
        s3sync.open_source(settings, SOURCE, select_days("2018-11-03", None, None))
    with pytest.raises(SourceError, match="bucket no-such-bucket does not exist"):
        s3sync.open_source(settings, "s3://no-such-bucket/x", Days(None))
    with pytest.raises(SourceError, match="no song files under s3://sparkify-src/elsewhere/song_data/"):
        s3sync.open_source(settings, f"s3://{BUCKET}/elsewhere", Days(None))


def test_a_key_that_climbs_out_of_the_cache_is_refused(moto_s3: None, bucket: Path, tmp_path: Path) -> None:
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/song_data/../../escape.json", Body=b"{}")
    with pytest.raises(SourceError, match="refusing the S3 key"):
        s3sync.open_source(load_settings(), SOURCE, Days(None))
    assert not list(tmp_path.rglob("escape.json"))


def test_interrupted_sync_keeps_what_arrived(moto_s3: None, bucket: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = aws.download_file

    def flaky(client: Any, bucket_name: str, key: str, path: str) -> None:
        if key.endswith("2018-11-02-events.json"):
            raise aws.AwsCallError("s3 download failed: SlowDown", "SlowDown")
        real(client, bucket_name, key, path)

    monkeypatch.setattr(aws, "download_file", flaky)
    with pytest.raises(aws.AwsCallError):
        s3sync.sync_source(load_settings(), SOURCE, Days(None))
    monkeypatch.setattr(aws, "download_file", real)
    source, result = s3sync.sync_source(load_settings(), SOURCE, Days(None))
    assert (result.downloaded, result.skipped) == (1, 4)
    assert not [p for p in source.root.rglob("*.part")]


def test_no_sign_request_reads_a_public_bucket_anonymously(moto_s3: None, tmp_path: Path) -> None:
    from botocore import UNSIGNED

    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local, public=True)
    make_bucket("private-bucket")
    upload(local, "private-bucket")
    client = aws.s3_client(load_settings(), unsigned=True)
    assert client.meta.config.signature_version is UNSIGNED
    _, result = s3sync.sync_source(load_settings(), SOURCE, Days(None), no_sign_request=True)
    assert result.downloaded == 5
    with pytest.raises(aws.AwsCallError, match="403") as refused:
        s3sync.sync_source(load_settings(), f"s3://private-bucket/{PREFIX}", Days(None), no_sign_request=True)
    assert "the bucket is not public" in str(refused.value)


def test_local_folders_open_as_they_are(tmp_path: Path) -> None:
    local = write_fixture(tmp_path / "plain")
    assert s3sync.open_source(load_settings(), str(local), Days(None)).root == local.resolve()


def test_through_a_moto_server_via_aws_endpoint_url(moto_server: str, tmp_path: Path) -> None:
    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    days = Days(None)
    settings = load_settings()
    synced = s3sync.open_source(settings, SOURCE, days)
    assert run_duckdb(synced, tmp_path / "s3.duckdb", days) == run_duckdb(
        LocalSource.open(local, settings.log_key_template), tmp_path / "local.duckdb", days
    )
    assert s3sync.sync_source(settings, SOURCE, days)[1].downloaded == 0


def test_source_for_the_warehouse(moto_s3: None, bucket: Path, tmp_path: Path) -> None:
    from sparkify_cli.s3source import S3Source

    days = Days(None)
    on_redshift = s3sync.source_for(load_settings(warehouse="redshift"), SOURCE, days)
    assert isinstance(on_redshift, S3Source) and not (tmp_path / "cache").exists()  # COPY reads S3 itself
    on_duckdb = s3sync.source_for(load_settings(), SOURCE, days)
    assert isinstance(on_duckdb, LocalSource) and (on_duckdb.root / "song_data").is_dir()
