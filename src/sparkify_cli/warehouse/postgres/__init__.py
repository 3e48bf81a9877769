"""PostgreSQL: a server reached with psycopg 3 (extra [postgres]); sparkify reads the source's files
(S3 through the cache) and sends their lines with client-side COPY ... FROM STDIN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sparkify_cli.warehouse.base import Dialect

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import Source
    from sparkify_cli.warehouse.base import Stager, Warehouse


def lock_statement(schema: str, tables: Sequence[str]) -> str:
    """One transaction-scoped advisory lock per schema: two runs queue instead of interleaving
    statements, readers are never blocked (MVCC), and it holds before any table exists (a first
    `schema create`). Released by COMMIT or ROLLBACK, or when the session dies."""
    return f"SELECT pg_advisory_xact_lock(hashtext('sparkify'), hashtext('{schema}'))"


def _connect(settings: Settings, read_only: bool, must_exist: bool) -> Warehouse:
    from sparkify_cli.warehouse.postgres.connection import open_database

    return open_database(DIALECT, settings, read_only=read_only)


def _stager(wh: Warehouse, settings: Settings, source: Source) -> Stager:
    from sparkify_cli.warehouse.postgres.staging import PostgresStager

    return PostgresStager(wh)


def _where(settings: Settings) -> str:
    from sparkify_cli.warehouse.postgres.connection import describe

    return describe(settings)


DIALECT = Dialect(
    name="postgres",
    title="PostgreSQL",
    macros=("default",),  # default.sql is standard SQL as PostgreSQL speaks it: nothing to override
    reads_from="local",
    dry_run="plan",
    connect=_connect,
    stager=_stager,
    where=_where,
    lock=lock_statement,
)
