"""Where the JSON comes from: a local folder (S3 sources are synced to a local cache first)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sparkify_cli.errors import ConfigError, SourceError


@dataclass(frozen=True)
class SourceFile:
    key: str  # path relative to the source root, with forward slashes: the file's name in the warehouse
    path: Path
    size: int
    modified: str  # mtime (local) or ETag (S3): what tells a changed file


@dataclass(frozen=True)
class LocalSource:
    root: Path
    log_key_template: str

    @classmethod
    def open(cls, folder: str | Path, log_key_template: str) -> LocalSource:
        root = Path(folder).expanduser()
        if not root.is_dir():
            raise SourceError(
                f"source folder {root} does not exist",
                hint="pass --source or set SPARKIFY_SOURCE to the folder holding song_data/ and log_data/",
            )
        return cls(root.resolve(), log_key_template)

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

    def log_key(self, day: date) -> str:
        try:
            return self.log_key_template.format(year=day.year, month=day.month, day=day.day, date=day.isoformat())
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"invalid SPARKIFY_LOG_KEY_TEMPLATE: {exc}") from None

    def log_files(self, days: tuple[date, ...] | None) -> tuple[list[SourceFile], list[date]]:
        """The log files of the given days (all files when None), and the days that have none."""
        if days is None:
            return self._walk("log_data"), []
        found, missing = [], []
        for day in days:
            path = self.root / self.log_key(day)
            if path.is_file():
                found.append(self._file(path))
            else:
                missing.append(day)
        return found, missing
