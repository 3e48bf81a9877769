"""What every source offers the pipeline: its files, named by key (path relative to the root)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sparkify_cli.progress import OnProgress
    from sparkify_cli.sources.layout import LogLayout
    from sparkify_cli.sources.plan import FilePlan
    from sparkify_cli.sources.sync import SyncResult


@dataclass(frozen=True)
class SourceFile:
    key: str  # path relative to the source root, with forward slashes: the file's name in the warehouse
    path: Path  # where the bytes are on this machine (for S3: where the sync puts them)
    size: int
    modified: str  # mtime (local) or ETag (S3): what tells a changed file


@dataclass(frozen=True)
class LogListing:
    """What a source holds for a step: the log files of the days (every day without days), the days
    without one, and the other files under the log folder, which are not log files: their names are
    not a real day's under SPARKIFY_LOG_KEY_TEMPLATE (log_data/misc/x.json, 2018-02-30-events.json)."""

    files: list[SourceFile]
    missing: list[date]
    ignored: list[str]  # keys, sorted; only when listing every day (hidden files are left out)


def is_hidden(key: str) -> bool:
    """.DS_Store, editors' swap files: never data, never worth a warning."""
    return key.rsplit("/", 1)[-1].startswith(".")


class Remote(Protocol):
    """An object store a warehouse reads by itself (Redshift's COPY from S3)."""

    def uri(self, relative: str = "") -> str:
        """The store's URI of a key (or of the source root)."""
        ...

    def read(self, relative: str) -> bytes | None:
        """A small object's content; None when it does not exist."""
        ...

    def region(self) -> str | None:
        """Where the store is (COPY's REGION), when it says."""
        ...


class Source(Protocol):
    """A local folder or an S3 prefix holding song_data/ and log_data/."""

    @property
    def layout(self) -> LogLayout: ...

    @property
    def remote(self) -> Remote | None:
        """The object store the files are in, for warehouses that read it themselves; None for a folder."""
        ...

    def where(self, relative: str = "") -> str:
        """The full name of a key or sub-folder, for messages: a path, or an s3:// URI."""
        ...

    def song_files(self) -> list[SourceFile]: ...

    def log_listing(self, days: tuple[date, ...] | None) -> LogListing:
        """The log files of `days` (every one when None), the days without one, and what is ignored."""
        ...

    def log_files(self, days: tuple[date, ...] | None) -> tuple[list[SourceFile], list[date]]:
        """The log files of `days` (every one when None), and the days that have none."""
        ...

    def fetch(self, plan: FilePlan, *, everything: bool, on_progress: OnProgress) -> SyncResult | None:
        """Make the plan's files readable at their `path` on this machine (S3: sync to the cache)."""
        ...
