"""What COPY reads that sparkify writes for it: manifests, the song JSONPaths file and the log lines
as CSV, under <copy prefix>/<token>/ -- SPARKIFY_REDSHIFT_COPY_PREFIX, by default
<source>/_sparkify/copy, the only place sparkify writes in S3.

Every object is deleted as soon as the COPY that reads it has ended, loaded or failed; a process
killed in between leaves its folder behind (nothing reads it again; it is safe to delete). The
cluster's role reads it as it reads the source (`infra up` grants s3:GetObject on the source prefix,
which holds the default); whoever runs sparkify needs s3:PutObject and s3:DeleteObject there. One
COPY reads the manifest and the files it names with one REGION, so the prefix must be in the
source's region.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from sparkify_cli import aws
from sparkify_cli.errors import SourceError
from sparkify_cli.sources.s3 import S3Location

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

FOLDER = "_sparkify/copy"  # under the source, unless SPARKIFY_REDSHIFT_COPY_PREFIX says elsewhere
SETTING = "SPARKIFY_REDSHIFT_COPY_PREFIX"
# What may stand between quotes in a COPY statement: a bucket name, then plain key characters.
# No quote, backslash or control character can reach the SQL text (keys are checked the same way
# when a source is listed, see sources/s3.py).
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](?:/[\w!\-.*()+=@,;:&$ /]*)?$")


def s3_literal(uri: str) -> str:
    """`uri` if it is safe to write into a statement as a literal; anything else is refused (exit 2)."""
    if not _S3_URI.match(uri) or "//" in uri[5:] or "/../" in f"{uri}/" or "/./" in f"{uri}/":
        raise SourceError(
            f"refusing the S3 URI {uri!r} in a COPY statement",
            hint="bucket and prefix may hold letters, digits, spaces and -_.!*()+=@,;:&$/ only",
        )
    return uri


def manifest(urls: Sequence[str]) -> bytes:
    """A COPY manifest naming exactly these objects; a missing one fails the COPY (mandatory)."""
    return json.dumps({"entries": [{"url": s3_literal(u), "mandatory": True} for u in urls]}, indent=1).encode()


def jsonpaths(keys: Sequence[str]) -> bytes:
    """A JSONPaths file mapping each key, exactly as spelled (COPY matches JSONPaths by case), to a column."""
    return json.dumps({"jsonpaths": [f"$[{json.dumps(k)}]" for k in keys]}, indent=1).encode()


def copy_prefix(settings: Settings, source_root: str) -> str:
    """Where a step's COPY inputs go: SPARKIFY_REDSHIFT_COPY_PREFIX, else <source>/_sparkify/copy."""
    chosen = settings.redshift_copy_prefix or f"{source_root.rstrip('/')}/{FOLDER}"
    return s3_literal(S3Location.parse(chosen).root_uri)


class Scratch:
    """A folder of one step's COPY inputs under the copy prefix. `write=False` (a dry run) names the
    objects without writing them. Use as a context manager: leaving it deletes what was written."""

    def __init__(self, settings: Settings, prefix_uri: str, *, write: bool = True) -> None:
        self.location = S3Location.parse(s3_literal(prefix_uri))
        self.folder = uuid.uuid4().hex[:12]
        self.settings = settings
        self.write = write
        self.written: list[str] = []
        self._client: aws.Client = None

    @property
    def s3(self) -> aws.Client:
        if self._client is None:
            self._client = aws.s3_client(self.settings)
        return self._client

    def uri(self, name: str) -> str:
        return s3_literal(self.location.uri(f"{self.folder}/{name}"))

    def put(self, name: str, body: bytes) -> str:
        """Write one object (unless this is a dry run); its URI."""
        uri = self.uri(name)
        if self.write:
            key = self.location.key(f"{self.folder}/{name}")
            try:
                aws.call(self.s3, "put_object", Bucket=self.location.bucket, Key=key, Body=body)
            except aws.AwsCallError as exc:
                exc.hint = f"sparkify writes COPY's inputs under {self.location.root_uri}/ ({SETTING}; s3:PutObject)"
                raise
            self.written.append(key)
        return uri

    def region(self) -> str | None:
        """The copy prefix's bucket region; None when S3 will not say."""
        try:
            found = aws.call(self.s3, "get_bucket_location", Bucket=self.location.bucket)
        except aws.AwsCallError:
            return None
        return str(found.get("LocationConstraint") or "us-east-1")  # S3 reports us-east-1 as null

    def clear(self) -> None:
        """Delete every object written so far."""
        while self.written:
            key = self.written[-1]
            aws.call(self.s3, "delete_object", Bucket=self.location.bucket, Key=key)
            self.written.pop()

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self.clear()
        except aws.AwsCallError:
            if kind is None:
                raise
            # Already failing: the COPY's own error is the one to report.
