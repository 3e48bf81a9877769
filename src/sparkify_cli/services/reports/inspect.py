"""Read-only looks into the warehouse: ad-hoc queries and the rejects table; and `reading`, the one
way every read-only command opens the warehouse (or, with --dry-run, plans what it would send)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sparkify_cli import sql as templates
from sparkify_cli.errors import ConfigError
from sparkify_cli.settings import Settings
from sparkify_cli.warehouse import Warehouse, connect
from sparkify_cli.warehouse.base import Row

if TYPE_CHECKING:
    from sparkify_cli.services.pipeline.dry_run import DryRun

Result = tuple[list[str], list[Row]]


def open_existing(settings: Settings, *, current: bool = True) -> Warehouse:
    """Open for reading; a missing warehouse (no DuckDB file) is an error, not a new empty one, and
    (with `current`) a schema of an older sparkify says how to upgrade it."""
    from sparkify_cli.services.pipeline.schema import require_current

    wh = connect(settings, read_only=True, must_exist=True)
    try:
        if current:
            require_current(wh)
    except BaseException:
        wh.close()
        raise
    return wh


@contextmanager
def reading(settings: Settings, command: str, dry_run: DryRun | None = None) -> Iterator[Warehouse]:
    """The warehouse a read-only command reads (open_existing). With `dry_run`, a DryRunWarehouse
    instead: the command runs its own code on it and `dry_run.script` gets what it would send."""
    if dry_run is None:
        with open_existing(settings) as wh:
            yield wh
        return
    from sparkify_cli.services.pipeline.dry_run import dry_run_reading
    from sparkify_cli.services.pipeline.schema import require_current

    with dry_run_reading(settings, command, dry_run) as planned:
        require_current(planned)
        yield planned


# What may hold a ';' that does not end a statement: quoted text and identifiers, comments, and
# PostgreSQL's and DuckDB's dollar-quoted strings.
_QUOTED_OR_COMMENT = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\$([A-Za-z_][A-Za-z_0-9]*|)\$.*?\$\1\$", re.DOTALL
)


def count_statements(sql: str) -> int:
    """How many statements `sql` holds: the parts between semicolons outside quotes and comments
    that hold more than whitespace (a final `;` ends the one statement, it adds none)."""
    bare = _QUOTED_OR_COMMENT.sub(lambda m: " " if m[0].startswith(("--", "/*")) else "x", sql)
    return sum(1 for part in bare.split(";") if part.strip())


def run_query(settings: Settings, sql: str) -> Result:
    """One statement, and its result. Any version's tables can be queried: an ad-hoc look needs no
    upgrade. The connection is read-only (on DuckDB also locked down: no files, network, extensions
    or settings). Several statements are refused before the warehouse is opened: only one result
    could be printed, and the others would be lost without a word."""
    found = count_statements(sql)
    if not found:
        raise ConfigError("the query is empty", hint='e.g. sparkify query "SELECT count(*) FROM songs.songplays"')
    if found > 1:
        raise ConfigError(
            f"the query holds {found} statements; sparkify query runs one and prints its result",
            hint="run each with its own `sparkify query`; name tables with their schema (songs.songplays)",
        )
    with open_existing(settings, current=False) as wh:
        return wh.query(sql)


def list_rejects(settings: Settings, limit: int, *, dry_run: DryRun | None = None) -> Result:
    """`sparkify rejects`: the newest `limit` rejected lines (checked before the warehouse is opened)."""
    templates.limit(limit)
    with reading(settings, f"rejects --limit {limit}", dry_run) as wh:
        return rejects(wh, limit)


def rejects(wh: Warehouse, limit: int) -> Result:
    if not wh.table_exists("rejects"):
        return ["source_file", "line_no", "col", "reason", "raw_line", "rejected_at"], []
    return wh.query(
        f"SELECT source_file, line_no, col, reason, raw_line, rejected_at FROM {wh.schema}.rejects "
        f"ORDER BY rejected_at DESC, source_file, line_no {templates.limit(limit)}"
    )
