"""schema create: the staging tables, the star schema and its helper tables; safe to run twice."""

from __future__ import annotations

from sparkify_cli.settings import Settings
from sparkify_cli.sources.formats import EVENT_FIELDS, SONG_FIELDS
from sparkify_cli.warehouse import Warehouse, connect, dialect_of

STAGING_TABLES = ("staging_events", "staging_songs", "rejects", "load_batch", "staged_files")
STAR_TABLES = ("songplays", "users", "songs", "artists", "time")
HELPER_TABLES = ("user_latest", "songplay_sources", "runs", "run_files")
ALL_TABLES = STAGING_TABLES + STAR_TABLES + HELPER_TABLES
TEMPLATES = ("ddl/schema.sql", "ddl/staging.sql", "ddl/star.sql", "ddl/ledger.sql")


def create_statements(wh: Warehouse, *, drop: bool = False) -> list[str]:
    out = wh.render("ddl/drop.sql", tables=ALL_TABLES) if drop else []
    for template in TEMPLATES:
        out += wh.render(template, event_fields=EVENT_FIELDS, song_fields=SONG_FIELDS)
    return out


def create(wh: Warehouse, *, drop: bool = False) -> list[str]:
    """Create everything (dropping it first with `drop`), in one transaction. Returns the statements run."""
    statements = create_statements(wh, drop=drop)
    with wh.transaction():
        for statement in statements:
            wh.execute(statement)
    return statements


def exists(wh: Warehouse) -> bool:
    return all(wh.table_exists(t) for t in ALL_TABLES)


def setup(settings: Settings, *, drop: bool = False) -> str:
    """`sparkify schema create`: create (or with `drop`, recreate) everything; returns where."""
    with connect(settings) as wh:
        create(wh, drop=drop)
    return dialect_of(settings).where(settings)
