"""One harness per registered warehouse, so the conformance suite runs the same tests on each.

A harness that `executes` gives each test fresh, empty warehouses (as settings for the CLI), reads
them back and copies one to another. One that only plans (Redshift, which no test here can reach)
is checked through its --dry-run SQL instead: tests/warehouse/ and tests/conformance/test_sql.py.
A new warehouse adds its harness to HARNESSES.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli.warehouse import DIALECTS
from support.cli import invoke

Env = dict[str, str]

STAR = ("songplays", "users", "songs", "artists", "time")
DATA_TABLES = (*STAR, "staging_events", "staging_songs", "user_file_latest", "songplay_sources", "rejects")

# A PostgreSQL server the tests may create databases on (.ci/run starts one and sets both). Read at
# import: the tests' `isolated` fixture clears SPARKIFY_* variables before each test.
POSTGRES_DSN = os.environ.get("SPARKIFY_TEST_POSTGRES_DSN", "")
# In CI a missing server fails the PostgreSQL tests instead of skipping them.
POSTGRES_REQUIRED = os.environ.get("SPARKIFY_TEST_POSTGRES_REQUIRED", "") == "1"
# The server offers TLS (.ci/run gives it a self-signed certificate where openssl is installed).
POSTGRES_TLS = os.environ.get("SPARKIFY_TEST_POSTGRES_TLS", "") == "1"


@dataclass
class Harness:
    name: str
    executes: bool
    folder: Path = field(default_factory=Path)
    connection_class: type | None = None  # what tests/support/faults.py wraps
    required: bool = False  # unavailable is a failure (CI), not a skip

    def unavailable(self) -> str | None:
        """Why the warehouse cannot run here (e.g. no server); its tests skip with this."""
        return None

    def env(self, label: str = "main") -> Env:
        """The settings of a fresh, empty warehouse named `label` (the same label, the same one)."""
        raise NotImplementedError(self.name)

    def copy(self, source: Env, target: Env) -> None:
        """Make `target` hold exactly what `source` holds."""
        raise NotImplementedError(self.name)

    def read(self, env: Env, statements: dict[str, str]) -> dict[str, list[Any]] | None:
        """Each statement's rows; None when the warehouse (or its schema) is not there yet.
        Through `sparkify query`, as a user would (a harness may read its engine directly)."""
        found = {}
        for key, statement in statements.items():
            rows = invoke("query", statement, "--format", "json", env=env)
            if rows.exit_code != 0:
                return None
            found[key] = [tuple(r.values()) for r in rows.json()["rows"]]
        return found

    def close(self) -> None:
        """Remove what the harness made outside its folder (server databases)."""

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


@dataclass
class DuckDBHarness(Harness):
    """A file per warehouse in the test's folder; read directly (fast enough for a snapshot per
    statement of a run)."""

    def env(self, label: str = "main") -> Env:
        return {"SPARKIFY_WAREHOUSE": "duckdb", "SPARKIFY_DUCKDB_PATH": str(self.folder / f"{label}.duckdb")}

    def copy(self, source: Env, target: Env) -> None:
        shutil.copyfile(source["SPARKIFY_DUCKDB_PATH"], target["SPARKIFY_DUCKDB_PATH"])

    def read(self, env: Env, statements: dict[str, str]) -> dict[str, list[Any]] | None:
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


@dataclass
class PostgresHarness(Harness):
    """A database per warehouse on the server of SPARKIFY_TEST_POSTGRES_DSN, named for the test
    (parallel tests never see each other's); dropped when the test ends."""

    prefix: str = field(default_factory=lambda: f"sparkify_test_{uuid.uuid4().hex[:10]}")
    made: list[str] = field(default_factory=list)

    def unavailable(self) -> str | None:
        return postgres_unavailable()

    def database(self, label: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
        name = f"{self.prefix}_{slug}"
        return name if len(name) <= 63 else f"{self.prefix}_{hashlib.sha1(slug.encode()).hexdigest()[:16]}"

    def dsn(self, database: str) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(POSTGRES_DSN, dbname=database)

    def env(self, label: str = "main") -> Env:
        name = self.database(label)
        if name not in self.made:
            with admin() as con:
                con.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")
            self.made.append(name)
        return {"SPARKIFY_WAREHOUSE": "postgres", "SPARKIFY_POSTGRES_DSN": self.dsn(name)}

    def copy(self, source: Env, target: Env) -> None:
        from psycopg.conninfo import conninfo_to_dict

        source_db = conninfo_to_dict(source["SPARKIFY_POSTGRES_DSN"])["dbname"]
        target_db = conninfo_to_dict(target["SPARKIFY_POSTGRES_DSN"])["dbname"]
        with admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')
            # a killed run's session may linger a moment: a template must have no sessions
            con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [source_db])
            con.execute(f'CREATE DATABASE "{target_db}" TEMPLATE "{source_db}"')

    def read(self, env: Env, statements: dict[str, str]) -> dict[str, list[Any]] | None:
        import psycopg

        with psycopg.connect(env["SPARKIFY_POSTGRES_DSN"], autocommit=True) as con:
            present = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'songs'"
            ).fetchone()
            if not present or not present[0]:
                return None
            return {k: con.execute(q).fetchall() for k, q in statements.items()}  # type: ignore[arg-type]

    def close(self) -> None:
        if not self.made:
            return
        with admin() as con:
            for name in self.made:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


def admin() -> Any:
    """A connection to the test server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg

    return psycopg.connect(POSTGRES_DSN, autocommit=True, connect_timeout=10)


@cache
def postgres_unavailable() -> str | None:
    if not POSTGRES_DSN:
        return "no server (set SPARKIFY_TEST_POSTGRES_DSN, as .ci/run does)"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with admin():
            return None
    except psycopg.Error as exc:
        return f"cannot reach the server of SPARKIFY_TEST_POSTGRES_DSN: {str(exc).strip().splitlines()[0]}"


def _duckdb_class() -> type:
    from sparkify_cli.warehouse.duckdb.connection import DuckDBWarehouse

    return DuckDBWarehouse


def _postgres_class() -> type | None:
    try:
        from sparkify_cli.warehouse.postgres.connection import PostgresWarehouse
    except ImportError:  # no psycopg: postgres_unavailable() says so
        return None
    return PostgresWarehouse


HARNESSES: dict[str, Callable[[Path], Harness]] = {
    "duckdb": lambda folder: DuckDBHarness("duckdb", True, folder, connection_class=_duckdb_class()),
    "redshift": lambda folder: Harness("redshift", False, folder),
    "postgres": lambda folder: PostgresHarness(
        "postgres", True, folder, connection_class=_postgres_class(), required=POSTGRES_REQUIRED
    ),
}

EXECUTING = [name for name in DIALECTS if HARNESSES[name](Path()).executes]
PLANNING = [name for name in DIALECTS if not HARNESSES[name](Path()).executes]


def open_harness(name: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    """The harness, with its "main" warehouse as the one plain `invoke()` calls reach. A warehouse
    that cannot run here skips its tests, or fails them where it is required (CI)."""
    harness = HARNESSES[name](folder)
    reason = harness.unavailable()
    if reason:
        if harness.required:
            pytest.fail(f"{name}: {reason} (required here: SPARKIFY_TEST_POSTGRES_REQUIRED=1)")
        pytest.skip(f"{name}: {reason}")
    for key, value in harness.env().items():
        monkeypatch.setenv(key, value)
    return harness
