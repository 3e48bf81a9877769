"""Which files a step reads: the one place that decides what a missing day or folder means."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sparkify_cli.days import Days
from sparkify_cli.errors import SourceError
from sparkify_cli.sources.base import Source, SourceFile


@dataclass
class FilePlan:
    logs: list[SourceFile]
    songs: list[SourceFile]  # the whole catalog, or [] when it is not wanted
    missing_days: list[date] = field(default_factory=list)


def plan_files(source: Source, days: Days, *, strict: bool = False, songs: bool = True) -> FilePlan:
    """The days' log files (all without days) and, when `songs`, the song catalog.

    A single --date without its file, or any missing day with `strict`, is an error; in a range the
    missing days are returned for the caller to report.
    """
    logs, missing = source.log_files(days.days)
    if missing and (strict or len(days.days or ()) == 1):
        listed = ", ".join(d.isoformat() for d in missing[:5])
        raise SourceError(
            f"no log file for {listed} in {source.where()}",
            hint=f"expected {source.where(source.layout.key(missing[0]))}",
        )
    if not logs and days.everything:
        raise SourceError(f"no log files under {source.where('log_data/')}")
    catalog = source.song_files() if songs else []
    if songs and not catalog:
        raise SourceError(f"no song files under {source.where('song_data/')}")
    return FilePlan(logs, catalog, missing)
