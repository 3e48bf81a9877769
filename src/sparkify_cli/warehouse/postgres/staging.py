"""Staging on PostgreSQL: source lines -> typed staging tables, every bad line recorded in `rejects`.

`prepare` sends the files' lines with COPY ... FROM STDIN into session temp tables and validates them
in SQL (sql/stage/postgres/check.sql: DuckDB staging's checks and reasons), so the warehouse's own
tables do not change; `apply` replaces the staged rows inside the caller's transaction, so a day is
all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sparkify_cli.documents import TemplateValue, count
from sparkify_cli.sources import SourceFile
from sparkify_cli.sources import lines as careful
from sparkify_cli.sources.formats import MAX_LINE_BYTES, SourceFormat
from sparkify_cli.warehouse.base import Batch, Value, Warehouse, too_many_rejects
from sparkify_cli.warehouse.postgres import lines
from sparkify_cli.warehouse.postgres.connection import InvalidInput, PostgresWarehouse

EXPLAINED = 1000  # lines DuckDB's reader refuses too given a reason and column per batch, as there
CHUNK_LINES = 20_000  # invalid lines read back at a time
CHUNK = 1 << 20  # COPY data is sent in pieces of about this many bytes


@dataclass
class PostgresBatch(Batch):
    """Validated lines waiting in the temp tables of the batch's kind."""

    @property
    def context(self) -> dict[str, TemplateValue]:
        return {
            "fmt": self.fmt,
            "fields": self.fields,
            "table": self.table,
            "files": f"files_{self.kind}s",
            "lines": f"lines_{self.kind}s",
            "checked": f"checked_{self.kind}s",
        }


def _own(batch: Batch) -> PostgresBatch:
    if not isinstance(batch, PostgresBatch):
        raise TypeError(f"PostgreSQL staging cannot apply a {type(batch).__name__}")
    return batch


class PostgresStager:
    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh
        self._helpers = False

    def prepare(self, files: list[SourceFile], fmt: SourceFormat, *, max_errors: int) -> PostgresBatch:
        """Send and validate the files' lines into temp tables; the warehouse itself is unchanged.
        (max_errors is decided by check_rejects: every line is validated either way.)"""
        wh = self.wh
        if not self._helpers:
            wh.run_template("stage/postgres/functions.sql")
            self._helpers = True
        batch = PostgresBatch(fmt, files, 0, 0)
        ctx = batch.context
        wh.run_template("stage/postgres/prepare.sql", **ctx)
        wh.insert_rows(
            str(ctx["files"]),
            ["file_no", "source_file", "size_bytes", "modified"],
            [(no, f.key, f.size, f.modified) for no, f in enumerate(files)],
        )
        (copy,) = wh.render("stage/postgres/copy.sql", what=count(len(files), f"{fmt.kind} file"), **ctx)
        if isinstance(wh, PostgresWarehouse):
            wh.copy_in(copy, self._copy_data(files, fmt))
        else:
            wh.execute(copy)  # a dry run records the statement; the lines go with it when it runs
        check = {"max_line_bytes": MAX_LINE_BYTES, **ctx}
        try:
            wh.run_template("stage/postgres/check.sql", careful=False, **check)
        except InvalidInput:  # a line is not JSON: cast line by line, catching each error
            wh.run_template("stage/postgres/check.sql", careful=True, **check)
        wh.execute(f"DROP TABLE {ctx['lines']}")
        self._explain_invalid_json(batch)
        _, rows = wh.query(
            f"SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) "
            f"FROM {ctx['checked']}"
        )
        if rows:
            batch.staged, batch.rejected = int(rows[0][0] or 0), int(rows[0][1] or 0)
        return batch

    def check_rejects(self, batches: Sequence[Batch], max_errors: int) -> None:
        wh = self.wh
        own = [_own(b) for b in batches]
        rejected = sum(b.rejected for b in own)
        if rejected <= max_errors:
            return
        with wh.transaction():
            for batch in own:
                self._fill_batch(batch.files)
                wh.run_template("stage/postgres/rejects.sql", **batch.context)
        first = next(b for b in own if b.rejected)
        ctx = first.context
        _, rows = wh.query(
            f"SELECT c.file_no, c.line_no, c.reason FROM {ctx['checked']} c JOIN {ctx['files']} f USING (file_no) "
            "WHERE c.reason IS NOT NULL ORDER BY f.source_file, c.line_no LIMIT 1"
        )
        where = f"{first.files[rows[0][0]].path}:{rows[0][1]}: {rows[0][2]}" if rows else "rejected lines"
        raise too_many_rejects(where, rejected, max_errors)

    def apply(self, batch: Batch) -> None:
        """A catalog is replaced whole, so files removed from song_data go too; logs file by file."""
        wh, own = self.wh, _own(batch)
        self._fill_batch(own.files)
        wh.run_template("stage/postgres/rejects.sql", **own.context)
        wh.run_template("stage/postgres/apply.sql", [datetime.now(UTC).replace(tzinfo=None)], **own.context)

    # --- internals ------------------------------------------------------------------------------
    def _copy_data(self, files: list[SourceFile], fmt: SourceFormat) -> Iterator[bytes]:
        """The files' lines in COPY text format, a piece at a time (a day's file is read once)."""
        pending: list[bytes] = []
        size = 0
        for number, f in enumerate(files):
            rows = lines.copy_rows(number, f.path, fmt.one_object_per_line)
            pending.append(rows)
            size += len(rows)
            if size >= CHUNK:
                yield b"".join(pending)
                pending, size = [], 0
        if pending:
            yield b"".join(pending)

    def _explain_invalid_json(self, batch: PostgresBatch) -> None:
        """The server says only that a line is not JSON; DuckDB staging's strict decoder says why and
        where, as it does there: for the first 1,000 lines DuckDB's reader refuses too, and for
        every line it takes but strict JSON does not (NaN, a trailing comma), a chunk at a time."""
        wh, ctx = self.wh, batch.context
        after: list[Value] = ["", 0]
        refused = explained = 0
        while True:
            _, rows = wh.query(
                f"SELECT f.source_file, c.line_no, c.file_no, c.raw FROM {ctx['checked']} c "
                f"JOIN {ctx['files']} f USING (file_no) WHERE c.reason = 'invalid JSON' "
                f"AND (f.source_file, c.line_no) > (?, ?) ORDER BY f.source_file, c.line_no LIMIT {CHUNK_LINES}",
                after,
            )
            updates = []
            for _key, line_no, file_no, raw in rows:
                lenient = lines.lenient_json(raw)
                if not lenient:
                    refused += 1
                    if refused > EXPLAINED:
                        continue
                error = careful.json_error(raw)
                if error is not None:
                    updates.append((*error, file_no, line_no))
            if updates and not explained:
                wh.execute("DROP TABLE IF EXISTS explained")
                wh.execute("CREATE TEMP TABLE explained (reason TEXT, col INTEGER, file_no INTEGER, line_no INTEGER)")
            wh.insert_rows("explained", ["reason", "col", "file_no", "line_no"], updates)
            explained += len(updates)
            if len(rows) < CHUNK_LINES:
                break
            after = [rows[-1][0], rows[-1][1]]
        if explained:
            wh.execute(
                f"UPDATE {ctx['checked']} c SET reason = x.reason, col = x.col FROM explained x "
                "WHERE c.file_no = x.file_no AND c.line_no = x.line_no"
            )

    def _fill_batch(self, files: list[SourceFile]) -> None:
        wh = self.wh
        wh.execute(f"DELETE FROM {wh.schema}.load_batch")
        wh.insert_rows(f"{wh.schema}.load_batch", ["source_file"], [(f.key,) for f in files])
