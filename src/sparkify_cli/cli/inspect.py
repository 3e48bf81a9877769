"""Commands that read the warehouse: query, rejects, runs, status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings
from sparkify_cli.documents import Document, count

if TYPE_CHECKING:
    from sparkify_cli.services.pipeline.dry_run import DryRun


def dry_run_plan(dry_run: bool) -> DryRun | None:
    """--dry-run of a command that only reads: the plan its service fills in (None: run it)."""
    if not dry_run:
        return None
    from sparkify_cli.services.pipeline.dry_run import DryRun

    return DryRun()


def print_sql(plan: DryRun, command: str) -> None:
    """A dry run's script on stdout (SQL only), the note that nothing ran on stderr."""
    from sparkify_cli.cli import console

    typer.echo(plan.script, nl=not plan.script.endswith("\n"))
    console.info(f"dry run: the {command} SQL above was not executed")


def query(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="The SQL to run.", show_default=False)],
    fmt: opt.RowsFormat = opt.Rows.table,
    warehouse: opt.Warehouse = None,
) -> None:
    """Run a SQL query on the warehouse and print the result (read-only on DuckDB).

    Example: sparkify query "SELECT level, count(*) FROM songs.songplays GROUP BY level" --format csv
    """
    from sparkify_cli.cli.render import print_result
    from sparkify_cli.services.reports.inspect import run_query

    columns, rows = run_query(settings(ctx, warehouse=warehouse), sql)
    print_result(columns, rows, fmt)


def rejects(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows (1 to 1,000,000).")] = 50,
    fmt: opt.RowsFormat = opt.Rows.table,
    warehouse: opt.Warehouse = None,
    dry_run: opt.DryRun = False,
) -> None:
    """List source lines that staging rejected: file, line, column, reason and the raw text.

    Example: sparkify rejects --format json --limit 10
    """
    from sparkify_cli.cli.render import print_result
    from sparkify_cli.services.reports.inspect import list_rejects

    plan = dry_run_plan(dry_run)
    columns, rows = list_rejects(settings(ctx, warehouse=warehouse), limit, dry_run=plan)
    if plan is not None:
        print_sql(plan, "rejects")
        return
    if fmt is opt.Rows.json:
        from sparkify_cli.cli.contract import Rejects, emit

        emit(Rejects, {"rejects": [dict(zip(columns, row, strict=True)) for row in rows]})
        return
    print_result(columns, rows, fmt)


def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="At most this many runs, newest first (1 to 1,000,000).")] = 20,
    fmt: opt.SummaryFormat = opt.Output.table,
    warehouse: opt.Warehouse = None,
    dry_run: opt.DryRun = False,
) -> None:
    """List recent runs from the ledger: command, days, status, error and rows per table.

    Example: sparkify runs --limit 5 --format json
    """
    from sparkify_cli.cli import console
    from sparkify_cli.services.reports.history import list_runs

    plan = dry_run_plan(dry_run)
    found = list_runs(settings(ctx, warehouse=warehouse), limit, dry_run=plan)
    if plan is not None:
        print_sql(plan, "runs")
        return
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Runs, emit

        emit(Runs, {"runs": found})
        return
    from rich.table import Table

    table = Table("run", "command", "days", "started (UTC)", "status", "staged", "rejected", "error")
    for r in found:
        table.add_row(
            r["run_id"],
            r["command"],
            _span(r["days"]),
            f"{r['started_at']:%Y-%m-%d %H:%M:%S}",
            r["status"],
            f"{r['events']['staged']:,}",
            f"{r['events']['rejected'] + r['songs']['rejected']:,}",
            console.escape(r["error"] or ""),
        )
    console.out().print(table)


def status(
    ctx: typer.Context,
    source: opt.Source = None,
    fmt: opt.SummaryFormat = opt.Output.table,
    warehouse: opt.Warehouse = None,
    dry_run: opt.DryRun = False,
) -> None:
    """Which days are loaded, which days the source has that are not (gaps), and the last good run.

    Example: sparkify status --source ./data
    """
    from sparkify_cli.cli import console
    from sparkify_cli.services.reports.history import status as warehouse_status

    s = settings(ctx, source=source, warehouse=warehouse)
    plan = dry_run_plan(dry_run)
    found = warehouse_status(s, dry_run=plan)
    if plan is not None:
        print_sql(plan, "status")
        return
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Status, emit

        emit(Status, found.to_json())
        return
    out = console.out()
    out.print(f"loaded days: {_days(found.loaded_days)}")
    if found.staged_not_loaded:
        out.print(f"staged, not loaded: {_days(found.staged_not_loaded)}")
    out.print(f"gaps in {s.source}: {_days(found.gaps)}" if found.source_checked else "gaps: source not reachable")
    if found.missing_from_source:
        out.print(
            f"gone from the source, still in the warehouse: {count(len(found.missing_from_source), 'file')} "
            f"({', '.join(found.missing_from_source[:3])}{' …' if len(found.missing_from_source) > 3 else ''}); "
            "`sparkify prune` removes their rows"
        )
    last = f"{found.last_success:%Y-%m-%d %H:%M:%S} UTC" if found.last_success else "never"
    out.print(f"last successful run finished: {last}")
    if found.running:
        out.print(f"unfinished runs (in progress or killed): {', '.join(found.running)}")


def _span(days: Document | None) -> str:
    """A ledger's days as the terminal shows them."""
    if days is None:
        return "all days"
    return days["start"] if days["start"] == days["end"] else f"{days['start']} .. {days['end']}"


def _days(days: list[str]) -> str:
    if not days:
        return "none"
    return f"{len(days)} ({days[0]} .. {days[-1]})" if len(days) > 3 else ", ".join(days)
