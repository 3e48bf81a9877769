"""Staging on DuckDB: source files -> typed staging tables, every bad line recorded in `rejects`.

`prepare` reads and validates files into a temp table (the warehouse's own tables do not change),
`apply` replaces the staged rows inside the caller's transaction, so a day is all-or-nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sparkify_cli.errors import RejectedDataError, UndecodableInput
from sparkify_cli.sources import SourceFile
from sparkify_cli.sources import lines as careful_lines
from sparkify_cli.sources.formats import MAX_LINE_BYTES, SourceFormat
from sparkify_cli.warehouse.base import Batch, Row, Warehouse
from sparkify_cli.warehouse.dryrun import DryRunWarehouse
from sparkify_cli.warehouse.duckdb import literal_paths, read_lines

# DuckDB pays a fixed cost per file it opens (about 1 ms): past this many, Python concatenates them.
COMBINE_ABOVE = 256
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
        (max_errors is decided by check_rejects: every line is validated either way.)"""
        wh = self.wh
        checked = f"checked_{fmt.kind}s"
        self._read_lines(files, fmt)
        wh.run_template(
            "stage/duckdb/check.sql", fmt=fmt, fields=fmt.fields, checked=checked, max_line_bytes=MAX_LINE_BYTES
        )
        self._judge_json(checked)
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
        raise RejectedDataError(
            f"{path}:{line_no}: {reason} ({rejected} rejected line(s), --max-errors {max_errors})",
            hint=f"{where}; fix the source or raise --max-errors",
        )

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
    def _read_lines(self, files: list[SourceFile], fmt: SourceFormat) -> None:
        """raw_lines(path, line_no, raw, pre_reason, pre_col): DuckDB reads the batch in one go; files
        it cannot decode or cannot be given by name, and song files that are not one object per
        line, go through the careful reader (sources/lines.py)."""
        wh = self.wh
        paths = [str(f.path) for f in files]
        literal_paths.check_utf8(paths)
        careful: list[str] = []
        if (
            not fmt.one_object_per_line
            and len(files) > COMBINE_ABOVE
            and wh.may_use_temp_files
            and literal_paths.plain(tempfile.gettempdir())
        ):
            careful = self._read_combined([f.path for f in files])
        else:
            with literal_paths.duckdb_names(paths, may_link=wh.may_use_temp_files) as (names, unnamed):
                careful = unnamed + self._read_text(names)
        if not fmt.one_object_per_line:
            # A file with a line that is not valid JSON may be pretty-printed or hold several objects.
            _, rows = wh.query("SELECT DISTINCT path FROM raw_lines WHERE trim(raw) <> '' AND NOT json_valid(raw)")
            careful += [r[0] for r in rows]
        if not careful:
            return
        wh.execute("DELETE FROM raw_lines WHERE path IN (SELECT unnest(?))", [careful])
        reader = careful_lines.event_lines if fmt.one_object_per_line else careful_lines.song_objects
        rows_out = []
        for path in careful:
            rows_out += reader(Path(path))
        wh.insert_rows("raw_lines", ["path", "line_no", "raw", "pre_reason", "pre_col"], rows_out)

    def _read_text(self, names: dict[str, str]) -> list[str]:
        """DuckDB reads the files ({name it opens: real path}) into raw_lines; returns the real paths
        of those it cannot decode."""
        wh = self.wh
        undecodable: list[str] = []
        if not names:
            wh.execute(_RAW_LINES)
            return undecodable
        try:
            wh.run_template("stage/duckdb/raw_lines.sql", [list(names)], append=False)
        except UndecodableInput:  # one of them: find which, file by file
            wh.execute(_RAW_LINES)
            for name, path in names.items():
                try:
                    wh.run_template("stage/duckdb/raw_lines.sql", [[name]], append=True)
                except UndecodableInput:
                    undecodable.append(path)
        aliases = [(name, path) for name, path in names.items() if name != path]
        if aliases:  # lines read through a link belong to the file it points at
            wh.execute("CREATE OR REPLACE TEMP TABLE aliases (name VARCHAR, path VARCHAR)")
            wh.insert_rows("aliases", ["name", "path"], aliases)
            wh.execute("UPDATE raw_lines r SET path = a.path FROM aliases a WHERE r.path = a.name")
        return undecodable

    def _read_combined(self, paths: list[Path]) -> list[str]:
        """Song catalogs are many tiny files: read them in Python into a few files for DuckDB."""
        wh = self.wh
        with tempfile.TemporaryDirectory(prefix="sparkify-") as tmp:
            starts, careful = read_lines.concatenate(paths, Path(tmp))
            parts = sorted({part for _, part, _ in starts})
            wh.execute("CREATE OR REPLACE TEMP TABLE file_starts (path VARCHAR, part VARCHAR, start BIGINT)")
            wh.insert_rows("file_starts", ["path", "part", "start"], starts)
            if parts:
                wh.run_template("stage/duckdb/combined_lines.sql", [parts])
            else:
                wh.execute(_RAW_LINES)
        return careful

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
