"""Read-only looks into the warehouse: ad-hoc queries and the rejects table."""

from __future__ import annotations

from typing import Any

from sparkify_cli.errors import WarehouseError
from sparkify_cli.settings import Settings
from sparkify_cli.warehouse import Warehouse, connect

Result = tuple[list[str], list[tuple[Any, ...]]]


def open_existing(settings: Settings) -> Warehouse:
    """Open for reading; a missing DuckDB file is an error, not a new empty warehouse."""
    if settings.warehouse == "duckdb" and not settings.duckdb_path.exists():
        raise WarehouseError(
            f"no warehouse at {settings.duckdb_path}", hint="run `sparkify run` first or set SPARKIFY_DUCKDB_PATH"
        )
    return connect(settings, read_only=True)


def run_query(settings: Settings, sql: str) -> Result:
    with open_existing(settings) as wh:
        return wh.query(sql)


def list_rejects(settings: Settings, limit: int) -> Result:
    with open_existing(settings) as wh:
        if not wh.table_exists("rejects"):
            return ["source_file", "line_no", "col", "reason", "raw", "rejected_at"], []
        return wh.query(
            f"SELECT source_file, line_no, col, reason, raw, rejected_at FROM {wh.schema}.rejects "
            "ORDER BY rejected_at DESC, source_file, line_no LIMIT ?",
            [limit],
        )
