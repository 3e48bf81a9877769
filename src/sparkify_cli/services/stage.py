"""stage: source JSON -> typed staging tables, with every bad line recorded in `rejects`.

Staging is split in two so callers can make a day all-or-nothing: `prepare` reads and validates
files into a temp table (the warehouse does not change), `apply` replaces the staged rows inside the
caller's transaction.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sparkify_cli.dates import Days
from sparkify_cli.errors import RejectedDataError, SourceError, WarehouseError
from sparkify_cli.formats import EVENT_FIELDS, MAX_LINE_BYTES, SONG_FIELDS, Field
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
class StagePlan:
    logs: list[SourceFile]
    songs: list[SourceFile]  # empty when the catalog is unchanged and not asked for
    missing_days: list[date] = field(default_factory=list)


@dataclass
class StageResult:
    days: Days
    events: BatchResult = field(default_factory=BatchResult)
    songs: BatchResult = field(default_factory=BatchResult)
    songs_skipped: bool = False  # the catalog was unchanged since it was last staged
    missing_days: list[date] = field(default_factory=list)


@dataclass
class Batch:
    """Source files read and validated, not yet applied (both warehouses' staging builds one)."""

    kind: str  # event | song
    files: list[SourceFile]
    staged: int
    rejected: int

    @property
    def table(self) -> str:
        return f"staging_{self.kind}s"

    @property
    def fields(self) -> tuple[Field, ...]:
        return EVENT_FIELDS if self.kind == "event" else SONG_FIELDS

    @property
    def result(self) -> BatchResult:
        return BatchResult(len(self.files), self.staged, self.rejected)


@dataclass
class Prepared(Batch):
    """Validated lines waiting in temp table checked_<kind>s (DuckDB)."""

    prefix: int = 0  # strip "<root>/" from paths: substr() is 1-based

    @property
    def checked(self) -> str:
        return f"checked_{self.kind}s"


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


def plan(wh: Warehouse, source: LocalSource, days: Days, *, songs: bool | None, strict: bool) -> StagePlan:
    """Which files a step reads: the days' log files, and the catalog when it changed or is asked for."""
    logs, missing = source.log_files(days.days)
    if missing and (strict or len(days.days or ()) == 1):
        listed = ", ".join(d.isoformat() for d in missing[:5])
        raise SourceError(f"no log file for {listed} in {source.root}", hint=f"expected {source.log_key(missing[0])}")
    if not logs and days.everything:
        raise SourceError(f"no log files under {source.root / 'log_data'}")
    if songs is False:
        return StagePlan(logs, [], missing)
    song_files = source.song_files()
    if not song_files:
        raise SourceError(f"no song files under {source.root / 'song_data'}")
    if songs is None and not catalog_changed(wh, song_files):
        song_files = []
    return StagePlan(logs, song_files, missing)


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
    is True, the song catalog, in one transaction."""
    if wh.dialect == "redshift":  # server-side COPY from S3: services/stage_redshift.py
        from sparkify_cli.services import stage_redshift

        return stage_redshift.stage(
            wh, source, days, max_errors=max_errors, songs=songs, strict=strict, on_progress=on_progress
        )
    work = plan(wh, source, days, songs=songs, strict=strict)
    result = StageResult(days, songs_skipped=not work.songs, missing_days=work.missing_days)
    batches = []
    for kind, files in (("song", work.songs), ("event", work.logs)):
        if files:
            on_progress(f"read {kind}s", 0, len(files))
            batches.append(prepare(wh, source, files, kind))
            on_progress(f"read {kind}s", len(files), len(files))
    check_rejects(wh, batches, max_errors)
    with wh.transaction():
        for batch in batches:
            apply(wh, batch)
    for batch in batches:
        setattr(result, f"{batch.kind}s", batch.result)
    return result


def prepare(wh: Warehouse, source: LocalSource, files: list[SourceFile], kind: str) -> Prepared:
    """Read and validate files into temp table checked_<kind>s; the warehouse itself is unchanged."""
    fields = EVENT_FIELDS if kind == "event" else SONG_FIELDS
    checked = f"checked_{kind}s"
    _read_lines(wh, files, kind)
    wh.run_template(
        "stage/duckdb_check.sql",
        fields=fields,
        checked=checked,
        extra_rules=_EVENT_RULES if kind == "event" else [],
        max_line_bytes=MAX_LINE_BYTES,
    )
    _explain_invalid_json(wh, checked)
    _, rows = wh.query(
        f"SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) FROM {checked}"
    )
    return Prepared(kind, files, int(rows[0][0]), int(rows[0][1]), prefix=len(str(source.root)) + 2)


def check_rejects(wh: Warehouse, batches: list[Prepared], max_errors: int) -> None:
    """More rejects than allowed: record them (so `sparkify rejects` shows them), stage nothing, fail."""
    rejected = sum(b.rejected for b in batches)
    if rejected <= max_errors:
        return
    with wh.transaction():
        for batch in batches:
            _fill_batch(wh, batch.files)
            _replace_rejects(wh, batch)
    first = next(b for b in batches if b.rejected)
    path, line_no, reason = wh.query(
        f"SELECT path, line_no, reason FROM {first.checked} WHERE reason IS NOT NULL ORDER BY path, line_no LIMIT 1"
    )[1][0]
    raise RejectedDataError(
        f"{path}:{line_no}: {reason} ({rejected} rejected line(s), --max-errors {max_errors})",
        hint="see `sparkify rejects`; fix the source or raise --max-errors",
    )


def apply(wh: Warehouse, batch: Prepared) -> None:
    """Replace the staged rows of the batch's files (inside the caller's transaction).
    A catalog is replaced whole, so files removed from song_data go too; logs file by file."""
    _fill_batch(wh, batch.files)
    in_batch = f"source_file IN (SELECT source_file FROM {wh.schema}.load_batch)"
    only_batch = "" if batch.kind == "song" else f" WHERE {in_batch}"
    _replace_rejects(wh, batch)
    wh.execute(f"DELETE FROM {wh.schema}.{batch.table}{only_batch}")
    wh.execute(
        f"DELETE FROM {wh.schema}.staged_files WHERE kind = ?" + ("" if batch.kind == "song" else f" AND {in_batch}"),
        [batch.kind],
    )
    wh.run_template(
        "stage/duckdb_insert.sql", [batch.prefix], table=batch.table, fields=batch.fields, checked=batch.checked
    )
    _record_files(wh, batch)


def _replace_rejects(wh: Warehouse, batch: Prepared) -> None:
    wh.execute(f"DELETE FROM {wh.schema}.rejects WHERE source_file IN (SELECT source_file FROM {wh.schema}.load_batch)")
    wh.run_template("stage/duckdb_rejects.sql", [batch.prefix], checked=batch.checked)


def _fill_batch(wh: Warehouse, files: list[SourceFile]) -> None:
    wh.execute(f"DELETE FROM {wh.schema}.load_batch")
    wh.insert_rows(f"{wh.schema}.load_batch", ["source_file"], [(f.key,) for f in files])


def _read_lines(wh: Warehouse, files: list[SourceFile], kind: str) -> None:
    """raw_lines(path, line_no, raw, pre_reason): DuckDB reads the batch in one go; files it cannot
    decode, and song files that are not one object per line, go through read_lines."""
    paths = [str(f.path) for f in files]
    careful: list[str] = []
    if kind == "song" and len(files) > COMBINE_ABOVE and wh.may_use_temp_files:
        careful = _read_combined(wh, [f.path for f in files])
    else:
        try:
            wh.run_template("stage/duckdb_raw_lines.sql", [paths], append=False)
        except WarehouseError:
            wh.execute(
                "CREATE OR REPLACE TEMP TABLE raw_lines (path VARCHAR, line_no BIGINT, raw VARCHAR, pre_reason VARCHAR)"
            )
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


# DuckDB pays a fixed cost per file it opens (about 1 ms): past this many, Python concatenates them.
COMBINE_ABOVE = 256


def _read_combined(wh: Warehouse, paths: list[Path]) -> list[str]:
    """Song catalogs are many tiny files: read them in Python into a few files for DuckDB."""
    with tempfile.TemporaryDirectory(prefix="sparkify-") as tmp:
        starts, careful = read_lines.concatenate(paths, Path(tmp))
        parts = sorted({part for _, part, _ in starts})
        wh.execute("CREATE OR REPLACE TEMP TABLE file_starts (path VARCHAR, part VARCHAR, start BIGINT)")
        wh.insert_rows("file_starts", ["path", "part", "start"], starts)
        if parts:
            wh.run_template("stage/duckdb_combined_lines.sql", [parts])
        else:
            wh.execute(
                "CREATE OR REPLACE TEMP TABLE raw_lines (path VARCHAR, line_no BIGINT, raw VARCHAR, pre_reason VARCHAR)"
            )
    return careful


def _explain_invalid_json(wh: Warehouse, checked: str) -> None:
    _, rows = wh.query(
        f"SELECT path, line_no, raw FROM {checked} WHERE reason = 'invalid JSON' ORDER BY path, line_no LIMIT 1000"
    )
    if not rows:
        return
    updates = [(*read_lines.explain_invalid(raw), path, line_no) for path, line_no, raw in rows]
    wh.execute("CREATE OR REPLACE TEMP TABLE explained (reason VARCHAR, col INTEGER, path VARCHAR, line_no BIGINT)")
    wh.insert_rows("explained", ["reason", "col", "path", "line_no"], updates)
    wh.execute(
        f"UPDATE {checked} c SET reason = x.reason, col = x.col FROM explained x "
        "WHERE c.path = x.path AND c.line_no = x.line_no"
    )


def _record_files(wh: Warehouse, batch: Prepared) -> None:
    _, counted = wh.query(
        "SELECT substr(path, ?), count(*) FILTER (WHERE reason IS NULL), "
        f"count(*) FILTER (WHERE reason IS NOT NULL) FROM {batch.checked} GROUP BY 1",
        [batch.prefix],
    )
    counts = {r[0]: r[1:] for r in counted}
    plays: dict[str, int] = {}
    if batch.kind == "event":
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
            batch.kind,
            f.size,
            f.modified,
            *counts.get(f.key, (0, 0)),
            plays.get(f.key, 0) if batch.kind == "event" else None,
            now,
        )
        for f in batch.files
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
