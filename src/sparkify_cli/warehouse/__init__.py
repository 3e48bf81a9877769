"""The warehouse registry: every warehouse sparkify can drive, by its SPARKIFY_WAREHOUSE name.

A warehouse is one folder here (its Dialect, connection and stager) and one line in DIALECTS; this
is the only place that looks a warehouse up by name. Only this package imports database drivers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from sparkify_cli import extras
from sparkify_cli.errors import ConfigError
from sparkify_cli.warehouse import duckdb, postgres, redshift
from sparkify_cli.warehouse.base import Dialect, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

__all__ = ["DIALECTS", "Dialect", "Warehouse", "connect", "dialect_of"]

P = ParamSpec("P")
R = TypeVar("R")


def _needs_its_extra(dialect: Dialect, call: Callable[P, R]) -> Callable[P, R]:
    """`call` with a missing driver (or boto3, keyring) reported as the warehouse's extra: the
    callables import the warehouse's modules lazily, and a server warehouse's extra is named after
    it (`pip install 'sparkify-cli[redshift]'`)."""

    needs = f"the {dialect.title} warehouse needs"

    @functools.wraps(call)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return call(*args, **kwargs)
        except ImportError as exc:
            if (missing := extras.missing(exc, extra=dialect.name, needs=needs)) is None:
                raise
            raise missing from None

    return guarded


def _registered(dialect: Dialect) -> Dialect:
    guard = functools.partial(_needs_its_extra, dialect)
    return replace(dialect, connect=guard(dialect.connect), stager=guard(dialect.stager), where=guard(dialect.where))


DIALECTS: dict[str, Dialect] = {d.name: _registered(d) for d in (duckdb.DIALECT, redshift.DIALECT, postgres.DIALECT)}


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
