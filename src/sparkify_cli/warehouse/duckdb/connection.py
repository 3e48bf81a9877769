"""The DuckDB connection: one file, no server, opened for a run or read-only."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from sparkify_cli import errors
from sparkify_cli.errors import (
    ConfigError,
    NotAllowed,
    SparkifyError,
    UndecodableInput,
    WarehouseBusyError,
    WarehouseError,
    WarehouseFailure,
)
from sparkify_cli.warehouse.base import Dialect, Params, Row, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

_log = logging.getLogger(__name__)
# Waiting for a busy file (SPARKIFY_LOCK_WAIT): retry opening it, first soon, then at most every second.
FIRST_RETRY, LAST_RETRY = 0.05, 1.0

# What a read-only connection (query, check, report, status, runs, rejects) and a locked-down one
# (the checks of `run`) may not do, with DuckDB's own settings: read or write any file but the
# warehouse and its spill folder (COPY, EXPORT/IMPORT DATABASE, ATTACH, read_csv/read_json/
# read_text, glob), reach the network, install or load extensions, keep secrets on disk. The
# configuration is then locked, so SET cannot undo any of it (nor change memory or threads).
LOCKED_DOWN: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    "lock_configuration": True,  # last: it freezes every setting above
}


class DuckDBWarehouse(Warehouse):
    def __init__(
        self,
        dialect: Dialect,
        path: Path,
        schema: str,
        *,
        memory_limit: str = "256MB",
        threads: int = 0,
        temp_dir: Path | None = None,
        read_only: bool = False,
        lock_wait: float = 0,
    ) -> None:
        super().__init__(dialect, schema)
        self.path = path
        if str(path) != ":memory:" and not read_only:
            parent = path.expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"folder {parent} for the DuckDB file does not exist (set SPARKIFY_DUCKDB_PATH)")
        if path.is_dir():
            raise ConfigError(f"{path} is a folder, not a DuckDB file (set SPARKIFY_DUCKDB_PATH to a file path)")
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = threads
        if temp_dir is not None:
            config["temp_directory"] = str(temp_dir)
        if read_only:
            config.update(LOCKED_DOWN)
        else:
            # Staging and loading write millions of rows whose order carries nothing (lineage is in
            # source_file and line_no; every ordered result says ORDER BY): without keeping it, DuckDB
            # inserts in parallel and buffers less (a 1M-event run about 12% faster, same peak RSS).
            config["preserve_insertion_order"] = False
        self.con = _open(path, read_only, config, lock_wait)
        if not read_only:
            # DuckDB's own progress bar would print to stdout (into `--format json`) on a statement
            # slower than two seconds; sparkify shows its own, on stderr. (A session setting: not
            # one DuckDB takes at connect; not a statement of the step, so not in statements_run.
            # A read-only connection does not draw it.)
            self.con.execute("SET enable_progress_bar = false")

    def execute(self, statement: str, params: Params = None) -> None:
        self.statements_run.append(statement)
        try:
            self.con.execute(statement, params)
        except duckdb.Error as exc:
            raise _error(exc) from exc
        except RuntimeError as exc:
            if _interrupted(exc):
                raise errors.interruption() from None
            raise

    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[Row]]:
        try:
            cur = self.con.execute(statement, params)
            if cur is None or cur.description is None:  # nothing to run (empty SQL), or no result set
                return [], []
            cols = [d[0] for d in cur.description]
            return cols, cur.fetchall()
        except duckdb.Error as exc:
            raise _error(exc) from exc
        except RuntimeError as exc:
            if _interrupted(exc):
                raise errors.interruption() from None
            raise

    def interrupt(self) -> bool:
        self.con.interrupt()  # DuckDB's own cancel: the statement fails with "INTERRUPT Error"
        return True

    def lock_down(self) -> None:
        for name, value in LOCKED_DOWN.items():
            self.execute(f"SET {name} = {str(value).lower()}")

    def close(self) -> None:
        self.con.close()


def _open(
    path: Path, read_only: bool, config: dict[str, str | bool | int | float | list[str]], lock_wait: float
) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process holds it (DuckDB allows one writer, or readers only),
    try again for up to `lock_wait` seconds (0: fail at once, the default: cron's retry decides)."""
    deadline = time.monotonic() + lock_wait
    retry = FIRST_RETRY
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise WarehouseError(f"cannot open DuckDB file {path}: {_first_line(text)}") from None
            left = deadline - time.monotonic()
            if left <= 0:
                waited = f" (waited {lock_wait:g} s)" if lock_wait else ""
                raise WarehouseBusyError(
                    f"another run holds the warehouse {path}{waited}",
                    hint="wait for it to finish, then retry; SPARKIFY_LOCK_WAIT or --wait SECONDS waits for it",
                ) from None
            if retry == FIRST_RETRY:
                _log.info("another run holds the warehouse %s: waiting up to %g s for it", path, lock_wait)
            time.sleep(min(retry, left))
            retry = min(retry * 2, LAST_RETRY)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open DuckDB file {path}: {_first_line(str(exc))}") from None


def _error(exc: duckdb.Error) -> SparkifyError:
    """The narrowest error that says what happened; callers act on the class, never on the text."""
    text = str(exc)
    message = f"DuckDB: {_first_line(text)}"
    if isinstance(exc, duckdb.InvalidInputException) and "as valid UTF-8 encoded text" in text:
        return UndecodableInput(message)
    if isinstance(exc, duckdb.PermissionException) or (
        isinstance(exc, duckdb.InvalidInputException)
        and ("attached in read-only mode" in text or "configuration has been locked" in text)
    ):
        return NotAllowed(
            f"not allowed on a read-only connection (no writes, files, network, extensions, settings): {message}"
        )
    if isinstance(exc, duckdb.IOException | duckdb.FatalException | duckdb.InternalException):
        return WarehouseFailure(message)  # the file or the engine failed, not the statement
    return WarehouseError(message)


def _interrupted(exc: RuntimeError) -> bool:
    """DuckDB runs Python's signal handlers while a statement executes; when one raises, DuckDB
    cancels the statement and reports only this (errors.interruption() says which signal it was)."""
    return str(exc) == "Query interrupted"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def open_file(dialect: Dialect, settings: Settings, *, read_only: bool, must_exist: bool) -> DuckDBWarehouse:
    """The file SPARKIFY_DUCKDB_PATH; must_exist: a missing file is an error, not a new warehouse."""
    path = settings.duckdb_path
    if path.stem.lower() == settings.schema:
        # DuckDB names the file's catalog after it: `songs.songplays` would be ambiguous.
        raise ConfigError(
            f"the DuckDB file {path.name} would make a catalog named like the schema {settings.schema}",
            hint="name the file otherwise (SPARKIFY_DUCKDB_PATH) or choose another SPARKIFY_SCHEMA",
        )
    if must_exist and str(path) != ":memory:" and not path.expanduser().is_file():
        raise WarehouseError(
            f"no DuckDB warehouse at {path.expanduser()}", hint="run `sparkify run` first, or set SPARKIFY_DUCKDB_PATH"
        )
    return DuckDBWarehouse(
        dialect,
        path,
        settings.schema,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_dir=settings.duckdb_temp_dir,
        read_only=read_only,
        lock_wait=float(getattr(settings, "lock_wait", 0) or 0),  # SPARKIFY_LOCK_WAIT, or --wait
    )


@contextmanager
def scratch_copy(dialect: Dialect, settings: Settings) -> Iterator[DuckDBWarehouse]:
    """A copy of the warehouse file (and its WAL) in a temporary folder, gone afterwards: --dry-run
    rehearses a step there, so it records exactly the statements the step would run."""
    with tempfile.TemporaryDirectory(prefix="sparkify-dry-run-") as scratch:
        copy = Path(scratch) / "sparkify-rehearsal.duckdb"  # a catalog name no schema can have
        original = settings.duckdb_path.expanduser()
        if str(settings.duckdb_path) != ":memory:" and original.is_file():
            shutil.copyfile(original, copy)
            wal = original.with_name(original.name + ".wal")
            if wal.is_file():
                shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        wh = DuckDBWarehouse(
            dialect,
            copy,
            settings.schema,
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            temp_dir=Path(scratch),
        )
        try:
            yield wh
        finally:
            wh.close()
