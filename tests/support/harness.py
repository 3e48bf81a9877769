"""One harness per registered warehouse, so the conformance suite runs the same tests on each.

A harness that `executes` gives each test fresh, empty warehouses (as settings for the CLI), reads
them back through `sparkify query` and copies one to another. One that only plans (Redshift, which
no test here can reach) is checked through its --dry-run SQL instead: tests/warehouse/ and
tests/conformance/test_sql.py. A new warehouse adds its harness to HARNESSES.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli.warehouse import DIALECTS
from support.cli import invoke

Env = dict[str, str]

STAR = ("songplays", "users", "songs", "artists", "time")
DATA_TABLES = (*STAR, "staging_events", "staging_songs", "user_file_latest", "songplay_sources", "rejects")


@dataclass
class Harness:
    name: str
    executes: bool
    folder: Path = field(default_factory=Path)
    # Why a warehouse cannot run here, when it cannot (e.g. no server): its tests skip with this.
    unavailable: Callable[[], str | None] = lambda: None
    connection_class: type | None = None  # what tests/support/faults.py wraps

    def env(self, label: str = "main") -> Env:
        """The settings of a fresh, empty warehouse named `label` (the same label, the same one)."""
        if self.name == "duckdb":
            return {"SPARKIFY_WAREHOUSE": "duckdb", "SPARKIFY_DUCKDB_PATH": str(self.folder / f"{label}.duckdb")}
        raise NotImplementedError(self.name)

    def copy(self, source: Env, target: Env) -> None:
        """Make `target` hold exactly what `source` holds."""
        if self.name == "duckdb":
            shutil.copyfile(source["SPARKIFY_DUCKDB_PATH"], target["SPARKIFY_DUCKDB_PATH"])
            return
        raise NotImplementedError(self.name)

    def read(self, env: Env, statements: dict[str, str]) -> dict[str, list[Any]] | None:
        """Each statement's rows; None when the warehouse (or its schema) is not there yet.
        DuckDB is read directly (fast enough for a snapshot per statement of a run); the others
        through `sparkify query`, as a user would."""
        if self.name == "duckdb":
            import duckdb

            path = Path(env["SPARKIFY_DUCKDB_PATH"])
            if not path.exists():
                return None
            con = duckdb.connect(str(path), read_only=True)
            try:
                if not con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'songs'"
                ).fetchone()[0]:  # type: ignore[index]
                    return None
                return {k: con.execute(q).fetchall() for k, q in statements.items()}
            finally:
                con.close()
        found = {}
        for key, statement in statements.items():
            rows = invoke("query", statement, "--format", "json", env=env)
            if rows.exit_code != 0:
                return None
            found[key] = [tuple(r.values()) for r in rows.json()]
        return found

    def snapshot(self, env: Env, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, list[Any]]:
        """Every row of every data table, sorted (the ledger is left out: it rightly records failed
        runs); {} when the warehouse has no tables yet."""
        statements = {t: f'SELECT * FROM songs."{t}"' for t in tables}
        if tables == DATA_TABLES:
            statements["staged"] = "SELECT source_file, kind, rows_staged, rows_rejected FROM songs.staged_files"
        found = self.read(env, statements)
        return {k: sorted(rows, key=repr) for k, rows in (found or {}).items()}

    def star(self, env: Env) -> dict[str, list[Any]]:
        return self.snapshot(env, STAR)


def _duckdb_class() -> type:
    from sparkify_cli.warehouse.duckdb.connection import DuckDBWarehouse

    return DuckDBWarehouse


HARNESSES: dict[str, Callable[[Path], Harness]] = {
    "duckdb": lambda folder: Harness("duckdb", True, folder, connection_class=_duckdb_class()),
    "redshift": lambda folder: Harness("redshift", False, folder),
}

EXECUTING = [name for name in DIALECTS if HARNESSES[name](Path()).executes]
PLANNING = [name for name in DIALECTS if not HARNESSES[name](Path()).executes]


def open_harness(name: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    """The harness, with its "main" warehouse as the one plain `invoke()` calls reach."""
    harness = HARNESSES[name](folder)
    reason = harness.unavailable()
    if reason:
        pytest.skip(f"{name}: {reason}")
    for key, value in harness.env().items():
        monkeypatch.setenv(key, value)
    return harness
