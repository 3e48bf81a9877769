"""A source in S3 (s3://bucket/prefix holding song_data/ and log_data/): which objects it has.

Redshift COPYs these objects directly; local engines sync them to a local cache first
(sources/sync.py). Keys are named relative to the prefix, exactly as LocalSource names files, so the
warehouse records the same `source_file` whichever way the data came in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sparkify_cli import aws
from sparkify_cli.documents import Document
from sparkify_cli.errors import SourceError
from sparkify_cli.sources.base import LogListing, SourceFile, is_hidden
from sparkify_cli.sources.layout import LogLayout

if TYPE_CHECKING:
    from sparkify_cli.progress import OnProgress
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources.plan import FilePlan
    from sparkify_cli.sources.sync import SyncResult

_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(.*))?$")
SUFFIXES = (".json", ".json.gz")
# Keys go into COPY statements as literals and onto the local disk as paths: only plain characters.
_SAFE_KEY = re.compile(r"[\w!\-.*()+=@,;:&$ /]+")  # fullmatch: `$` would let a final newline in
_SAFE_CHARACTERS = "letters, digits, spaces and -_.!*()+=@,;:&$/"


def is_s3(uri: str | Path) -> bool:
    return str(uri).startswith("s3://")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # without leading or trailing "/"; "" for the bucket root

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        """A strict reading: the prefix becomes a folder of the local cache, so it may not climb out
        of it (`.`/`..`), hide an empty segment (`//`) or hold characters keys may not."""
        found = _URI.match(uri)
        if not found or ".." in found.group(1):
            raise SourceError(f"{uri!r} is not an S3 URI", hint="use s3://bucket/prefix")
        prefix = found.group(2) or ""
        prefix = prefix.removesuffix("/")  # s3://bucket/prefix/ is s3://bucket/prefix
        segments = prefix.split("/") if prefix else []
        if any(part in ("", ".", "..") for part in segments):
            raise SourceError(f"{uri!r} is not a usable S3 URI: its prefix may not hold empty, '.' or '..' segments")
        if prefix and not _SAFE_KEY.fullmatch(prefix):
            raise SourceError(
                f"{uri!r} is not a usable S3 URI: its prefix holds a character S3 keys here may not",
                hint=f"the prefix may hold {_SAFE_CHARACTERS} only",
            )
        return cls(found.group(1), prefix)

    def key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def uri(self, relative: str = "") -> str:
        return f"s3://{self.bucket}/{self.key(relative)}" if relative else self.root_uri

    @property
    def root_uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


def safe_relative_key(key: str) -> str:
    """A key that is safe as a SQL literal and as a path below the cache folder."""
    parts = PurePosixPath(key).parts
    if (
        not _SAFE_KEY.fullmatch(key)
        or key.startswith("/")
        or "//" in key
        or any(p in (".", "..") for p in parts)
        or "'" in key
    ):
        raise SourceError(f"refusing the S3 key {key!r}", hint=f"keys may hold {_SAFE_CHARACTERS} only")
    return key


@dataclass
class S3Source:
    """The objects of an S3 source; SourceFile.path is where fetch() puts each one locally."""

    location: S3Location
    layout: LogLayout
    s3: aws.Client  # boto3 S3 client
    cache_root: Path
    unsigned: bool = False  # anonymous requests (--no-sign-request)

    @classmethod
    def open(cls, settings: Settings, uri: str, *, no_sign_request: bool = False) -> S3Source:
        location = S3Location.parse(uri)
        cache = settings.cache_dir.expanduser() / location.bucket / (location.prefix or "_root")
        s3 = aws.s3_client(settings, unsigned=no_sign_request)
        return cls(location, LogLayout(settings.log_key_template), s3, cache.resolve(), no_sign_request)

    @property
    def remote(self) -> S3Source:
        return self

    def where(self, relative: str = "") -> str:
        return self.location.uri(relative)

    def uri(self, relative: str = "") -> str:
        return self.location.uri(relative)

    def fetch(self, plan: FilePlan, *, everything: bool, on_progress: OnProgress) -> SyncResult:
        """Sync the plan's objects into the cache (see sources/sync.py)."""
        from sparkify_cli.sources import sync

        return sync.fetch(self, plan, everything=everything, on_progress=on_progress)

    def listed(self, sub: str) -> list[Document]:
        """Every object under <prefix>/<sub> (a folder, "" for the whole prefix), its Key relative to the prefix."""
        base = self.location.key(sub)
        strip = len(self.location.key(""))
        objects = self._list(base if base.endswith("/") or not base else base + "/")
        return [{**obj, "Key": obj["Key"][strip:]} for obj in objects if not obj["Key"].endswith("/")]

    def song_files(self) -> list[SourceFile]:
        found = [
            self._file(o["Key"], o["Size"], o["ETag"]) for o in self.listed("song_data/") if o["Key"].endswith(SUFFIXES)
        ]
        return sorted(found, key=lambda f: f.key)

    def log_listing(self, days: tuple[date, ...] | None) -> LogListing:
        """The log files of the given days (all files when None), the days that have none, and the
        objects under the log folder that are not log files. One listing per folder the days' keys
        live in, not one request per day."""
        if days is None:
            every = [o for o in self.listed(self.layout.folder) if not o["Key"].startswith("song_data/")]
            logs = [self._file(o["Key"], o["Size"], o["ETag"]) for o in every if self.layout.day(o["Key"])]
            ignored = [o["Key"] for o in every if self.layout.day(o["Key"]) is None and not is_hidden(o["Key"])]
            return LogListing(sorted(logs, key=lambda f: f.key), [], sorted(ignored))
        wanted = {day: self.layout.key(day) for day in days}
        folders = sorted({str(PurePosixPath(key).parent) for key in wanted.values()})
        listed: dict[str, SourceFile] = {}
        for folder in folders:
            for obj in self.listed("" if folder == "." else folder + "/"):
                if obj["Key"] in wanted.values():
                    listed[obj["Key"]] = self._file(obj["Key"], obj["Size"], obj["ETag"])
        found = [listed[key] for key in wanted.values() if key in listed]
        missing = [day for day, key in wanted.items() if key not in listed]
        return LogListing(found, missing, [])

    def log_files(self, days: tuple[date, ...] | None) -> tuple[list[SourceFile], list[date]]:
        listing = self.log_listing(days)
        return listing.files, listing.missing

    def read(self, relative: str) -> bytes | None:
        """A small object's content (e.g. log_json_path.json); None when it does not exist."""
        try:
            got = aws.call(self.s3, "get_object", Bucket=self.location.bucket, Key=self.location.key(relative))
        except aws.AwsCallError as exc:
            if exc.code in ("NoSuchKey", "404", "AccessDenied", "403"):
                return None
            raise
        return bytes(got["Body"].read())

    def region(self) -> str | None:
        """The bucket's region (COPY's REGION); None when S3 will not say (e.g. anonymous access)."""
        try:
            found = aws.call(self.s3, "get_bucket_location", Bucket=self.location.bucket)
        except aws.AwsCallError:
            return None
        return found.get("LocationConstraint") or "us-east-1"  # S3 reports us-east-1 as null

    def _file(self, relative: str, size: int, etag: str) -> SourceFile:
        safe_relative_key(relative)
        return SourceFile(relative, self.cache_root / relative, int(size), str(etag).strip('"'))

    def _list(self, prefix: str) -> list[Document]:
        try:
            return aws.list_objects(self.s3, self.location.bucket, prefix)
        except aws.AwsCallError as exc:
            if exc.code == "NoSuchBucket":
                raise SourceError(f"bucket {self.location.bucket} does not exist", hint="check --source") from None
            if exc.code in ("AccessDenied", "403"):
                raise aws.AwsCallError(exc.message, exc.code, hint=self.access_hint) from None
            raise

    @property
    def access_hint(self) -> str:
        if self.unsigned:
            return "the bucket is not public: drop --no-sign-request and use AWS credentials"
        return "check your AWS credentials; a public bucket needs --no-sign-request"
