"""Staging on DuckDB: source files -> typed staging tables, every bad line recorded in `rejects`.

`prepare` reads and validates files into a temp table (the warehouse's own tables do not change),
`apply` replaces the staged rows inside the caller's transaction, so a day is all-or-nothing.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sparkify_cli.documents import TemplateValue
from sparkify_cli.errors import UndecodableInput, WarehouseError
from sparkify_cli.sources import SourceFile
from sparkify_cli.sources import lines as careful_lines
from sparkify_cli.sources.formats import MAX_LINE_BYTES, SourceFormat
from sparkify_cli.warehouse.base import Batch, Row, Warehouse, too_many_rejects
from sparkify_cli.warehouse.dryrun import DryRunWarehouse
from sparkify_cli.warehouse.duckdb import literal_paths, read_lines

# DuckDB pays a fixed cost per file it opens (about 1 ms): past this many, Python concatenates them.
COMBINE_ABOVE = 256
# How much text DuckDB reads and validates at a time (files of a batch are read in groups of about
# this size, or a quarter of its memory limit if that is less): the raw lines of one group are in
# memory at once, never the whole batch.
CHUNK_BYTES = 64 << 20
# False: every line goes to the exact validator (tests hold the fast path to it; never set otherwise).
FAST_PATH = True
# Suspect lines Python judges at a time: the raw text of this many lines is in memory at once.
JUDGE_CHUNK = 20_000
_RAW_LINES = (
    "CREATE OR REPLACE TEMP TABLE raw_lines "
    "(path VARCHAR, line_no BIGINT, raw VARCHAR, pre_reason VARCHAR, pre_col INTEGER)"
)


@dataclass
class DuckDBBatch(Batch):
    """Validated lines waiting in temp table checked_<kind>s."""

    prefix: int = 0  # substr(path, prefix) is the file's key (substr is 1-based)

    @property
    def checked(self) -> str:
        return f"checked_{self.kind}s"


def _own(batch: Batch) -> DuckDBBatch:
    if not isinstance(batch, DuckDBBatch):
        raise TypeError(f"DuckDB staging cannot apply a {type(batch).__name__}")
    return batch


class DuckDBStager:
    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh

    def prepare(self, files: list[SourceFile], fmt: SourceFormat, *, max_errors: int) -> DuckDBBatch:
        """Read and validate files into temp table checked_<kind>s; the warehouse itself is unchanged.
        (max_errors is decided by check_rejects: every line is validated either way.)

        Each line is first given the fast path (fast.sql: one parse, typed, staged when it is
        provably clean); what it cannot prove goes to the exact validator (check.sql), which gives
        the reason; files DuckDB cannot read as lines go to the careful reader first."""
        wh = self.wh
        checked = f"checked_{fmt.kind}s"
        literal_paths.check_utf8([str(f.path) for f in files])
        wh.run_template("stage/duckdb/checked.sql", checked=checked, fields=fmt.fields)
        careful = self._read(files, fmt, checked)
        if not fmt.one_object_per_line:
            # A file with a line that is not valid JSON may be pretty-printed or hold several objects.
            _, rows = wh.query(
                f"SELECT DISTINCT path FROM {checked} WHERE pending AND reason IS NULL AND NOT json_valid(raw)"
            )
            careful += [r[0] for r in rows]
        if careful:
            self._read_carefully(careful, fmt, checked)
        if wh.scalar(f"SELECT count(*) FROM {checked} WHERE pending"):
            self._check_exactly(fmt, checked)
        _, rows = wh.query(
            f"SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) FROM {checked}"
        )
        first = files[0]
        prefix = len(str(first.path)) - len(first.key) + 1
        return DuckDBBatch(fmt, files, int(rows[0][0]), int(rows[0][1]), prefix=prefix)

    def check_rejects(self, batches: Sequence[Batch], max_errors: int) -> None:
        wh = self.wh
        rejected = sum(b.rejected for b in batches)
        if rejected <= max_errors:
            return
        with wh.transaction():
            for batch in batches:
                self._fill_batch(batch.files)
                self._replace_rejects(_own(batch))
        first = _own(next(b for b in batches if b.rejected))
        path, line_no, reason = wh.query(
            f"SELECT path, line_no, reason FROM {first.checked} WHERE reason IS NOT NULL ORDER BY path, line_no LIMIT 1"
        )[1][0]
        # A dry run records them only in its scratch copy: `sparkify rejects` will not show them.
        where = (
            "nothing was changed (dry run), so `sparkify rejects` does not list them"
            if isinstance(wh, DryRunWarehouse)
            else "see `sparkify rejects`"
        )
        raise too_many_rejects(f"{path}:{line_no}: {reason}", rejected, max_errors, look=where)

    def apply(self, batch: Batch) -> None:
        """A catalog is replaced whole, so files removed from song_data go too; logs file by file."""
        wh, own = self.wh, _own(batch)
        self._fill_batch(own.files)
        in_batch = f"source_file IN (SELECT source_file FROM {wh.schema}.load_batch)"
        whole = own.fmt.replaced_whole
        self._replace_rejects(own)
        wh.execute(f"DELETE FROM {wh.schema}.{own.table}" + ("" if whole else f" WHERE {in_batch}"))
        wh.execute(
            f"DELETE FROM {wh.schema}.staged_files WHERE kind = ?" + ("" if whole else f" AND {in_batch}"),
            [own.kind],
        )
        wh.run_template(
            "stage/duckdb/insert.sql", [own.prefix], table=own.table, fields=own.fields, checked=own.checked
        )
        self._record_files(own)

    # --- reading -------------------------------------------------------------------------------
    def _read(self, files: list[SourceFile], fmt: SourceFormat, checked: str) -> list[str]:
        """Every line of the files through the fast path into `checked`, a group of files at a time;
        returns the files only the careful reader can read (not UTF-8, gzip, a name DuckDB cannot
        be given). DuckDB reads files itself, but many tiny files and files larger than a part go
        through parts Python writes (read_lines.py), where temporary files may be used."""
        wh = self.wh
        memory = self._memory_limit()
        part, chunk = read_lines.part_bytes(memory), min(CHUNK_BYTES, memory // 4)
        may_write = wh.may_use_temp_files and literal_paths.plain(tempfile.gettempdir())
        combine = not fmt.one_object_per_line and len(files) > COMBINE_ABOVE
        by_python = [f for f in files if may_write and (combine or f.size > part)]
        careful: list[str] = []
        if by_python:
            careful += self._read_parts([f.path for f in by_python], fmt, checked, part)
        ours = {id(f) for f in by_python}
        sizes = {str(f.path): f.size for f in files if id(f) not in ours}
        with literal_paths.duckdb_names(list(sizes), may_link=wh.may_use_temp_files) as (names, unnamed):
            careful += unnamed
            aliases = [(name, path) for name, path in names.items() if name != path]
            if aliases:  # lines read through a link belong to the file it points at
                wh.execute("CREATE OR REPLACE TEMP TABLE aliases (name VARCHAR, path VARCHAR)")
                wh.insert_rows("aliases", ["name", "path"], aliases)
            group: list[str] = []
            size = 0
            for name, path in names.items():
                if group and size + sizes[path] > chunk:
                    careful += self._read_files(group, names, fmt, checked, bool(aliases))
                    group, size = [], 0
                group.append(name)
                size += sizes[path]
            if group:
                careful += self._read_files(group, names, fmt, checked, bool(aliases))
        return careful

    def _memory_limit(self) -> int:
        """DuckDB's memory_limit in bytes (it reports it as, e.g., '244.1 MiB')."""
        rows = self.wh.peek("SELECT current_setting('memory_limit')")
        number, _, unit = str(rows[0][0] if rows else "256 MiB").partition(" ")
        scale = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50}
        return int(float(number) * scale.get(unit, 1 << 20))

    def _read_files(
        self, group: list[str], names: dict[str, str], fmt: SourceFormat, checked: str, aliases: bool
    ) -> list[str]:
        """DuckDB reads the files of `group` (names it opens; `names` maps them to real paths) and
        validates their lines; returns the real paths of those it cannot decode."""
        try:
            self._validate_fast(fmt, checked, group, aliases)
        except UndecodableInput:  # one of them: find which, file by file
            undecodable = []
            for name in group:
                try:
                    self._validate_fast(fmt, checked, [name], aliases)
                except UndecodableInput:
                    undecodable.append(names[name])
            return undecodable
        return []

    def _read_parts(self, paths: list[Path], fmt: SourceFormat, checked: str, part_bytes: int) -> list[str]:
        """Python writes the files as parts (read_lines.py); DuckDB reads and validates a part at a
        time, each line put back with its own file and line number."""
        wh = self.wh
        with tempfile.TemporaryDirectory(prefix="sparkify-") as tmp:
            starts, careful = read_lines.write_parts(paths, Path(tmp), part_bytes)
            wh.execute("CREATE OR REPLACE TEMP TABLE file_starts (path VARCHAR, part VARCHAR, start BIGINT)")
            wh.insert_rows("file_starts", ["path", "part", "start"], starts)
            for part in dict.fromkeys(part for _, part, _ in starts):
                wh.run_template("stage/duckdb/combined_lines.sql", [[part]])
                self._validate_fast(fmt, checked)
        return careful

    def _validate_fast(
        self, fmt: SourceFormat, checked: str, files: list[str] | None = None, aliases: bool = False
    ) -> None:
        """Lines through the fast path (fast.sql) into `checked`: those of `files` as DuckDB reads
        them, or else those in raw_lines. A line that makes the parse fail fails the statement, which
        then runs again with each line's failure caught (a dry run's script must replay: it takes
        the careful form at once)."""
        structure = json.dumps({f.key: "VARCHAR" if f.kind == "string" else "JSON" for f in fmt.fields})
        context: dict[str, TemplateValue] = {
            "fmt": fmt,
            "fields": fmt.fields,
            "checked": checked,
            "structure": structure.replace("'", "''"),
            "max_line_bytes": MAX_LINE_BYTES,
            "files": bool(files),
            "aliases": aliases,
            "fast": FAST_PATH,
        }
        params = [files] if files else None
        if not isinstance(self.wh, DryRunWarehouse):
            try:
                self.wh.run_template("stage/duckdb/fast.sql", params, careful=False, **context)
                return
            except WarehouseError as exc:
                if not isinstance(exc.__cause__, duckdb.InvalidInputException) or isinstance(exc, UndecodableInput):
                    raise
        self.wh.run_template("stage/duckdb/fast.sql", params, careful=True, **context)

    def _read_carefully(self, paths: list[str], fmt: SourceFormat, checked: str) -> None:
        """The files' lines as the careful reader (sources/lines.py) reads them replace whatever
        DuckDB read of them; all of them go to the exact validator."""
        wh = self.wh
        wh.execute(f"DELETE FROM {checked} WHERE path IN (SELECT unnest(?))", [paths])
        reader = careful_lines.event_lines if fmt.one_object_per_line else careful_lines.song_objects
        rows: list[careful_lines.Row] = []
        for path in paths:
            rows += reader(Path(path))
        wh.execute(_RAW_LINES)
        wh.insert_rows("raw_lines", ["path", "line_no", "raw", "pre_reason", "pre_col"], rows)
        wh.execute(
            f"INSERT INTO {checked} (path, line_no, reason, col, raw, pending) "
            "SELECT path, line_no, pre_reason, pre_col, raw, true FROM raw_lines "
            "WHERE pre_reason IS NOT NULL OR trim(raw) <> ''"
        )

    def _check_exactly(self, fmt: SourceFormat, checked: str) -> None:
        """The pending lines through the exact validator (check.sql, then Python's strict judge)."""
        wh = self.wh
        exact = f"exact_{fmt.kind}s"
        wh.execute(
            "CREATE OR REPLACE TEMP TABLE pending_lines AS "
            f"SELECT path, line_no, raw, reason AS pre_reason, col AS pre_col FROM {checked} WHERE pending"
        )
        wh.run_template(
            "stage/duckdb/check.sql",
            fmt=fmt,
            fields=fmt.fields,
            exact=exact,
            source="pending_lines",
            max_line_bytes=MAX_LINE_BYTES,
        )
        wh.execute("DROP TABLE pending_lines")
        self._judge_json(exact)
        wh.run_template("stage/duckdb/merge.sql", fields=fmt.fields, checked=checked, exact=exact)

    def _judge_json(self, checked: str) -> None:
        """Python's strict json decides the suspect lines (valid only to DuckDB's lenient reader), a
        chunk at a time (every line is suspect when a key is added to every event), and names what
        is wrong, and where, in the first 1,000 lines DuckDB found invalid (enough to fix a file by)."""
        wh = self.wh
        wh.execute("CREATE OR REPLACE TEMP TABLE explained (reason VARCHAR, col INTEGER, path VARCHAR, line_no BIGINT)")
        _, rows = wh.query(
            f"SELECT path, line_no, raw FROM {checked} WHERE reason = 'invalid JSON' ORDER BY path, line_no LIMIT 1000"
        )
        judged = self._judge(rows)
        after = -1
        while True:
            _, rows = wh.query(
                f"SELECT rowid, path, line_no, raw FROM {checked} WHERE suspect AND rowid > ? "
                f"ORDER BY rowid LIMIT {JUDGE_CHUNK}",
                [after],
            )
            judged += self._judge([row[1:] for row in rows])
            if len(rows) < JUDGE_CHUNK:
                break
            after = rows[-1][0]
        if judged:
            wh.execute(
                f"UPDATE {checked} c SET reason = x.reason, col = x.col FROM explained x "
                "WHERE c.path = x.path AND c.line_no = x.line_no"
            )

    def _judge(self, rows: Sequence[Row]) -> int:
        """Record in `explained` why each of these (path, line_no, raw) is not JSON; how many are not."""
        updates = []
        for path, line_no, raw in rows:
            error = careful_lines.json_error(raw)
            if error is not None:
                updates.append((*error, path, line_no))
        self.wh.insert_rows("explained", ["reason", "col", "path", "line_no"], updates)
        return len(updates)

    # --- writing -------------------------------------------------------------------------------
    def _replace_rejects(self, batch: DuckDBBatch) -> None:
        wh = self.wh
        wh.execute(
            f"DELETE FROM {wh.schema}.rejects WHERE source_file IN (SELECT source_file FROM {wh.schema}.load_batch)"
        )
        wh.run_template("stage/duckdb/rejects.sql", [batch.prefix], checked=batch.checked)

    def _fill_batch(self, files: list[SourceFile]) -> None:
        wh = self.wh
        wh.execute(f"DELETE FROM {wh.schema}.load_batch")
        wh.insert_rows(f"{wh.schema}.load_batch", ["source_file"], [(f.key,) for f in files])

    def _record_files(self, batch: DuckDBBatch) -> None:
        wh = self.wh
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
        columns = [
            "source_file",
            "kind",
            "size_bytes",
            "modified",
            "rows_staged",
            "rows_rejected",
            "next_song_rows",
            "staged_at",
        ]
        wh.insert_rows(f"{wh.schema}.staged_files", columns, rows)
