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
    # Files under the log folder not named like a real day's log file (SPARKIFY_LOG_KEY_TEMPLATE):
    # not staged; the caller warns about them once (see ignored_warning).
    ignored: list[str] = field(default_factory=list)


def ignored_warning(ignored: list[str], folder: str) -> str | None:
    """The one warning about `ignored` files, e.g. "ignored 3 files under log_data/ not named like
    SPARKIFY_LOG_KEY_TEMPLATE: a, b, c"; None when there are none. `folder`: source.where(layout.folder)."""
    if not ignored:
        return None
    files = "file" if len(ignored) == 1 else "files"
    return f"ignored {len(ignored)} {files} under {folder} not named like SPARKIFY_LOG_KEY_TEMPLATE: {_some(ignored)}"


def _some(keys: list[str], shown: int = 5) -> str:
    # A bucket's keys may hold control characters: never raw onto the user's terminal.
    named = [key if key.isprintable() else ascii(key) for key in keys[:shown]]
    return ", ".join(named) + (f" and {len(keys) - shown} more" if len(keys) > shown else "")


def plan_files(source: Source, days: Days, *, strict: bool = False, songs: bool = True) -> FilePlan:
    """The days' log files (all without days) and, when `songs`, the song catalog.

    A single --date without its file, or any missing day with `strict`, is an error; in a range the
    missing days are returned for the caller to report.
    """
    listing = source.log_listing(days.days)
    logs, missing = listing.files, listing.missing
    if missing and (strict or len(days.days or ()) == 1):
        listed = ", ".join(d.isoformat() for d in missing[:5])
        raise SourceError(
            f"no log file for {listed} in {source.where()}",
            hint=f"expected {source.where(source.layout.key(missing[0]))}",
        )
    if not logs and days.everything:
        folder = source.where(source.layout.folder)
        if listing.ignored:
            raise SourceError(
                f"no log files under {folder}, only files not named like SPARKIFY_LOG_KEY_TEMPLATE: "
                + _some(listing.ignored),
                hint=f"expected names like {source.layout.template}",
            )
        raise SourceError(f"no log files under {folder}")
    catalog = source.song_files() if songs else []
    if songs and not catalog:
        raise SourceError(f"no song files under {source.where('song_data/')}")
    return FilePlan(logs, catalog, missing, listing.ignored)
