"""--dry-run: the exact SQL `schema create`, `stage`, `load` or `check` would run, changing nothing.

The real service runs against a DryRunWarehouse, so the script is the services' own SQL, not a
re-telling of it. DuckDB: the step is rehearsed on a scratch copy of the warehouse file (staging
decides per file how to read it, so only a rehearsal knows its exact statements). Redshift: nothing
is sent; reads go to `reader` when the caller has a connection, else they see empty tables, and a
load assumes the days' log files (every log file in the source without a date) are staged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sparkify_cli.dates import Days
from sparkify_cli.errors import ConfigError
from sparkify_cli.settings import Settings
from sparkify_cli.sources import LocalSource
from sparkify_cli.warehouse import Warehouse
from sparkify_cli.warehouse.dryrun import DryRunWarehouse

STEPS = ("schema", "stage", "load", "check")


def dry_run_sql(
    settings: Settings,
    step: str,
    *,
    days: Days | None = None,
    source: Any = None,
    drop: bool = False,
    songs: bool | None = None,
    strict: bool = False,
    day: date | None = None,
    checks_file: Path | None = None,
    no_sign_request: bool = False,
    reader: Warehouse | None = None,
) -> str:
    """The SQL script of one step (see STEPS) on settings.warehouse. `source` defaults to
    settings.source; `reader` is an open Redshift connection used for reads only."""
    if step not in STEPS:
        raise ConfigError(f"--dry-run knows the steps {', '.join(STEPS)}, not {step!r}")
    days = days or Days(None)
    with dry_run_warehouse(settings, lock=step != "schema", reader=reader) as wh:
        where = f"{settings.warehouse} (schema {settings.schema})"
        wh.note(f"sparkify --dry-run: {_title(step, days, drop)} on {where}; nothing was changed.")
        if wh.shadow is not None:
            wh.note(f"Rehearsed on a scratch copy of {settings.duckdb_path}.")
        wh.note("")
        from sparkify_cli.services import schema

        if step == "schema":
            schema.create(wh, drop=drop)
        elif step != "check" and not schema.exists(wh):
            schema.create(wh)  # as the real command does on first use
        elif step == "stage":
            from sparkify_cli.services import pipeline
            from sparkify_cli.services.matching import MatchRule

            # The same code path as the real command, ledger statements included.
            src = source or _stage_source(settings, days, no_sign_request)
            pipeline.execute(
                wh,
                src,
                days,
                command="stage",
                do_stage=True,
                do_load=False,
                max_errors=settings.max_errors,
                songs=songs,
                strict=strict,
                match=MatchRule.from_settings(settings),
            )
        elif step == "load":
            from sparkify_cli.services import pipeline
            from sparkify_cli.services.matching import MatchRule

            src = source or LocalSource(Path(settings.source), settings.log_key_template)  # keys only
            if wh.shadow is None and reader is None:
                _assume_staged(wh, settings, days, src, no_sign_request)
            pipeline.execute(
                wh,
                None if days.everything else src,
                days,
                command="load",
                do_stage=False,
                do_load=True,
                match=MatchRule.from_settings(settings),
            )
        else:
            from sparkify_cli.services.check import run_checks

            run_checks(wh, settings, day=day, checks_file=checks_file)
        return wh.script()


@contextmanager
def dry_run_warehouse(
    settings: Settings, *, lock: bool = True, reader: Warehouse | None = None
) -> Iterator[DryRunWarehouse]:
    secrets = [os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_SESSION_TOKEN", "")]
    if settings.redshift_password is not None:
        secrets.append(settings.redshift_password.get_secret_value())
    if settings.warehouse == "redshift":
        from sparkify_cli.services.schema import ALL_TABLES
        from sparkify_cli.warehouse.redshift import lock_statement

        opening = lock_statement(settings.schema, ALL_TABLES) if lock else None
        yield DryRunWarehouse(  # nothing to close: a reader belongs to the caller
            "redshift", settings.schema, reader=reader, lock=opening, secrets=secrets, settings=settings
        )
        return
    from sparkify_cli.warehouse.duckdb import DuckDBWarehouse

    with tempfile.TemporaryDirectory(prefix="sparkify-dry-run-") as scratch:
        copy = Path(scratch) / "rehearsal.duckdb"
        original = settings.duckdb_path.expanduser()
        if str(settings.duckdb_path) != ":memory:" and original.is_file():
            shutil.copyfile(original, copy)
            wal = original.with_name(original.name + ".wal")
            if wal.is_file():
                shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        shadow = DuckDBWarehouse(
            copy,
            settings.schema,
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            temp_dir=Path(scratch),
        )
        wh = DryRunWarehouse("duckdb", settings.schema, shadow=shadow, secrets=secrets, settings=settings)
        try:
            yield wh
        finally:
            shadow.close()


def _title(step: str, days: Days, drop: bool) -> str:
    if step == "schema":
        return "schema create" + (" --drop" if drop else "")
    return step if step == "check" else f"{step} {days.describe()}"


def _stage_source(settings: Settings, days: Days, no_sign_request: bool) -> Any:
    from sparkify_cli.s3sync import source_for

    return source_for(settings, settings.source, days, no_sign_request=no_sign_request)


def _assume_staged(wh: DryRunWarehouse, settings: Settings, days: Days, source: Any, no_sign_request: bool) -> None:
    """Without a connection, a load plans as if the days' log files were staged."""
    if days.everything:
        from sparkify_cli.s3source import S3Source, is_s3

        if is_s3(settings.source):
            files = S3Source.open(settings, settings.source, no_sign_request=no_sign_request).log_files(None)[0]
        else:
            files = LocalSource.open(settings.source, settings.log_key_template).log_files(None)[0]
        keys = [f.key for f in files]
    else:
        keys = [source.log_key(d) for d in days.days or ()]
    wh.note(f"Not connected: assuming {len(keys)} log file(s) of {settings.source} are staged.")
    wh.note("")
    rows = [(key,) for key in sorted(keys)]

    def answer(statement: str, params: Any) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        if "staged_files" in statement and "'event'" in statement:
            return ["source_file"], rows
        return None

    wh.answer = answer
