"""Pipeline commands: schema create, stage, load, run, query."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sparkify_cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import app, settings

if TYPE_CHECKING:
    from sparkify_cli.dates import Days
    from sparkify_cli.services.load import LoadResult
    from sparkify_cli.services.stage import StageResult
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import LocalSource

schema_app = typer.Typer(help="Create the warehouse tables.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


def open_source(s: Settings) -> LocalSource:
    from sparkify_cli.sources import LocalSource

    return LocalSource.open(s.source, s.log_key_template)


@schema_app.command("create")
def schema_create(
    ctx: typer.Context,
    drop: Annotated[bool, typer.Option("--drop", help="Drop every sparkify table first (loses all data).")] = False,
    warehouse: opt.Warehouse = None,
) -> None:
    """Create the staging tables, the star schema and its helper tables; safe to run twice.

    Example: sparkify schema create
    """
    from sparkify_cli.services import schema
    from sparkify_cli.warehouse import connect

    s = settings(ctx, warehouse=warehouse)
    with connect(s) as wh:
        schema.create(wh, drop=drop)
    console.info(f"schema {s.schema} ready on {_where(s)}")


@app.command()
def stage(
    ctx: typer.Context,
    date: opt.Date = None,
    start: opt.Start = None,
    end: opt.End = None,
    source: opt.Source = None,
    warehouse: opt.Warehouse = None,
    max_errors: opt.MaxErrors = None,
    songs: opt.Songs = None,
    strict: opt.Strict = False,
) -> None:
    """Stage source JSON into typed staging tables (without a date: every file).

    Bad lines go to the rejects table; more than --max-errors of them fail the step and leave
    staging as it was.

    Example: sparkify stage --date 2018-11-05 --source ./data
    """
    from sparkify_cli.dates import select_days

    s = settings(ctx, source=source, warehouse=warehouse, max_errors=max_errors)
    days = select_days(date, start, end)
    with _warehouse(s) as wh, console.progress_bar() as progress:
        result = _stage(wh, s, days, songs=songs, strict=strict, on_progress=progress)
    _print_stage(result)


@app.command()
def load(
    ctx: typer.Context,
    date: opt.Date = None,
    start: opt.Start = None,
    end: opt.End = None,
    source: opt.Source = None,
    warehouse: opt.Warehouse = None,
) -> None:
    """Load staged data into the star schema (without a date: everything staged).

    Loading a day again replaces what it loaded before; each load is one transaction.

    Example: sparkify load --date 2018-11-05
    """
    from sparkify_cli.dates import select_days
    from sparkify_cli.services import load as load_service

    s = settings(ctx, source=source, warehouse=warehouse)
    days = select_days(date, start, end)
    with _warehouse(s) as wh, console.progress_bar() as progress:
        src = None if days.everything else open_source(s)
        result = load_service.load(wh, src, days, on_progress=progress)
    _print_rows(result)


@app.command()
def run(
    ctx: typer.Context,
    date: opt.Date = None,
    start: opt.Start = None,
    end: opt.End = None,
    source: opt.Source = None,
    warehouse: opt.Warehouse = None,
    max_errors: opt.MaxErrors = None,
    songs: opt.Songs = None,
    strict: opt.Strict = False,
) -> None:
    """The whole pipeline: schema (if missing), stage, load, check; rows per table at the end.

    Exit code 1 when a data-quality check fails.

    Example: sparkify run --source ../shared/data/sparkify
    Example (cron): sparkify run --date yesterday
    """
    from sparkify_cli.dates import select_days

    s = settings(ctx, source=source, warehouse=warehouse, max_errors=max_errors)
    run_pipeline(s, select_days(date, start, end), songs=songs, strict=strict)


def run_pipeline(s: Settings, days: Days, *, songs: bool | None = None, strict: bool = False) -> None:
    """schema (if missing) -> stage -> load -> check, printing progress and a summary."""
    from sparkify_cli.services import load as load_service

    with _warehouse(s) as wh:
        with console.progress_bar() as progress:
            staged = _stage(wh, s, days, songs=songs, strict=strict, on_progress=progress)
            src = None if days.everything else open_source(s)
            loaded = load_service.load(wh, src, days, on_progress=progress)
        _print_stage(staged)
        _print_rows(loaded)
        _check(wh, s, days)


def _check(wh: object, s: Settings, days: object) -> None:
    try:
        from sparkify_cli.services.check import run_checks
    except ImportError:  # checks arrive with their own module
        return
    from sparkify_cli.errors import ChecksFailed

    day = days.days[0] if days.days and len(days.days) == 1 else None  # type: ignore[attr-defined]
    report = run_checks(wh, s, day=day)  # type: ignore[arg-type]
    failed = [r for r in report.results if r.status in ("fail", "error")]
    warned = [r for r in report.results if r.status == "warn"]
    console.info(
        f"checks: {len(report.results) - len(failed) - len(warned)} passed, {len(warned)} warned, {len(failed)} failed"
    )
    for r in failed + warned:
        console.info(f"  {r.status}: {r.name} ({r.failing_rows} row(s)) {r.description}")
    if not report.ok:
        raise ChecksFailed("data-quality checks failed", hint="see `sparkify check` for details")


def _stage(wh: object, s: Settings, days: object, **kwargs: object) -> StageResult:
    from sparkify_cli.services import stage as stage_service

    result = stage_service.stage(wh, open_source(s), days, max_errors=s.max_errors, **kwargs)  # type: ignore[arg-type]
    for day in result.missing_days:
        console.warn(f"no log file for {day.isoformat()}")
    return result


def _warehouse(s: Settings):  # type: ignore[no-untyped-def]
    from sparkify_cli.services import schema
    from sparkify_cli.warehouse import connect

    wh = connect(s)
    if not schema.exists(wh):
        schema.create(wh)
    return wh


def _where(s: Settings) -> str:
    return str(Path(s.duckdb_path).resolve()) if s.warehouse == "duckdb" else f"Redshift {s.cluster_identifier}"


def _print_stage(result: StageResult) -> None:
    songs = (
        "catalog unchanged"
        if result.songs_skipped
        else f"{result.songs.staged} song records from {result.songs.files} files"
    )
    console.info(
        f"staged {result.events.staged} events from {result.events.files} log files ({result.days.describe()}); {songs}"
        + (
            f"; {result.events.rejected + result.songs.rejected} line(s) rejected"
            if result.events.rejected + result.songs.rejected
            else ""
        )
    )


def _print_rows(result: LoadResult) -> None:
    from rich.table import Table

    table = Table("table", "rows", title=f"loaded {len(result.files)} log file(s)")
    for name, count in result.rows.items():
        table.add_row(name, f"{count:,}")
    console.out().print(table)
