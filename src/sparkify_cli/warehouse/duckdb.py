"""The embedded warehouse: one DuckDB file, no server."""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from sparkify_cli.errors import ConfigError, WarehouseBusyError, WarehouseError
from sparkify_cli.warehouse.base import Params, Warehouse

# Test hook: fail right before the Nth statement (fault-injection tests set SPARKIFY_FAIL_AT_STATEMENT).
_FAIL_ENV = "SPARKIFY_FAIL_AT_STATEMENT"


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(
        self,
        path: Path,
        schema: str,
        *,
        memory_limit: str = "256MB",
        threads: int = 0,
        temp_dir: Path | None = None,
        read_only: bool = False,
    ) -> None:
        super().__init__(schema)
        self.path = path
        if str(path) != ":memory:" and not read_only:
            parent = path.expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"folder {parent} for the DuckDB file does not exist (set SPARKIFY_DUCKDB_PATH)")
        if path.is_dir():
            raise ConfigError(f"{path} is a folder, not a DuckDB file (set SPARKIFY_DUCKDB_PATH to a file path)")
        config: dict[str, Any] = {"memory_limit": memory_limit}
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
        self._count = 0

    def _fault_point(self) -> None:
        """Fault injection for the crash-safety tests: SPARKIFY_FAIL_AT_STATEMENT=N fails right before
        the Nth statement of this connection; N:kill kills the process there with SIGKILL."""
        self._count += 1
        at = os.environ.get(_FAIL_ENV)
        if not at or int(at.split(":")[0]) != self._count:
            return
        if at.endswith(":kill"):
            os.kill(os.getpid(), signal.SIGKILL)
        raise WarehouseError(f"injected failure before statement {self._count}")

    def execute(self, statement: str, params: Params = None) -> None:
        self.statements_run.append(statement)
        self._fault_point()
        try:
            self.con.execute(statement, params)
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB: {_first_line(str(exc))}") from exc

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        # Columns travel as lists and are zipped back by unnest: one statement whatever the row count.
        lists = [list(col) for col in zip(*rows, strict=True)]
        unnests = ", ".join(f"unnest(?) AS {c}" for c in columns)
        self.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {unnests}", lists)

    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        try:
            cur = self.con.execute(statement, params)
            cols = [d[0] for d in cur.description or []]
            return cols, cur.fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB: {_first_line(str(exc))}") from exc

    def close(self) -> None:
        self.con.close()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
