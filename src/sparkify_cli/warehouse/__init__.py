"""The warehouse registry: every warehouse sparkify can drive, by its SPARKIFY_WAREHOUSE name.

A warehouse is one folder here (its Dialect, connection and stager) and one line in DIALECTS; this
is the only place that looks a warehouse up by name. Only this package imports database drivers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkify_cli.errors import ConfigError
from sparkify_cli.warehouse import duckdb, postgres, redshift
from sparkify_cli.warehouse.base import Dialect, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

__all__ = ["DIALECTS", "Dialect", "Warehouse", "connect", "dialect_of"]

DIALECTS: dict[str, Dialect] = {d.name: d for d in (duckdb.DIALECT, redshift.DIALECT, postgres.DIALECT)}


def dialect_of(settings: Settings) -> Dialect:
    """The configured warehouse's Dialect; an unknown name is a settings error (exit 2)."""
    found = DIALECTS.get(settings.warehouse)
    if found is None:
        raise ConfigError(
            f"invalid setting SPARKIFY_WAREHOUSE: {settings.warehouse!r} is not one of {', '.join(DIALECTS)}"
        )
    return found


def connect(settings: Settings, *, read_only: bool = False, must_exist: bool = False) -> Warehouse:
    """Open the configured warehouse. must_exist: a warehouse that is not there yet (no DuckDB file)
    is an error instead of a new, empty one; read_only: for commands that only look."""
    return dialect_of(settings).connect(settings, read_only, must_exist)
