"""--dry-run: the exact SQL a command would send, changing nothing: `schema create`, `stage`, `load`
and `check` (dry_run_sql), and the commands that only read -- `report`, `report matches`, `runs`,
`status`, `rejects` -- through a DryRun handed to their service (dry_run_reading).

The real service runs against a DryRunWarehouse, so the script is the services' own SQL, not a
re-telling of it. A warehouse whose dialect rehearses (DuckDB) runs the step on a scratch copy of
itself (staging decides per file how to read it, so only a rehearsal knows its exact statements);
a command that only reads runs on the warehouse itself, opened read-only. One that plans (Redshift,
PostgreSQL) is sent nothing: reads go to `reader` when the caller has a connection, else they see
empty tables, and a load assumes the days' log files (every log file in the source without a date)
are staged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sparkify_cli.days import Days
from sparkify_cli.documents import count
from sparkify_cli.errors import ConfigError
from sparkify_cli.services.pipeline import schema
from sparkify_cli.services.pipeline.matching import MatchRule
from sparkify_cli.services.pipeline.request import RunRequest
from sparkify_cli.settings import Settings
from sparkify_cli.sources import LogLayout, open_source
from sparkify_cli.warehouse import Warehouse, connect, dialect_of
from sparkify_cli.warehouse.base import Params
from sparkify_cli.warehouse.dryrun import DryRunWarehouse, Result

Step = Literal["schema", "stage", "load", "check"]
STEPS: tuple[Step, ...] = ("schema", "stage", "load", "check")


def dry_run_sql(
    settings: Settings,
    step: Step,
    *,
    days: Days | None = None,
    drop: bool = False,
    songs: bool | None = None,
    strict: bool = False,
    day: date | None = None,
    checks_file: Path | None = None,
    no_sign_request: bool = False,
    reader: Warehouse | None = None,
) -> str:
    """The SQL script of one step on the configured warehouse; `reader` is an open connection used
    for reads only (planning dialects)."""
    if step not in STEPS:
        raise ConfigError(f"--dry-run knows the steps {', '.join(STEPS)}, not {step!r}")
    days = days or Days(None)
    with dry_run_warehouse(settings, lock=step != "schema", reader=reader) as wh:
        where = f"{settings.warehouse} (schema {settings.schema})"
        wh.note(f"sparkify --dry-run: {_title(step, days, drop)} on {where}; nothing was changed.")
        if wh.shadow is not None:
            wh.note(f"Rehearsed on a scratch copy of {settings.duckdb_path}.")
        wh.note("")
        from sparkify_cli.services.pipeline.run import execute

        match = MatchRule.from_settings(settings)
        if step == "schema":
            wh.assume_schema = False  # without a connection: what a first `schema create` runs
            schema.create(wh, drop=drop, match=match)
        elif step != "check" and not schema.exists(wh):
            schema.create(wh, match=match)  # as the real command does on first use (or upgrades)
        if step == "stage":
            # The same code path as the real command, ledger statements included.
            request = RunRequest("stage", days, songs=songs, strict=strict, no_sign_request=no_sign_request)
            execute(wh, settings, request, open_source(settings, no_sign_request=no_sign_request))
        elif step == "load":
            if wh.shadow is None and reader is None:
                _assume_staged(wh, settings, days, no_sign_request)
            execute(wh, settings, RunRequest("load", days), None)
        elif step == "check":
            from sparkify_cli.services.checks.run import run_checks

            run_checks(wh, settings, day=day, checks_file=checks_file)
        return wh.script()


@dataclass
class DryRun:
    """A read-only command's --dry-run, handed to its service: the service opens the warehouse
    through dry_run_reading instead of connecting, runs its own code, and `script` holds what it
    would have sent. `reader`: an open connection that answers the reads (planning dialects)."""

    reader: Warehouse | None = None
    script: str = ""


@contextmanager
def dry_run_reading(settings: Settings, command: str, dry_run: DryRun) -> Iterator[DryRunWarehouse]:
    """The warehouse a read-only command reads, recording; the script lands in `dry_run.script`
    when the block ends without an error. A rehearsing dialect (DuckDB) reads the warehouse itself,
    opened read-only as the command opens it (nothing can change, so nothing is copied)."""
    dialect = dialect_of(settings)
    if dialect.dry_run == "rehearse":
        shadow = connect(settings, read_only=True, must_exist=True)
        wh = DryRunWarehouse(dialect, settings.schema, shadow=shadow, secrets=_secrets(settings))
    else:  # a reader belongs to the caller: closing the dry run leaves it open
        wh = DryRunWarehouse(dialect, settings.schema, reader=dry_run.reader, secrets=_secrets(settings))
    try:
        where = f"{settings.warehouse} (schema {settings.schema})"
        wh.note(f"sparkify --dry-run: {command} on {where}; nothing was changed.")
        if wh.shadow is not None:
            wh.note(f"Read from {dialect.where(settings)}, opened read-only.")
        elif dry_run.reader is None:
            wh.note("Not connected: every table reads as empty.")
        wh.note("Each statement runs in a read-only transaction of its own.")
        wh.note("")
        yield wh
        dry_run.script = wh.script()
    finally:
        if wh.shadow is not None:
            wh.close()


def _secrets(settings: Settings) -> list[str]:
    found = [os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_SESSION_TOKEN", "")]
    if settings.redshift_password is not None:
        found.append(settings.redshift_password.get_secret_value())
    return found


@contextmanager
def dry_run_warehouse(
    settings: Settings, *, lock: bool = True, reader: Warehouse | None = None
) -> Iterator[DryRunWarehouse]:
    dialect = dialect_of(settings)
    secrets = _secrets(settings)
    if dialect.dry_run == "plan" or dialect.rehearsal is None:
        opening = dialect.lock(settings.schema, schema.ALL_TABLES) if lock and dialect.lock else None
        # nothing to close: a reader belongs to the caller
        yield DryRunWarehouse(dialect, settings.schema, reader=reader, lock=opening, secrets=secrets)
        return
    with dialect.rehearsal(settings) as shadow:
        yield DryRunWarehouse(dialect, settings.schema, shadow=shadow, secrets=secrets)


def _title(step: str, days: Days, drop: bool) -> str:
    if step == "schema":
        return "schema create" + (" --drop" if drop else "")
    return step if step == "check" else f"{step} {days.describe()}"


def _assume_staged(wh: DryRunWarehouse, settings: Settings, days: Days, no_sign_request: bool) -> None:
    """Without a connection, a load plans as if the days' log files were staged."""
    if days.everything:
        files = open_source(settings, no_sign_request=no_sign_request).log_files(None)[0]
        keys = [f.key for f in files]
    else:
        layout = LogLayout(settings.log_key_template)
        keys = [layout.key(d) for d in days.days or ()]
    verb = "is" if len(keys) == 1 else "are"
    wh.note(f"Not connected: assuming {count(len(keys), 'log file')} of {settings.source} {verb} staged.")
    wh.note("")
    rows = [(key,) for key in sorted(keys)]

    def answer(statement: str, params: Params) -> Result | None:
        if "staged_files" in statement and "'event'" in statement:
            return ["source_file"], rows
        return None

    wh.answer = answer
