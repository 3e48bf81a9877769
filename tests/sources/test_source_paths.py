"""Nothing outside the source folder is read and nothing outside the S3 cache folder is written or
deleted, whatever the S3 URI, SPARKIFY_LOG_KEY_TEMPLATE or the source tree holds; a broken tree is a
one-line source error (exit 2) naming the path."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from sparkify_cli.errors import ConfigError, SourceError
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import LogLayout, open_source
from sparkify_cli.sources import sync as s3_sync
from sparkify_cli.sources.s3 import S3Source
from support.cli import invoke
from support.data import event, generated
from support.s3_fixtures import BUCKET, SOURCE, make_bucket, moto_s3, upload, write_fixture

__all__ = ["moto_s3"]  # fixture


def victim(folder: Path, names: list[str]) -> dict[str, bytes]:
    """Files that belong to someone else; what they hold, to compare after."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(event()) + "\n")
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def one_line_exit_2(result: object) -> str:
    exit_code, stderr = result.exit_code, result.stderr  # type: ignore[attr-defined]
    assert exit_code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- S3 prefixes and the cache ---------------------------------------------------------------------


def test_an_s3_prefix_that_climbs_out_of_the_cache_is_refused(moto_s3: None, tmp_path: Path) -> None:
    # SPARKIFY_CACHE_DIR is tmp_path/cache: cache/<bucket>/../../victim is tmp_path/victim.
    make_bucket()
    upload(write_fixture(tmp_path / "local"), prefix="../../victim")  # S3 keys are plain strings
    theirs = victim(tmp_path / "victim", [f"song_data/A/keep{i}.json" for i in range(5)] + ["log_data/x.json"])
    line = one_line_exit_2(invoke("run", "--source", f"s3://{BUCKET}/../../victim"))
    assert "s3://sparkify-src/../../victim" in line
    assert victim(tmp_path / "victim", []) == theirs


@pytest.mark.parametrize(
    "uri",
    [
        "s3://sparkify-src/data/./v1",
        "s3://sparkify-src/data/..",
        "s3://sparkify-src//data",
        "s3://sparkify-src/data//v1",
        "s3://sparkify-src/data/v1\\..\\..",
        "s3://sparkify-src/da'ta",
        "s3://sparkify-src/data/\x1bv1",
        "s3://sparkify..src/data",
    ],
)
def test_s3_uris_are_validated_strictly(moto_s3: None, tmp_path: Path, uri: str) -> None:
    make_bucket()
    upload(write_fixture(tmp_path / "local"))
    assert "S3 URI" in one_line_exit_2(invoke("stage", "--source", uri))


def test_plain_s3_uris_still_open(moto_s3: None) -> None:
    for uri, prefix in ((SOURCE, "data/v1"), (SOURCE + "/", "data/v1"), (f"s3://{BUCKET}", "")):
        source = open_source(load_settings(), uri)
        assert isinstance(source, S3Source) and source.location.prefix == prefix


def test_a_log_template_that_climbs_out_never_deletes_outside_the_cache(moto_s3: None, tmp_path: Path) -> None:
    make_bucket()
    upload(write_fixture(tmp_path / "local"))
    theirs = victim(tmp_path / "victim2", ["2018-11-05-events.json", "2018-11-06-events.json"])
    # cache/<bucket>/data/v1/../../../../victim2 is tmp_path/victim2
    env = {"SPARKIFY_LOG_KEY_TEMPLATE": "../../../../victim2/{date}-events.json"}
    result = invoke("run", "--source", SOURCE, "--start", "2018-11-05", "--end", "2018-11-06", env=env)
    one_line_exit_2(result)
    assert victim(tmp_path / "victim2", []) == theirs


def test_the_sync_never_writes_or_deletes_outside_its_cache_folder(moto_s3: None, tmp_path: Path) -> None:
    """Below the settings and the layout: even a bad key that got through stays inside the cache."""
    make_bucket()
    upload(write_fixture(tmp_path / "local"))
    source = open_source(load_settings(), SOURCE)
    assert isinstance(source, S3Source)
    theirs = victim(tmp_path / "victim3", ["2018-11-05-events.json"])
    outside = "../../../../victim3/2018-11-05-events.json"
    with pytest.raises(SourceError, match="outside the cache folder"):
        s3_sync.sync(source, [], stale_keys=[outside])
    assert victim(tmp_path / "victim3", []) == theirs

    # an index naming such a key, or a scope folder that is a link out of the cache: nothing leaves it
    songs = source.song_files()
    s3_sync.sync(source, songs, stale_scopes=["song_data/"])
    index = source.cache_root / s3_sync.INDEX
    index.write_text(json.dumps({**json.loads(index.read_text()), outside: {"etag": "x", "size": 1}}))
    with pytest.raises(SourceError, match="outside the cache folder"):
        s3_sync.sync(source, [], stale_keys=[outside])
    link = source.cache_root / "log_data"
    link.symlink_to(tmp_path / "victim3", target_is_directory=True)
    with pytest.raises(SourceError, match="outside the cache folder"):
        s3_sync.sync(source, songs, stale_scopes=["log_data/"])
    assert victim(tmp_path / "victim3", []) == theirs
    # and a file to download whose path leads out of the cache
    bad = dataclasses.replace(songs[0], path=source.cache_root / "log_data" / "2018-11-05-events.json")
    with pytest.raises(SourceError, match="outside the cache folder"):
        s3_sync.sync(source, [bad])
    assert victim(tmp_path / "victim3", []) == theirs


# --- local sources ---------------------------------------------------------------------------------


def test_a_log_template_never_reads_outside_a_local_source(tmp_path: Path) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    victim(tmp_path / "victim", ["2018-11-01-events.json"])
    env = {"SPARKIFY_LOG_KEY_TEMPLATE": "../victim/{date}-events.json"}
    one_line_exit_2(invoke("run", "--source", str(src), "--date", "2018-11-01", env=env))
    assert not (tmp_path / "wh.duckdb").exists()  # refused with the settings, before anything ran


@pytest.mark.parametrize("template", ["../x/{date}.json", "/etc/{date}.json", "a/./{date}.json", "a//{date}.json"])
def test_the_layout_refuses_keys_that_leave_the_source(template: str) -> None:
    with pytest.raises(ConfigError, match="SPARKIFY_LOG_KEY_TEMPLATE"):
        LogLayout(template).key(date(2018, 11, 1))


@pytest.mark.parametrize("kind", ["loop", "self-loop", "broken-file", "broken-folder"])
def test_a_broken_song_tree_is_a_source_error_naming_the_path(tmp_path: Path, kind: str) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    folder = src / "song_data" / "A"
    link = {
        "loop": folder / "loop",
        "self-loop": folder / "self.json",
        "broken-file": folder / "gone.json",
        "broken-folder": folder / "Z",
    }[kind]
    target = {"loop": "..", "self-loop": "self.json", "broken-file": "/nonexistent/x.json"}.get(kind, "/nonexistent")
    link.symlink_to(target)
    line = one_line_exit_2(invoke("run", "--source", str(src)))
    assert str(link) in line


def test_a_symlinked_folder_inside_the_source_is_still_read(tmp_path: Path) -> None:
    src, _ = generated(tmp_path / "src", days=2)
    elsewhere = tmp_path / "elsewhere"
    (src / "log_data").rename(elsewhere)
    (src / "log_data").symlink_to(elsewhere, target_is_directory=True)
    result = invoke("run", "--source", str(src), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["loaded_files"] == 2
