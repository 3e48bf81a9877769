"""S3 test doubles for the S3-source and Redshift-SQL tests: fake AWS credentials, a moto bucket
(in-process, or a moto server reached only through AWS_ENDPOINT_URL) and a small fixed data set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from support.moto_server import serve

REGION = "us-west-2"
BUCKET, PREFIX = "sparkify-src", "data/v1"
SOURCE = f"s3://{BUCKET}/{PREFIX}"
ROLE = "sparkify-redshift-s3-read"
FAKE_SECRET_KEY = "FAKEsecretKEY/s3tests+never+shown/9d1c"
JSONPATHS = json.dumps(
    {
        "jsonpaths": [
            f"$['{k}']"
            for k in (
                "artist",
                "auth",
                "firstName",
                "gender",
                "itemInSession",
                "lastName",
                "length",
                "level",
                "location",
                "method",
                "page",
                "registration",
                "sessionId",
                "song",
                "status",
                "ts",
                "userAgent",
                "userId",
            )
        ]
    },
    indent=4,
)


def fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and region; nothing from the developer's ~/.aws or environment leaks in."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFORS3TESTS01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", REGION)


@pytest.fixture
def moto_s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """moto in-process: every boto3 call intercepted."""
    from moto import mock_aws

    fake_aws(monkeypatch, tmp_path)
    with mock_aws():
        yield


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """moto as an HTTP server on 127.0.0.1, reached only through AWS_ENDPOINT_URL."""
    fake_aws(monkeypatch, tmp_path)
    with serve(monkeypatch) as url:
        yield url


def s3() -> Any:
    return boto3.client("s3", region_name=REGION)


def make_bucket(bucket: str = BUCKET) -> None:
    s3().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})


def upload(root: Path, bucket: str = BUCKET, prefix: str = PREFIX, *, public: bool = False) -> int:
    """Put every file under `root` at s3://bucket/prefix/<relative path> (readable by anyone if `public`)."""
    client, n = s3(), 0
    extra = {"ACL": "public-read"} if public else {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = f"{prefix}/{path.relative_to(root).as_posix()}"
        client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), **extra)
        n += 1
    return n


def make_role(name: str = ROLE) -> str:
    found = boto3.client("iam", region_name=REGION).create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    return str(found["Role"]["Arn"])


def _event(day: int, item: int, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "artist": "The Smiths",
        "auth": "Logged In",
        "firstName": "Ada",
        "gender": "F",
        "itemInSession": item,
        "lastName": "Lovelace",
        "length": 200.5,
        "level": "free",
        "location": "London, UK",
        "method": "PUT",
        "page": "NextSong",
        "registration": 1540919166796.0,
        "sessionId": 10 + day,
        "song": "Ask",
        # ts falls inside the day its file is named for
        "status": 200,
        "ts": 1541030400000 + (day - 1) * 86_400_000 + item * 1000,
        "userAgent": '"Mozilla/5.0"',
        "userId": "7",
    }
    base.update(extra)
    return base


def write_fixture(root: Path) -> Path:
    """A small data set with the real data's quirks: a pretty-printed song file holding two
    objects, a number in a text field, non-ASCII and apostrophes, a non-NextSong event, an
    empty userId, a second user whose level changes."""
    songs = {
        "song_data/A/A/A/TRAAAAK128F9318786.json": json.dumps(
            {
                "artist_id": "AR1",
                "artist_latitude": None,
                "artist_location": "",
                "artist_longitude": None,
                "artist_name": "The Smiths",
                "duration": 200.5,
                "num_songs": 1,
                "song_id": "SO1",
                "title": "Ask",
                "year": 1986,
            },
            indent=4,
        )
        + "\n"
        + json.dumps(
            {
                "artist_id": "AR2",
                "artist_latitude": 48.85,
                "artist_location": "Paris",
                "artist_longitude": 2.35,
                "artist_name": "Alizée",
                "duration": 181.0,
                "num_songs": 1,
                "song_id": "SO2",
                "title": "Moi... Lolita",
                "year": 2000,
            },
            indent=2,
        ),
        "song_data/A/B/C/TRABCDE128F00000.json": json.dumps(
            {
                "artist_id": "AR3",
                "artist_latitude": None,
                "artist_location": 27,
                "artist_longitude": None,
                "artist_name": "Guns N' Roses",
                "duration": 300.25,
                "num_songs": 1,
                "song_id": "SO3",
                "title": "Don't Cry",
                "year": 0,
            }
        ),
    }
    days = {
        1: [
            _event(1, 0),
            _event(1, 1, page="Home", artist=None, song=None, length=None),
            _event(1, 2, userId="", page="Home", firstName=None, lastName=None, artist=None, song=None, length=None),
        ],
        2: [
            _event(2, 0, artist="Guns N' Roses", song="Don't Cry", length=300.25, level="paid"),
            _event(2, 1, artist="AlizÃ©e", song="Moi... Lolita", length=181.0, userId="8", firstName="Zoë"),
        ],
        4: [_event(4, 0, userId="8", firstName="Zoë", level="paid")],
    }
    for relative, text in songs.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for day, events in days.items():
        path = root / "log_data" / "2018" / "11" / f"2018-11-{day:02d}-events.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(json.dumps(e) for e in events), encoding="utf-8")
    (root / "log_json_path.json").write_text(JSONPATHS, encoding="utf-8")
    return root
