"""S3 as a source for the embedded warehouse: sync to a local cache, then the same pipeline.

Against moto in-process and through a moto server reached only via AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli import aws
from sparkify_cli.days import Days, select_days
from sparkify_cli.errors import SourceError
from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.services.pipeline import run as pipeline
from sparkify_cli.services.pipeline import schema
from sparkify_cli.settings import Settings, load_settings
from sparkify_cli.sources import LogLayout, Source, open_source
from sparkify_cli.sources.local import LocalSource
from sparkify_cli.sources.plan import plan_files
from sparkify_cli.sources.s3 import S3Source
from sparkify_cli.sources.sync import SyncResult
from sparkify_cli.warehouse import connect
from support.s3_fixtures import BUCKET, PREFIX, SOURCE, make_bucket, moto_s3, moto_server, s3, upload, write_fixture

__all__ = ["moto_s3", "moto_server"]  # fixtures

STAR = ("songplays", "users", "songs", "artists", "time")
ORDER = {
    "songplays": "songplay_id",
    "users": "user_id",
    "songs": "song_id",
    "artists": "artist_id",
    "time": "start_time",
}


@pytest.fixture
def bucket(tmp_path: Path) -> Path:
    """The fixture data set, locally and at s3://sparkify-src/data/v1."""
    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    return local


def sync_source(
    settings: Settings, uri: str, days: Days, *, no_sign_request: bool = False, on_progress: OnProgress = silent
) -> tuple[S3Source, SyncResult]:
    """What a local engine's run does with an S3 source: plan the files, then fetch them to the cache."""
    source = open_source(settings, uri, no_sign_request=no_sign_request)
    assert isinstance(source, S3Source)
    result = source.fetch(plan_files(source, days), everything=days.everything, on_progress=on_progress)
    return source, result


def run_duckdb(source: Source, db: Path, days: Days) -> dict[str, list[tuple[Any, ...]]]:
    """schema, stage, load on a fresh DuckDB file; every star table, sorted."""
    settings = load_settings(duckdb_path=db)
    with connect(settings) as wh:
        schema.create(wh)
        pipeline.stage(wh, settings, source, days)
        pipeline.load(wh, settings, days)
        tables = {t: wh.query(f'SELECT * FROM songs."{t}" ORDER BY {ORDER[t]}')[1] for t in STAR}
        tables["staged"] = wh.query(
            "SELECT source_file, kind, size_bytes, rows_staged FROM songs.staged_files ORDER BY 1"
        )[1]
    return tables


def test_run_from_s3_equals_run_from_local_folder(moto_s3: None, bucket: Path, tmp_path: Path) -> None:
    settings = load_settings()
    days = Days(None)
    progress: list[Progress] = []
    synced, _ = sync_source(settings, SOURCE, days, on_progress=progress.append)
    assert synced.cache_root == (tmp_path / "cache" / BUCKET / PREFIX).resolve()
    from_s3 = run_duckdb(synced, tmp_path / "s3.duckdb", days)
    from_local = run_duckdb(
        LocalSource.open(bucket, LogLayout(settings.log_key_template)), tmp_path / "local.duckdb", days
    )
    assert from_s3 == from_local
    assert len(from_s3["songplays"]) == 4 and len(from_s3["users"]) == 2 and len(from_s3["songs"]) == 3
    assert progress[0] == Progress("download", 0, 5) and progress[-1] == Progress("download", 5, 5)


def test_second_sync_downloads_nothing_and_follows_changes(moto_s3: None, bucket: Path) -> None:
    settings = load_settings()
    first = sync_source(settings, SOURCE, Days(None))[1]
    assert (first.listed, first.downloaded, first.skipped) == (5, 5, 0)
    again = sync_source(settings, SOURCE, Days(None))[1]
    assert (again.downloaded, again.skipped, again.bytes_downloaded) == (0, 5, 0)

    # One object changes (new ETag and size), one disappears: only those are touched.
    day4 = "log_data/2018/11/2018-11-04-events.json"
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{day4}", Body=(bucket / day4).read_bytes() + b"\n")
    s3().delete_object(Bucket=BUCKET, Key=f"{PREFIX}/song_data/A/B/C/TRABCDE128F00000.json")
    source, third = sync_source(settings, SOURCE, Days(None))
    assert (third.downloaded, third.skipped, third.removed) == (1, 3, 1)
    assert not (source.cache_root / "song_data/A/B/C/TRABCDE128F00000.json").exists()
    assert (source.cache_root / "log_data/2018/11/2018-11-04-events.json").read_bytes().endswith(b"\n")


def test_a_day_syncs_the_catalog_and_that_days_file_only(moto_s3: None, bucket: Path) -> None:
    source, result = sync_source(load_settings(), SOURCE, select_days("2018-11-02", None, None))
    assert result.downloaded == 3  # two song files and one log file
    assert sorted(p.name for p in (source.cache_root / "log_data/2018/11").iterdir()) == ["2018-11-02-events.json"]


def test_missing_day_and_missing_bucket_are_source_errors(moto_s3: None, bucket: Path) -> None:
    settings = load_settings()
    with pytest.raises(SourceError, match=r"no log file for 2018-11-03 in s3://sparkify-src/data/v1"):
        sync_source(settings, SOURCE, select_days("2018-11-03", None, None))
    with pytest.raises(SourceError, match="bucket no-such-bucket does not exist"):
        sync_source(settings, "s3://no-such-bucket/x", Days(None))
    # one planning function for every source: the log files are looked for first
    with pytest.raises(SourceError, match="no log files under s3://sparkify-src/elsewhere/log_data/"):
        sync_source(settings, f"s3://{BUCKET}/elsewhere", Days(None))


def test_a_key_that_climbs_out_of_the_cache_is_refused(moto_s3: None, bucket: Path, tmp_path: Path) -> None:
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/song_data/../../escape.json", Body=b"{}")
    with pytest.raises(SourceError, match="refusing the S3 key"):
        sync_source(load_settings(), SOURCE, Days(None))
    assert not list(tmp_path.rglob("escape.json"))


def test_a_failed_sync_keeps_exactly_what_arrived(moto_s3: None, bucket: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = aws.download_file

    def flaky(client: Any, bucket_name: str, key: str, out: Any, stop: Any) -> bool:
        if key.endswith("2018-11-02-events.json"):
            raise aws.AwsCallError("s3 download failed: SlowDown", "SlowDown")
        return real(client, bucket_name, key, out, stop)

    monkeypatch.setattr(aws, "download_file", flaky)
    with pytest.raises(aws.AwsCallError):
        sync_source(load_settings(), SOURCE, Days(None))
    cache = (load_settings().cache_dir / BUCKET / PREFIX).resolve()
    arrived = {p.relative_to(cache).as_posix() for p in cache.rglob("*.json") if p.name != ".sparkify-sync.json"}
    assert "log_data/2018/11/2018-11-02-events.json" not in arrived and len(arrived) < 5
    for key in arrived:  # whole objects only
        assert (cache / key).read_bytes() == (bucket / key).read_bytes()
    assert set(json.loads((cache / ".sparkify-sync.json").read_text())) == arrived
    assert not list(cache.rglob("*.part"))
    monkeypatch.setattr(aws, "download_file", real)
    source, result = sync_source(load_settings(), SOURCE, Days(None))
    assert (result.downloaded, result.skipped) == (5 - len(arrived), len(arrived))
    assert not [p for p in source.cache_root.rglob("*.part")]


def test_no_sign_request_reads_a_public_bucket_anonymously(moto_s3: None, tmp_path: Path) -> None:
    from botocore import UNSIGNED

    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local, public=True)
    make_bucket("private-bucket")
    upload(local, "private-bucket")
    client = aws.s3_client(load_settings(), unsigned=True)
    assert client.meta.config.signature_version is UNSIGNED
    _, result = sync_source(load_settings(), SOURCE, Days(None), no_sign_request=True)
    assert result.downloaded == 5
    with pytest.raises(aws.AwsCallError, match="403") as refused:
        sync_source(load_settings(), f"s3://private-bucket/{PREFIX}", Days(None), no_sign_request=True)
    assert "the bucket is not public" in str(refused.value)


def test_local_folders_open_as_they_are(tmp_path: Path) -> None:
    local = write_fixture(tmp_path / "plain")
    opened = open_source(load_settings(), str(local))
    assert isinstance(opened, LocalSource) and opened.root == local.resolve()


def test_through_a_moto_server_via_aws_endpoint_url(moto_server: str, tmp_path: Path) -> None:
    local = write_fixture(tmp_path / "local")
    make_bucket()
    upload(local)
    days = Days(None)
    settings = load_settings()
    synced, _ = sync_source(settings, SOURCE, days)
    assert run_duckdb(synced, tmp_path / "s3.duckdb", days) == run_duckdb(
        LocalSource.open(local, LogLayout(settings.log_key_template)), tmp_path / "local.duckdb", days
    )
    assert sync_source(settings, SOURCE, days)[1].downloaded == 0


def test_only_engines_that_read_local_files_fetch_into_the_cache(moto_s3: None, bucket: Path, tmp_path: Path) -> None:
    from sparkify_cli.services.pipeline.request import RunRequest
    from sparkify_cli.services.pipeline.run import plan
    from sparkify_cli.warehouse import DIALECTS
    from sparkify_cli.warehouse.dryrun import DryRunWarehouse

    source = open_source(load_settings(), SOURCE)
    assert isinstance(source, S3Source)
    on_redshift = DryRunWarehouse(DIALECTS["redshift"], "songs")  # reads see empty tables
    plan(on_redshift, RunRequest("stage"), source, source.layout, silent)
    assert not (tmp_path / "cache").exists()  # COPY reads S3 itself
    with connect(load_settings()) as wh:
        schema.create(wh)
        plan(wh, RunRequest("stage"), source, source.layout, silent)
    assert (source.cache_root / "song_data").is_dir() and (source.cache_root / "log_data").is_dir()
