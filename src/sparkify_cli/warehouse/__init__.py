"""Warehouse adapters: the only package that imports duckdb or redshift_connector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkify_cli.warehouse.base import Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

__all__ = ["Warehouse", "connect"]


def connect(settings: Settings, *, read_only: bool = False) -> Warehouse:
    """Open the configured warehouse."""
    if settings.warehouse == "duckdb":
        from sparkify_cli.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(
            settings.duckdb_path,
            settings.schema,
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            temp_dir=settings.duckdb_temp_dir,
            read_only=read_only,
        )
    from sparkify_cli.warehouse.redshift import RedshiftWarehouse  # type: ignore[import-not-found]

    return RedshiftWarehouse.from_settings(settings)  # type: ignore[no-any-return]
