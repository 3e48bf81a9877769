"""Pipeline commands: schema create, stage, load, run. Each builds one request, calls one service
and renders its result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings

if TYPE_CHECKING:
    from datetime import date

    from sparkify_cli.services.checks.run import CheckReport
    from sparkify_cli.services.pipeline.dry_run import Step
    from sparkify_cli.services.pipeline.request import Command
    from sparkify_cli.services.pipeline.run import PipelineResult, RunOutcome
    from sparkify_cli.services.pipeline.schema import DropPreview
    from sparkify_cli.settings import Settings
    from sparkify_cli.warehouse.base import BatchResult

schema_app = typer.Typer(help="Create the warehouse tables.\n\nExample: sparkify schema create", no_args_is_help=True)


@schema_app.command("create")
def schema_create(
    ctx: typer.Context,
    drop: Annotated[
        bool, typer.Option("--drop", help="Drop every sparkify table first (loses all data; asks first).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --drop: do not ask for confirmation (cron, CI).")
    ] = False,
    warehouse: opt.Warehouse = None,
    dry_run: opt.DryRun = False,
) -> None:
    """Create the staging tables, the star schema and its helper tables; safe to run twice.

    --drop deletes every sparkify table and its rows first: it says how many rows would be lost and
    asks; without a terminal it needs --yes.

    Example: sparkify schema create
    Example: sparkify schema create --warehouse redshift --dry-run > schema.sql
    Example: sparkify schema create --drop --yes
    """
    from sparkify_cli.services.pipeline import schema

    s = settings(ctx, warehouse=warehouse)
    if dry_run:
        _print_sql(s, "schema", drop=drop)
        return
    if drop and not yes:
        _confirm_drop(schema.drop_preview(s))
    console.summary(f"schema {s.schema} ready on {schema.setup(s, drop=drop)}")


def _confirm_drop(found: DropPreview) -> None:
    """Name what --drop loses and ask; a warehouse without sparkify's tables loses nothing."""
    from sparkify_cli.cli.confirm import confirm

    if not found.tables:
        return
    plays = found.rows.get("songplays")
    console.info(f"--drop deletes {len(found.tables)} sparkify tables in schema {found.schema} on {found.where}:")
    for table, n in found.rows.items():
        console.info(f"  {table}: {n:,} row{'' if n == 1 else 's'}")
    others = len(found.tables) - len(found.rows)
    if others:
        console.info(f"  and {others} staging and helper tables (staged events and songs, rejects, run history)")
    confirm(
        "Drop them and everything in them?",
        yes=False,
        unasked=f"--drop would delete {len(found.tables)} tables"
        + (f" ({plays:,} plays)" if plays is not None else "")
        + f" on {found.where}",
        hint="pass --yes to drop them",
        cancelled="nothing was dropped",
    )


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
    fmt: opt.SummaryFormat = opt.Output.table,
    no_sign_request: opt.NoSignRequest = False,
    dry_run: opt.DryRun = False,
) -> None:
    """Stage source JSON into typed staging tables (without a date: every file).

    Bad lines go to the rejects table; more than --max-errors of them fail the step and leave
    staging as it was.

    Example: sparkify stage --date 2018-11-05 --source ./data
    Example: sparkify stage --source s3://udacity-dend --no-sign-request --date 2018-11-05
    """
    s = settings(ctx, source=source, warehouse=warehouse, max_errors=max_errors)
    if dry_run:
        _print_sql(s, "stage", date, start, end, songs=songs, strict=strict, no_sign_request=no_sign_request)
        return
    run_request(s, "stage", date, start, end, fmt, songs=songs, strict=strict, no_sign_request=no_sign_request)


def load(
    ctx: typer.Context,
    date: opt.Date = None,
    start: opt.Start = None,
    end: opt.End = None,
    source: opt.Source = None,
    warehouse: opt.Warehouse = None,
    fmt: opt.SummaryFormat = opt.Output.table,
    dry_run: opt.DryRun = False,
) -> None:
    """Load staged data into the star schema (without a date: everything staged).

    Loading a day again replaces what it loaded before; each day is one transaction.

    Example: sparkify load --date 2018-11-05
    """
    s = settings(ctx, source=source, warehouse=warehouse)
    if dry_run:
        _print_sql(s, "load", date, start, end)
        return
    run_request(s, "load", date, start, end, fmt)


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
    fmt: opt.SummaryFormat = opt.Output.table,
    no_sign_request: opt.NoSignRequest = False,
) -> None:
    """The whole pipeline: schema (if missing), stage, load, check; rows per table at the end.

    Each day of a range is staged and loaded in one transaction, in order. Exit code 1 when a
    data-quality check fails.

    Example: sparkify run --source ../shared/data/sparkify
    Example (cron): sparkify run --date yesterday
    """
    s = settings(ctx, source=source, warehouse=warehouse, max_errors=max_errors)
    run_request(s, "run", date, start, end, fmt, songs=songs, strict=strict, no_sign_request=no_sign_request)


def run_request(
    s: Settings,
    command: Command,
    date: str | None,
    start: str | None,
    end: str | None,
    fmt: opt.Output = opt.Output.table,
    *,
    songs: bool | None = None,
    strict: bool = False,
    no_sign_request: bool = False,
) -> None:
    """One request, the pipeline service, then its summary (also used by `sparkify demo`)."""
    from sparkify_cli.days import select_days
    from sparkify_cli.services.pipeline.request import RunRequest
    from sparkify_cli.services.pipeline.run import run_pipeline

    request = RunRequest(
        command, select_days(date, start, end), songs=songs, strict=strict, no_sign_request=no_sign_request
    )
    with console.progress_bar() as progress:
        outcome = run_pipeline(s, request, on_progress=progress)
    if outcome.result.missing_days:
        console.warn(missing_days(outcome.result.missing_days, len(request.days.days or ())))
    if outcome.result.ignored_warning:
        console.warn(outcome.result.ignored_warning)
    _summarise(outcome, fmt)


def missing_days(days: list[date], of: int, shown: int = 3) -> str:
    """One line for the days of a range without a log file: their count and the first few runs of
    consecutive days (a century-long range would otherwise print a line per day)."""
    from datetime import timedelta

    spans: list[tuple[date, date]] = []
    for day in sorted(days):
        if spans and day == spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    text = ", ".join(a.isoformat() if a == b else f"{a.isoformat()} .. {b.isoformat()}" for a, b in spans[:shown])
    more = f" and {console.count(len(spans) - shown, 'more span')}" if len(spans) > shown else ""
    how_many = f"{len(days):,} of {of:,} days" if of else console.count(len(days), "day")
    return f"no log file for {text}{more} ({how_many})"


def _print_sql(
    s: Settings,
    step: Step,
    date: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    drop: bool = False,
    songs: bool | None = None,
    strict: bool = False,
    no_sign_request: bool = False,
) -> None:
    """--dry-run: the exact SQL on stdout (annotations are SQL comments), nothing changed."""
    from sparkify_cli.days import select_days
    from sparkify_cli.services.pipeline.dry_run import dry_run_sql

    script = dry_run_sql(
        s,
        step,
        days=select_days(date, start, end),
        drop=drop,
        songs=songs,
        strict=strict,
        no_sign_request=no_sign_request,
    )
    typer.echo(script, nl=not script.endswith("\n"))
    console.info(f"dry run: the {step} SQL above was not executed")


def _summarise(outcome: RunOutcome, fmt: opt.Output) -> None:
    """The run's summary on stdout: its lines and a table of rows, or one JSON document."""
    from sparkify_cli.errors import ChecksFailed

    result, report = outcome.result, outcome.report
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Pipeline, emit

        emit(Pipeline, _as_json(result, report))
    else:
        _print_stage(result)
        _print_rows(result)
        if report is not None:
            _print_checks(report)
    if report is not None and not report.ok:
        raise ChecksFailed("data-quality checks failed", hint="see `sparkify check` for details")


def _as_json(result: PipelineResult, report: CheckReport | None) -> dict[str, object]:
    def batch(b: BatchResult) -> dict[str, int]:
        return {"files": b.files, "staged": b.staged, "rejected": b.rejected}

    checks = None
    if report is not None:
        statuses = [r.status for r in report.results]
        checks = {"ok": report.ok, **{k: statuses.count(k) for k in ("pass", "warn", "fail", "error")}}
    return {
        "run_id": result.run_id,
        "days": None if result.days.days is None else {"start": result.days.days[0], "end": result.days.days[-1]},
        "missing_days": result.missing_days,
        "ignored_files": result.ignored,
        "events": batch(result.events),
        "songs": {**batch(result.songs), "skipped": result.songs_skipped},
        "loaded_files": len(result.loaded_files),
        "rows": result.rows,
        "checks": checks,
        "seconds": result.seconds,
    }


def _print_checks(report: CheckReport) -> None:
    failed = [r for r in report.results if r.status in ("fail", "error")]
    warned = [r for r in report.results if r.status == "warn"]
    passed = len(report.results) - len(failed) - len(warned)
    console.summary(f"checks: {passed:,} passed, {len(warned):,} warned, {len(failed):,} failed")
    for r in failed + warned:
        console.summary(f"  {r.status}: {r.name} ({console.count(r.failing_rows or 0, 'row')}) {r.description}")


def _print_stage(result: PipelineResult) -> None:
    if not result.events.files and result.songs_skipped:
        return
    n = console.count
    songs = (
        "catalog unchanged"
        if result.songs_skipped
        else f"{n(result.songs.staged, 'song record')} from {n(result.songs.files, 'file')}"
    )
    rejected = result.events.rejected + result.songs.rejected
    console.summary(
        f"staged {n(result.events.staged, 'event')} from {n(result.events.files, 'log file')} "
        f"({result.days.describe()}); {songs}" + (f"; {n(rejected, 'line')} rejected" if rejected else "")
    )


def _print_rows(result: PipelineResult) -> None:
    if not result.loaded_files:
        return
    from rich.table import Table

    table = Table("table", "rows", title=f"loaded {console.count(len(result.loaded_files), 'log file')}")
    for name, n in result.rows.items():
        table.add_row(name, f"{n:,}")
    console.out().print(table)
