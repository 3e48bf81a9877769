"""Where the JSON comes from: a local folder or an S3 prefix, behind one `Source` protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkify_cli.sources.base import Source, SourceFile
from sparkify_cli.sources.layout import LogLayout

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

__all__ = ["LogLayout", "Source", "SourceFile", "is_s3", "open_source"]


def is_s3(uri: str) -> bool:
    return str(uri).startswith("s3://")


def open_source(settings: Settings, uri: str | None = None, *, no_sign_request: bool = False) -> Source:
    """The source at `uri` (default SPARKIFY_SOURCE): a local folder, or an S3 prefix (listed, not
    downloaded; see S3Source.fetch)."""
    uri = settings.source if uri is None else uri
    layout = LogLayout(settings.log_key_template)
    if is_s3(uri):
        from sparkify_cli.sources.s3 import S3Source  # boto3 only where S3 is used

        return S3Source.open(settings, uri, no_sign_request=no_sign_request)
    from sparkify_cli.sources.local import LocalSource

    return LocalSource.open(uri, layout)
