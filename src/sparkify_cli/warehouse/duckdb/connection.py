"""The DuckDB connection: one file, no server, opened for a run or read-only."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from sparkify_cli.errors import ConfigError, UndecodableInput, WarehouseBusyError, WarehouseError
from sparkify_cli.warehouse.base import Dialect, Params, Row, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings


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
        try:
            self.con = duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise WarehouseBusyError(
                    f"another run holds the warehouse {path}", hint="wait for it to finish, then retry"
                ) from None
            raise WarehouseError(f"cannot open DuckDB file {path}: {_first_line(text)}") from None
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open DuckDB file {path}: {_first_line(str(exc))}") from None

    def execute(self, statement: str, params: Params = None) -> None:
        self.statements_run.append(statement)
        try:
            self.con.execute(statement, params)
        except duckdb.Error as exc:
            raise _error(exc) from exc

    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[Row]]:
        try:
            cur = self.con.execute(statement, params)
            cols = [d[0] for d in cur.description or []]
            return cols, cur.fetchall()
        except duckdb.Error as exc:
            raise _error(exc) from exc

    def close(self) -> None:
        self.con.close()


def _error(exc: duckdb.Error) -> WarehouseError:
    """The narrowest error that says what happened; callers act on the class, never on the text."""
    message = f"DuckDB: {_first_line(str(exc))}"
    if isinstance(exc, duckdb.InvalidInputException) and "as valid UTF-8 encoded text" in str(exc):
        return UndecodableInput(message)
    return WarehouseError(message)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def open_file(dialect: Dialect, settings: Settings, *, read_only: bool, must_exist: bool) -> DuckDBWarehouse:
    """The file SPARKIFY_DUCKDB_PATH; must_exist: a missing file is an error, not a new warehouse."""
    path = settings.duckdb_path
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
    )


@contextmanager
def scratch_copy(dialect: Dialect, settings: Settings) -> Iterator[DuckDBWarehouse]:
    """A copy of the warehouse file (and its WAL) in a temporary folder, gone afterwards: --dry-run
    rehearses a step there, so it records exactly the statements the step would run."""
    with tempfile.TemporaryDirectory(prefix="sparkify-dry-run-") as scratch:
        copy = Path(scratch) / "rehearsal.duckdb"
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
