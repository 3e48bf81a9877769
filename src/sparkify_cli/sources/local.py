"""A source in a local folder (S3 sources are synced to such a folder first for local engines)."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sparkify_cli.errors import SourceError
from sparkify_cli.sources.base import LogListing, Remote, SourceFile, is_hidden
from sparkify_cli.sources.layout import LogLayout

if TYPE_CHECKING:
    from sparkify_cli.progress import OnProgress
    from sparkify_cli.sources.plan import FilePlan
    from sparkify_cli.sources.sync import SyncResult


SONG_SUFFIXES = (".json", ".json.gz")


def _unreadable(path: str, exc: OSError) -> SourceError:
    if exc.errno == errno.ENOENT:  # listed a moment ago, so a link to nothing
        return SourceError(f"{path} is a broken symbolic link", hint="remove it from the source, or fix its target")
    return SourceError(f"cannot read {path}: {exc.strerror or exc}")


@dataclass(frozen=True)
class LocalSource:
    root: Path
    layout: LogLayout

    @classmethod
    def open(cls, folder: str | Path, layout: LogLayout) -> LocalSource:
        root = Path(folder).expanduser()
        if not root.is_dir():
            raise SourceError(
                f"source folder {root} does not exist",
                hint="pass --source or set SPARKIFY_SOURCE to the folder holding song_data/ and log_data/",
            )
        return cls(root.resolve(), layout)

    @property
    def remote(self) -> Remote | None:
        return None

    def where(self, relative: str = "") -> str:
        return str(self.root / relative) if relative else str(self.root)

    def _walk(self, sub: str, *, skip: str = "") -> list[SourceFile]:
        """Every regular file under `sub` (symbolic links followed), sorted by key; a loop, a broken
        link or an unreadable folder is a SourceError naming the path."""
        base = self.root / sub
        if not base.is_dir():
            raise SourceError(f"{base} does not exist", hint=f"the source must hold {sub.rstrip('/')}/")
        # os.scandir and plain strings: a catalog can be 100k+ files, and pathlib costs ~20 us a file.
        found: list[SourceFile] = []
        strip = len(str(self.root)) + 1
        pending: list[tuple[str, frozenset[tuple[int, int]]]] = [(str(base), frozenset())]
        while pending:
            folder, above = pending.pop()  # `above`: the folders it is in, to tell a loop of links
            try:
                st = os.stat(folder)
                here = (st.st_dev, st.st_ino)
                if here in above:
                    raise SourceError(f"{folder} leads back to a folder it is in (a loop of symbolic links)")
                with os.scandir(folder) as entries:
                    listed = sorted(entries, key=lambda e: e.name)
            except OSError as exc:
                raise _unreadable(folder, exc) from None
            for entry in listed:
                if skip and entry.path[strip:] == skip:
                    continue
                try:
                    if entry.is_dir():
                        pending.append((entry.path, above | {here}))
                        continue
                    st = entry.stat()  # follows a link: a broken one or a loop raises here
                except OSError as exc:
                    raise _unreadable(entry.path, exc) from None
                if not stat.S_ISREG(st.st_mode):
                    raise SourceError(f"{entry.path} is not a regular file", hint="remove it from the source")
                found.append(SourceFile(entry.path[strip:], Path(entry.path), st.st_size, str(st.st_mtime_ns)))
        found.sort(key=lambda f: f.key)
        return found

    def song_files(self) -> list[SourceFile]:
        return [f for f in self._walk("song_data") if f.key.endswith(SONG_SUFFIXES)]

    def log_listing(self, days: tuple[date, ...] | None) -> LogListing:
        if days is None:
            every = self._walk(self.layout.folder, skip="song_data")
            logs = [f for f in every if self.layout.day(f.key) is not None]
            ignored = [f.key for f in every if self.layout.day(f.key) is None and not is_hidden(f.key)]
            return LogListing(logs, [], ignored)
        found, missing = [], []
        for day in days:
            key = self.layout.key(day)  # a path inside the source (LogLayout refuses any other)
            path = self.root / key
            try:
                st = path.stat()
            except FileNotFoundError:
                if path.is_symlink():
                    raise SourceError(f"{path} is a broken symbolic link", hint="remove it from the source") from None
                missing.append(day)
                continue
            except OSError as exc:
                raise _unreadable(str(path), exc) from None
            if not stat.S_ISREG(st.st_mode):
                raise SourceError(f"{path} is not a regular file", hint="remove it from the source")
            found.append(SourceFile(key, path, st.st_size, str(st.st_mtime_ns)))
        return LogListing(found, missing, [])

    def log_files(self, days: tuple[date, ...] | None) -> tuple[list[SourceFile], list[date]]:
        listing = self.log_listing(days)
        return listing.files, listing.missing

    def fetch(self, plan: FilePlan, *, everything: bool, on_progress: OnProgress) -> SyncResult | None:
        return None  # already here
