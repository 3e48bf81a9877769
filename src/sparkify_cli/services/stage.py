"""stage: source JSON -> typed staging tables, with every bad line recorded in `rejects`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sparkify_cli.dates import Days
from sparkify_cli.errors import RejectedDataError, SourceError, WarehouseError
from sparkify_cli.formats import EVENT_FIELDS, SONG_FIELDS, Field
from sparkify_cli.progress import OnProgress, silent
from sparkify_cli.services import read_lines
from sparkify_cli.sources import LocalSource, SourceFile
from sparkify_cli.warehouse import Warehouse


@dataclass
class BatchResult:
    files: int = 0
    staged: int = 0
    rejected: int = 0


@dataclass
class StageResult:
    days: Days
    events: BatchResult = field(default_factory=BatchResult)
    songs: BatchResult = field(default_factory=BatchResult)
    songs_skipped: bool = False  # the catalog was unchanged since it was last staged
    missing_days: list[date] = field(default_factory=list)


def _index(fields: tuple[Field, ...], key: str) -> int:
    return next(i for i, f in enumerate(fields, start=1) if f.key == key)


_EVENT_RULES = [
    {
        "when": f"vals[{_index(EVENT_FIELDS, 'page')}] ->> '$' = 'NextSong' "
        f"AND vals[{_index(EVENT_FIELDS, 'userId')}] ->> '$' = ''",
        "reason": "NextSong event without userId",
    }
]


def catalog_changed(wh: Warehouse, files: list[SourceFile]) -> bool:
    """Has song_data changed (by name, size and mtime/ETag) since it was last staged?"""
    _, rows = wh.query(f"SELECT source_file, size_bytes, modified FROM {wh.schema}.staged_files WHERE kind = 'song'")
    return {(r[0], r[1], r[2]) for r in rows} != {(f.key, f.size, f.modified) for f in files}


def stage(
    wh: Warehouse,
    source: LocalSource,
    days: Days,
    *,
    max_errors: int = 0,
    songs: bool | None = None,
    strict: bool = False,
    on_progress: OnProgress = silent,
) -> StageResult:
    """Stage the log files of `days` (all when days.everything) and, when it changed or `songs`
    is True, the song catalog. Each batch is all-or-nothing."""
    result = StageResult(days)
    logs, result.missing_days = source.log_files(days.days)
    if result.missing_days and (strict or len(days.days or ()) == 1):
        missing = ", ".join(d.isoformat() for d in result.missing_days[:5])
        raise SourceError(
            f"no log file for {missing} in {source.root}", hint=f"expected {source.log_key(result.missing_days[0])}"
        )
    if not logs and days.everything:
        raise SourceError(f"no log files under {source.root / 'log_data'}")

    song_files = source.song_files()
    if not song_files:
        raise SourceError(f"no song files under {source.root / 'song_data'}")
    if songs is None:
        songs = catalog_changed(wh, song_files)
    if songs:
        on_progress("stage songs", 0, len(song_files))
        result.songs = _stage_batch(wh, source, song_files, "song", max_errors)
        on_progress("stage songs", len(song_files), len(song_files))
    else:
        result.songs_skipped = True
    on_progress("stage events", 0, len(logs))
    if logs:
        result.events = _stage_batch(wh, source, logs, "event", max_errors - result.songs.rejected)
    on_progress("stage events", len(logs), len(logs))
    return result


def _stage_batch(
    wh: Warehouse, source: LocalSource, files: list[SourceFile], kind: str, max_errors: int
) -> BatchResult:
    fields = EVENT_FIELDS if kind == "event" else SONG_FIELDS
    table = "staging_events" if kind == "event" else "staging_songs"
    _read_lines(wh, files, kind)
    wh.run_template("stage/duckdb_check.sql", fields=fields, extra_rules=_EVENT_RULES if kind == "event" else [])
    _explain_invalid_json(wh)
    prefix = [len(str(source.root)) + 2]  # substr() is 1-based: strip "<root>/"

    rejected = wh.scalar("SELECT count(*) FROM checked_lines WHERE reason IS NOT NULL")
    with wh.transaction():
        _fill_batch(wh, files)
        in_batch = f"source_file IN (SELECT source_file FROM {wh.schema}.load_batch)"
        wh.execute(f"DELETE FROM {wh.schema}.rejects WHERE {in_batch}")
        wh.run_template("stage/duckdb_rejects.sql", prefix)
        if rejected > max_errors:
            first = wh.query(
                "SELECT path, line_no, reason FROM checked_lines WHERE reason IS NOT NULL "
                "ORDER BY path, line_no LIMIT 1"
            )[1][0]
            bad = RejectedDataError(
                f"{first[0]}:{first[1]}: {first[2]} "
                f"({rejected} rejected {kind} line(s), --max-errors {max(max_errors, 0)})",
                hint="see `sparkify rejects`; fix the source or raise --max-errors",
            )
        else:
            bad = None
            # A catalog is replaced whole (files removed from song_data go too); logs file by file.
            wh.execute(f"DELETE FROM {wh.schema}.{table}" + ("" if kind == "song" else f" WHERE {in_batch}"))
            wh.execute(
                f"DELETE FROM {wh.schema}.staged_files WHERE kind = ?" + ("" if kind == "song" else f" AND {in_batch}"),
                [kind],
            )
            wh.run_template("stage/duckdb_insert.sql", prefix, table=table, fields=fields)
            _record_files(wh, files, kind, prefix[0])
    if bad is not None:
        raise bad
    staged = wh.scalar("SELECT count(*) FROM checked_lines WHERE reason IS NULL")
    return BatchResult(files=len(files), staged=staged, rejected=rejected)


def _fill_batch(wh: Warehouse, files: list[SourceFile]) -> None:
    wh.execute(f"DELETE FROM {wh.schema}.load_batch")
    wh.insert_rows(f"{wh.schema}.load_batch", ["source_file"], [(f.key,) for f in files])


def _read_lines(wh: Warehouse, files: list[SourceFile], kind: str) -> None:
    """raw_lines(path, line_no, raw, pre_reason): DuckDB reads the batch in one go; files it cannot
    decode, and song files that are not one object per line, go through read_lines."""
    paths = [str(f.path) for f in files]
    try:
        wh.run_template("stage/duckdb_raw_lines.sql", [paths], append=False)
        careful: list[str] = []
    except WarehouseError:
        wh.execute(
            "CREATE OR REPLACE TEMP TABLE raw_lines (path VARCHAR, line_no BIGINT, raw VARCHAR, pre_reason VARCHAR)"
        )
        careful = []
        for path in paths:
            try:
                wh.run_template("stage/duckdb_raw_lines.sql", [[path]], append=True)
            except WarehouseError:
                careful.append(path)
    if kind == "song":
        # A file with a line that is not valid JSON may be pretty-printed or hold several objects.
        _, rows = wh.query("SELECT DISTINCT path FROM raw_lines WHERE trim(raw) <> '' AND NOT json_valid(raw)")
        careful += [r[0] for r in rows]
    if not careful:
        return
    wh.execute("DELETE FROM raw_lines WHERE path IN (SELECT unnest(?))", [careful])
    reader = read_lines.song_objects if kind == "song" else read_lines.event_lines
    rows_out = []
    for path in careful:
        rows_out += [(p, n, raw, reason) for p, n, raw, reason, _col in reader(Path(path))]
    wh.insert_rows("raw_lines", ["path", "line_no", "raw", "pre_reason"], rows_out)


def _explain_invalid_json(wh: Warehouse) -> None:
    _, rows = wh.query(
        "SELECT path, line_no, raw FROM checked_lines WHERE reason = 'invalid JSON' ORDER BY path, line_no LIMIT 1000"
    )
    updates = []
    for path, line_no, raw in rows:
        reason, col = read_lines.explain_invalid(raw)
        updates.append((reason, col, path, line_no))
    if not updates:
        return
    wh.execute("CREATE OR REPLACE TEMP TABLE explained (reason VARCHAR, col INTEGER, path VARCHAR, line_no BIGINT)")
    wh.insert_rows("explained", ["reason", "col", "path", "line_no"], updates)
    wh.execute(
        "UPDATE checked_lines c SET reason = x.reason, col = x.col FROM explained x "
        "WHERE c.path = x.path AND c.line_no = x.line_no"
    )


def _record_files(wh: Warehouse, files: list[SourceFile], kind: str, prefix: int) -> None:
    counts = {
        r[0]: r[1:]
        for r in wh.query(
            "SELECT substr(path, ?), count(*) FILTER (WHERE reason IS NULL), "
            "count(*) FILTER (WHERE reason IS NOT NULL) FROM checked_lines GROUP BY 1",
            [prefix],
        )[1]
    }
    plays: dict[str, int] = {}
    if kind == "event":
        # Distinct NextSong events per file: what the load must turn into songplays (reconciliation).
        plays = dict(
            wh.query(
                f"SELECT source_file, count(DISTINCT (user_id, session_id, item_in_session, ts)) "
                f"FROM {wh.schema}.staging_events WHERE page = 'NextSong' "
                f"AND source_file IN (SELECT source_file FROM {wh.schema}.load_batch) GROUP BY 1"
            )[1]
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            f.key,
            kind,
            f.size,
            f.modified,
            *counts.get(f.key, (0, 0)),
            plays.get(f.key, 0) if kind == "event" else None,
            now,
        )
        for f in files
    ]
    wh.insert_rows(
        f"{wh.schema}.staged_files",
        [
            "source_file",
            "kind",
            "size_bytes",
            "modified",
            "rows_staged",
            "rows_rejected",
            "next_song_rows",
            "staged_at",
        ],
        rows,
    )
