"""Which units of work a step has: each day of a range (or the whole set, without dates) is one
all-or-nothing unit; the catalog is staged with the first one when it changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sparkify_cli.days import Days
from sparkify_cli.errors import SourceError
from sparkify_cli.sources import LogLayout, Source, SourceFile
from sparkify_cli.sources.plan import FilePlan, ignored_warning, plan_files
from sparkify_cli.warehouse import Warehouse


@dataclass
class Unit:
    label: str
    logs: list[SourceFile] = field(default_factory=list)  # to stage
    keys: list[str] = field(default_factory=list)  # staged files to load


@dataclass
class Plan:
    units: list[Unit]
    songs: list[SourceFile] = field(default_factory=list)  # the catalog, when it is to be staged
    missing_days: list[date] = field(default_factory=list)
    files: FilePlan | None = None  # what the source must make readable (staging only)
    ignored: list[str] = field(default_factory=list)  # files under the log folder that are not log files
    ignored_warning: str | None = None  # the one line to warn with about them (None: nothing ignored)


def catalog_changed(wh: Warehouse, files: list[SourceFile]) -> bool:
    """Has song_data changed (by name, size and mtime/ETag) since it was last staged?"""
    _, rows = wh.query(f"SELECT source_file, size_bytes, modified FROM {wh.schema}.staged_files WHERE kind = 'song'")
    return {(r[0], r[1], r[2]) for r in rows} != {(f.key, f.size, f.modified) for f in files}


def plan_stage(wh: Warehouse, source: Source, days: Days, *, songs: bool | None, strict: bool) -> Plan:
    """The days' log files, and the catalog when it changed (or `songs` says so)."""
    files = plan_files(source, days, strict=strict, songs=songs is not False)
    if songs is None and not catalog_changed(wh, files.songs):
        files.songs = []
    keys = [f.key for f in files.logs]
    if days.everything:
        units = [Unit("all days", logs=files.logs, keys=keys)]
    else:
        units = [Unit(source.layout.label(f.key), logs=[f], keys=[f.key]) for f in files.logs]
        if not units and files.songs:  # no log file in the range, but a changed catalog: stage it alone
            units = [Unit("song catalog")]
    warning = ignored_warning(files.ignored, source.where(source.layout.folder))
    return Plan(units, files.songs, files.missing_days, files, files.ignored, warning)


def staged_log_files(wh: Warehouse, layout: LogLayout, days: Days) -> list[str]:
    """The staged log files a load covers: every staged one, or those of the chosen days."""
    _, rows = wh.query(f"SELECT source_file FROM {wh.schema}.staged_files WHERE kind = 'event' ORDER BY source_file")
    staged = [r[0] for r in rows]
    if days.everything:
        if not staged:
            raise SourceError("nothing is staged", hint="run `sparkify stage` first")
        return staged
    wanted = {layout.key(d): d for d in days.days or ()}
    found = [key for key in staged if key in wanted]
    missing = [wanted[k].isoformat() for k in wanted if k not in set(found)]
    if missing and len(wanted) == 1:
        raise SourceError(f"{missing[0]} is not staged", hint=f"run `sparkify stage --date {missing[0]}` first")
    return found


def plan_load(wh: Warehouse, layout: LogLayout, days: Days) -> Plan:
    keys = staged_log_files(wh, layout, days)
    if days.everything:
        return Plan([Unit("all days", keys=keys)])
    return Plan([Unit(layout.label(k), keys=[k]) for k in keys])
