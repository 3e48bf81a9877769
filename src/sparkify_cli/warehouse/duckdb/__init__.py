"""DuckDB, the embedded default: one file, no server. Reads local files (S3 through the cache)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sparkify_cli.warehouse.base import Dialect, Insert, Value

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import Source
    from sparkify_cli.warehouse.base import Stager, Warehouse


def _connect(settings: Settings, read_only: bool, must_exist: bool) -> Warehouse:
    from sparkify_cli.warehouse.duckdb.connection import open_file

    return open_file(DIALECT, settings, read_only=read_only, must_exist=must_exist)


def _stager(wh: Warehouse, settings: Settings, source: Source) -> Stager:
    from sparkify_cli.warehouse.duckdb.staging import DuckDBStager

    return DuckDBStager(wh)


@contextmanager
def _rehearsal(settings: Settings) -> Iterator[Warehouse]:
    from sparkify_cli.warehouse.duckdb.connection import scratch_copy

    with scratch_copy(DIALECT, settings) as wh:
        yield wh


def _where(settings: Settings) -> str:
    return str(Path(settings.duckdb_path).resolve())


def _inserts(table: str, columns: Sequence[str], rows: Sequence[Sequence[Value]]) -> list[Insert]:
    """One statement whatever the row count: columns travel as lists and are zipped back by unnest."""
    lists = [list(col) for col in zip(*rows, strict=True)]
    unnests = ", ".join(f"unnest(?) AS {c}" for c in columns)
    return [(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {unnests}", lists)]


DIALECT = Dialect(
    name="duckdb",
    title="DuckDB",
    macros=("duckdb", "default"),
    reads_from="local",
    dry_run="rehearse",
    connect=_connect,
    stager=_stager,
    where=_where,
    inserts=_inserts,
    rehearsal=_rehearsal,
)
