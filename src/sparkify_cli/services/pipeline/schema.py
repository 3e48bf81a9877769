"""schema create: the staging tables, the star schema and its helper tables, versioned.

A schema made by an earlier sparkify is upgraded in one transaction by the ordered migrations in
sql/ddl/migrate/, then its star tables are derived again from staging (a full load of the files it
had loaded: the invariant every load keeps). A schema from a newer sparkify, or one holding tables
of another program under sparkify's names, is refused and nothing changes.

Versions: 1 — sparkify up to b873a22 (no ledger, no staged_files.loaded_at); 2 — the run ledger,
loaded_at, user_latest and a two-column songplay_sources, rejects.raw; 3 — sparkify_schema,
user_file_latest, songplay_sources with each play's row, rejects.raw_line; 4 — this version: the
ledger's runs.source (an upgrade from 3 adds the column and derives nothing again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sparkify_cli.errors import ConfigError, WarehouseError
from sparkify_cli.services.pipeline.load import load_files
from sparkify_cli.services.pipeline.matching import EXACT, MatchRule
from sparkify_cli.services.pipeline.tables import ALL_TABLES, RETIRED_TABLES, STAR_TABLES
from sparkify_cli.settings import Settings
from sparkify_cli.sources.formats import EVENT_FIELDS, SONG_FIELDS
from sparkify_cli.warehouse import Warehouse, connect, dialect_of

VERSION = 4
__all__ = [
    "ALL_TABLES",
    "STAR_TABLES",
    "VERSION",
    "DropPreview",
    "create",
    "drop_preview",
    "exists",
    "require_current",
    "setup",
]
TEMPLATES = ("ddl/schema.sql", "ddl/staging.sql", "ddl/star.sql", "ddl/ledger.sql", "ddl/version.sql")
MIGRATIONS = {  # from version -> template
    1: "ddl/migrate/v1_to_v2.sql",
    2: "ddl/migrate/v2_to_v3.sql",
    3: "ddl/migrate/v3_to_v4.sql",
}
DERIVED_SINCE = 3  # the version whose helper tables the star tables are derived from: older ones derive again
UPGRADE_HINT = "run `sparkify schema create` to upgrade it"


def create_statements(wh: Warehouse, *, drop: bool = False) -> list[str]:
    out = wh.render("ddl/drop.sql", tables=ALL_TABLES + RETIRED_TABLES) if drop else []
    for template in TEMPLATES:
        out += wh.render(template, event_fields=EVENT_FIELDS, song_fields=SONG_FIELDS)
    return out


def version(wh: Warehouse) -> int | None:
    """The schema's version; None when it holds no sparkify table yet (a planning dry run without a
    connection sees the current version: it assumes `schema create` ran)."""
    if wh.table_exists("sparkify_schema"):
        found = wh.peek(f"SELECT max(version) FROM {wh.schema}.sparkify_schema")
        return VERSION if found is None or found[0][0] is None else int(found[0][0])
    present = [t for t in ALL_TABLES + RETIRED_TABLES if wh.table_exists(t)]
    if not present:
        return None
    if not {"staged_files", "staging_events", "songplays"} <= set(present):
        raise ConfigError(
            f"schema {wh.schema} holds tables sparkify did not make ({', '.join(present)})",
            hint="set SPARKIFY_SCHEMA to a schema of sparkify's own; nothing was changed",
        )
    columns = wh.peek(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [wh.schema, "staged_files"],
    )
    return 2 if columns is not None and "loaded_at" in {str(r[0]).lower() for r in columns} else 1


def create(wh: Warehouse, *, drop: bool = False, match: MatchRule = EXACT) -> list[str]:
    """Create everything (dropping it first with `drop`), or upgrade an older schema, in one
    transaction. Returns the statements of the tables' definitions."""
    statements = create_statements(wh, drop=drop)
    found = None if drop else version(wh)
    if found is not None and found > VERSION:
        raise WarehouseError(
            f"schema {wh.schema} was made by a newer sparkify (schema version {found}; this one knows {VERSION})",
            hint="upgrade sparkify (pip install -U sparkify-cli); nothing was changed",
        )
    with wh.transaction():
        # A migration changes tables its version has; one made later (the ledger, from version 2) is
        # created whole by ddl/ right after, so the migrations are told which exist.
        present = [t for t in ALL_TABLES if wh.table_exists(t)] if found is not None and found < VERSION else []
        for number in range(found or VERSION, VERSION):
            for statement in wh.render(
                MIGRATIONS[number], event_fields=EVENT_FIELDS, song_fields=SONG_FIELDS, present=present
            ):
                wh.execute(statement)
        for statement in statements:
            wh.execute(statement)
        if found != VERSION:
            wh.execute(f"DELETE FROM {wh.schema}.sparkify_schema")
            wh.execute(
                f"INSERT INTO {wh.schema}.sparkify_schema (version, applied_at) VALUES (?, ?)",
                [VERSION, datetime.now(UTC).replace(tzinfo=None)],
            )
        if found is not None and found < DERIVED_SINCE:
            _derive_again(wh, match)
    return statements


def _derive_again(wh: Warehouse, match: MatchRule) -> None:
    """After an upgrade: the star tables as a full load of the loaded files makes them."""
    for table in ("songplays", "time", "users", "songplay_sources", "user_file_latest"):
        wh.execute(f'DELETE FROM {wh.schema}."{table}"')
    _, rows = wh.query(
        f"SELECT source_file FROM {wh.schema}.staged_files WHERE kind = 'event' AND loaded_at IS NOT NULL "
        "ORDER BY source_file"
    )
    load_files(wh, [r[0] for r in rows], match=match, catalog=True)


def exists(wh: Warehouse) -> bool:
    """Every table is there, at this version."""
    return all(wh.table_exists(t) for t in ALL_TABLES) and version(wh) == VERSION


def require_current(wh: Warehouse) -> None:
    """For commands that only read: an older schema is a one-line error naming the fix. A schema
    missing sparkify's tables is left to the reader, whose error names the missing tables."""
    try:
        found = version(wh)
    except ConfigError:
        return
    if found is not None and found != VERSION:
        raise WarehouseError(
            f"schema {wh.schema} is at version {found}, this sparkify needs {VERSION}", hint=UPGRADE_HINT
        )


@dataclass(frozen=True)
class DropPreview:
    """What `schema create --drop` would delete: sparkify's tables in the schema, and the rows of
    each star table among them."""

    where: str
    schema: str
    tables: tuple[str, ...]
    rows: dict[str, int]


def drop_preview(settings: Settings) -> DropPreview:
    """Read what dropping would lose: one listing of the schema's tables and a count(*) per star
    table. A warehouse without sparkify's tables has nothing to lose. It connects the way `setup`
    does (a DuckDB file not there yet is created empty, as setup would) and closes before anyone is
    asked, so a question left open holds no lock."""
    with connect(settings) as wh:
        _, listed = wh.query("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [wh.schema])
        present = {str(r[0]) for r in listed}
        tables = tuple(t for t in ALL_TABLES + RETIRED_TABLES if t in present)
        rows = {t: int(wh.scalar(f'SELECT count(*) FROM {wh.schema}."{t}"')) for t in STAR_TABLES if t in present}
    return DropPreview(dialect_of(settings).where(settings), settings.schema, tables, rows)


def setup(settings: Settings, *, drop: bool = False) -> str:
    """`sparkify schema create`: create (or with `drop`, recreate, or upgrade) everything; returns where."""
    with connect(settings) as wh:
        create(wh, drop=drop, match=MatchRule.from_settings(settings))
    return dialect_of(settings).where(settings)
