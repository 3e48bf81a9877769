"""What has happened to the warehouse: recent runs, loaded days and gaps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sparkify_cli import sql
from sparkify_cli.documents import Document
from sparkify_cli.errors import ConfigError, SourceError
from sparkify_cli.services.pipeline import ledger
from sparkify_cli.services.reports.inspect import reading
from sparkify_cli.settings import Settings
from sparkify_cli.sources import LogLayout, Source, is_s3, open_source
from sparkify_cli.warehouse import Warehouse

if TYPE_CHECKING:
    from sparkify_cli.services.pipeline.dry_run import DryRun

# A ledger row as a document: the names of `run --format json` (events, songs, loaded_files, rows,
# seconds), days as data, timestamps as they are (UTC).
RunRow = Document


def list_runs(settings: Settings, limit: int, *, dry_run: DryRun | None = None) -> list[RunRow]:
    """`sparkify runs`: the newest `limit` runs (checked before the warehouse is opened)."""
    sql.limit(limit)
    with reading(settings, f"runs --limit {limit}", dry_run) as wh:
        return recent_runs(wh, limit) if wh.table_exists("runs") else []


def show_run(settings: Settings, run_id: str) -> RunRow:
    """`sparkify runs show RUN_ID`: one run of the ledger with the files it read; an id the ledger
    does not hold is a usage error (exit 2), as a mistyped option is."""
    if not run_id.strip():
        raise ConfigError("the run id is empty", hint="`sparkify runs` lists them")
    with reading(settings, f"runs show {run_id}") as wh:
        found = run_detail(wh, run_id) if wh.table_exists("runs") else None
    if found is None:
        raise ConfigError(f"no run {run_id!r} in the ledger", hint="`sparkify runs` lists the run ids")
    return found


def run_detail(wh: Warehouse, run_id: str) -> RunRow | None:
    columns, rows = wh.query(
        f"SELECT run_id, command, days, started_at, finished_at, status, error, counts, source "
        f"FROM {wh.schema}.runs WHERE run_id = ?",
        [run_id],
    )
    if not rows:
        return None
    found = run_row(dict(zip(columns, rows[0], strict=True)))
    columns, rows = wh.query(
        f"SELECT source_file, kind, size_bytes, modified FROM {wh.schema}.run_files "
        f"WHERE run_id = ? ORDER BY kind, source_file",
        [run_id],
    )
    found["files"] = [dict(zip(columns, row, strict=True)) for row in rows]
    return found


def recent_runs(wh: Warehouse, limit: int) -> list[RunRow]:
    columns, rows = wh.query(
        f"SELECT run_id, command, days, started_at, finished_at, status, error, counts, source "
        f"FROM {wh.schema}.runs ORDER BY started_at DESC {sql.limit(limit)}"
    )
    return [run_row(dict(zip(columns, row, strict=True))) for row in rows]


def run_row(row: Document) -> RunRow:
    """A ledger row with the names `run --format json` uses: its flat counts (staged_events,
    rows_songplays, ...) as `events.staged`, `rows.songplays`, ..."""
    counts: Document = json.loads(row["counts"]) if row["counts"] else {}
    return {
        "run_id": row["run_id"],
        "command": row["command"],
        "days": ledger_days(row["days"]),
        "source": row["source"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "status": row["status"],
        "error": row["error"],
        **{
            kind: {"staged": counts.get(f"staged_{kind}", 0), "rejected": counts.get(f"rejected_{kind}", 0)}
            for kind in ("events", "songs")
        },
        "loaded_files": counts.get("files_loaded", 0),
        "pruned_files": counts.get("files_pruned", 0),
        "rows": {k.removeprefix("rows_"): n for k, n in counts.items() if k.startswith("rows_")},
        "seconds": counts.get("seconds", {}),
    }


def ledger_days(text: str | None) -> Document | None:
    """The ledger's days (Days.describe: `all days`, `D`, `D1 .. D2`) as data: {start, end}, or None
    for every day."""
    if not text or text == "all days":
        return None
    first, _, last = text.partition(" .. ")
    return {"start": first, "end": last or first}


@dataclass
class WarehouseStatus:
    loaded_days: list[str] = field(default_factory=list)
    staged_not_loaded: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # in the source, not loaded
    missing_from_source: list[str] = field(default_factory=list)  # staged or loaded, gone from the source
    source_checked: bool = False
    source: str | None = None  # the source compared with (or that could not be listed)
    source_from: str = "setting"  # option (--source), last run (the ledger), setting (SPARKIFY_SOURCE)
    last_success: datetime | None = None
    running: list[str] = field(default_factory=list)  # runs without an end: in progress, or killed
    files: list[str] = field(default_factory=list)  # the staged or loaded log files' keys

    def to_json(self) -> Document:
        return {
            "source": self.source,
            "source_from": self.source_from,
            "source_listed": self.source_checked,
            "loaded_days": self.loaded_days,
            "staged_not_loaded": self.staged_not_loaded,
            "gaps": self.gaps if self.source_checked else None,
            "missing_from_source": self.missing_from_source if self.source_checked else None,
            "last_success": self.last_success,
            "unfinished_runs": self.running,
        }


def status(settings: Settings, source: str | None = None, *, dry_run: DryRun | None = None) -> WarehouseStatus:
    """`sparkify status`, compared with `source` (--source), else the source of the last run that
    read one (the ledger keeps it), else SPARKIFY_SOURCE. The gaps need a listing of it: a local
    one is listed, an S3 one is not (status stays offline), and one that cannot be opened leaves
    the gaps unknown."""
    what = f"status of {source}" if source is not None else "status (of the last run's source)"
    with reading(settings, what, dry_run) as wh:
        found = warehouse_status(wh, LogLayout(settings.log_key_template), None)
        recorded = ledger.last_source(wh) if source is None else None
        uri, found.source_from = (
            (source, "option")
            if source is not None
            else (recorded, "last run")
            if recorded
            else (settings.source, "setting")
        )
        found.source = uri
        if dry_run is None and not is_s3(uri):
            try:
                listed = open_source(settings, uri)
            except SourceError:
                return found
            compare(found, LogLayout(settings.log_key_template), listed)
    return found


def warehouse_status(wh: Warehouse, layout: LogLayout, source: Source | None) -> WarehouseStatus:
    """Days by their log file's key (LogLayout); a file that names no day shows as its key."""
    out = WarehouseStatus()
    _, rows = wh.query(
        f"SELECT source_file, loaded_at FROM {wh.schema}.staged_files WHERE kind = 'event' ORDER BY source_file"
    )
    out.loaded_days = sorted(layout.label(k) for k, loaded in rows if loaded is not None)
    out.staged_not_loaded = sorted(layout.label(k) for k, loaded in rows if loaded is None)
    out.files = [k for k, _ in rows]
    out.last_success = wh.scalar(f"SELECT max(finished_at) FROM {wh.schema}.runs WHERE status = 'ok'")
    _, running = wh.query(f"SELECT run_id FROM {wh.schema}.runs WHERE status = 'running' ORDER BY started_at")
    out.running = [r[0] for r in running]
    if source is not None:
        compare(out, layout, source)
    return out


def compare(out: WarehouseStatus, layout: LogLayout, source: Source) -> None:
    """The gaps (days of the source not loaded) and the files gone from the source."""
    files, _ = source.log_files(None)
    loaded = set(out.loaded_days)
    out.gaps = sorted(d for d in (layout.label(f.key) for f in files) if d not in loaded)
    listed = {f.key for f in files}
    out.missing_from_source = [k for k in out.files if k not in listed]
    out.source_checked = True
