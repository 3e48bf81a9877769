"""Amazon Redshift: a cluster reached with redshift-connector; COPYs its sources from S3 itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sparkify_cli.warehouse.base import Dialect

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import Source
    from sparkify_cli.warehouse.base import Stager, Warehouse


def lock_statement(schema: str, tables: Sequence[str]) -> str:
    """One LOCK of all the tables, always in name order, so two runs cannot deadlock on it."""
    return "LOCK " + ", ".join(f'{schema}."{t}"' for t in sorted(tables))


def _connect(settings: Settings, read_only: bool, must_exist: bool) -> Warehouse:
    from sparkify_cli.warehouse.redshift.connection import RedshiftWarehouse

    return RedshiftWarehouse.from_settings(DIALECT, settings, read_only=read_only)


def _stager(wh: Warehouse, settings: Settings, source: Source) -> Stager:
    from sparkify_cli.warehouse.redshift.staging import RedshiftStager

    return RedshiftStager(wh, settings, source)


def _where(settings: Settings) -> str:
    return f"Redshift {settings.cluster_identifier}"


DIALECT = Dialect(
    name="redshift",
    title="Amazon Redshift",
    macros=("redshift", "default"),
    reads_from="s3",
    dry_run="plan",
    connect=_connect,
    stager=_stager,
    where=_where,
    lock=lock_statement,
)
