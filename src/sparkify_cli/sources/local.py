"""A source in a local folder (S3 sources are synced to such a folder first for local engines)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sparkify_cli.errors import SourceError
from sparkify_cli.sources.base import Remote, SourceFile
from sparkify_cli.sources.layout import LogLayout

if TYPE_CHECKING:
    from sparkify_cli.progress import OnProgress
    from sparkify_cli.sources.plan import FilePlan
    from sparkify_cli.sources.sync import SyncResult


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

    def _file(self, path: Path) -> SourceFile:
        st = path.stat()
        return SourceFile(path.relative_to(self.root).as_posix(), path, st.st_size, str(st.st_mtime_ns))

    def _walk(self, sub: str) -> list[SourceFile]:
        base = self.root / sub
        if not base.is_dir():
            raise SourceError(f"{base} does not exist", hint=f"the source must hold {sub}/")
        # os.scandir and plain strings: a catalog can be 100k+ files, and pathlib costs ~20 us a file.
        found: list[SourceFile] = []
        strip = len(str(self.root)) + 1
        pending = [str(base)]
        while pending:
            with os.scandir(pending.pop()) as entries:
                listed = sorted(entries, key=lambda e: e.name)
            for entry in listed:
                if entry.is_dir():
                    pending.append(entry.path)
                elif entry.name.endswith((".json", ".json.gz")):
                    st = entry.stat()
                    found.append(SourceFile(entry.path[strip:], Path(entry.path), st.st_size, str(st.st_mtime_ns)))
        found.sort(key=lambda f: f.key)
        return found

    def song_files(self) -> list[SourceFile]:
        return self._walk("song_data")

    def log_files(self, days: tuple[date, ...] | None) -> tuple[list[SourceFile], list[date]]:
        if days is None:
            return self._walk("log_data"), []
        found, missing = [], []
        for day in days:
            path = self.root / self.layout.key(day)
            if path.is_file():
                found.append(self._file(path))
            else:
                missing.append(day)
        return found, missing

    def fetch(self, plan: FilePlan, *, everything: bool, on_progress: OnProgress) -> SyncResult | None:
        return None  # already here
