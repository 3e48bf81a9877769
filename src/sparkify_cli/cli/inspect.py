"""Commands that read the warehouse: query, rejects, runs, status."""

from __future__ import annotations

from typing import Annotated

import typer

from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings


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
) -> None:
    """List source lines that staging rejected: file, line, column, reason and the raw text.

    Example: sparkify rejects --format json --limit 10
    """
    from sparkify_cli.cli.render import print_result
    from sparkify_cli.services.reports.inspect import list_rejects

    columns, rows = list_rejects(settings(ctx, warehouse=warehouse), limit)
    print_result(columns, rows, fmt)


def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="At most this many runs, newest first (1 to 1,000,000).")] = 20,
    fmt: opt.SummaryFormat = opt.Output.table,
    warehouse: opt.Warehouse = None,
) -> None:
    """List recent runs from the ledger: command, days, status, error and rows per table.

    Example: sparkify runs --limit 5 --format json
    """
    from sparkify_cli.cli import console
    from sparkify_cli.documents import dumps
    from sparkify_cli.services.reports.history import list_runs

    found = list_runs(settings(ctx, warehouse=warehouse), limit)
    if fmt is opt.Output.json:
        typer.echo(dumps(found))
        return
    from rich.table import Table

    table = Table("run", "command", "days", "started", "status", "staged", "rejected", "error")
    for r in found:
        counts = r["counts"]
        table.add_row(
            r["run_id"],
            r["command"],
            r["days"],
            str(r["started_at"])[:19],
            r["status"],
            str(counts.get("staged_events", "")),
            str(counts.get("rejected_events", 0) + counts.get("rejected_songs", 0)),
            console.escape(r["error"] or ""),
        )
    console.out().print(table)


def status(
    ctx: typer.Context,
    source: opt.Source = None,
    fmt: opt.SummaryFormat = opt.Output.table,
    warehouse: opt.Warehouse = None,
) -> None:
    """Which days are loaded, which days the source has that are not (gaps), and the last good run.

    Example: sparkify status --source ./data
    """
    from sparkify_cli.cli import console
    from sparkify_cli.documents import dumps
    from sparkify_cli.errors import SourceError
    from sparkify_cli.services.reports.history import warehouse_status
    from sparkify_cli.services.reports.inspect import open_existing
    from sparkify_cli.sources import LogLayout, Source, is_s3, open_source

    s = settings(ctx, source=source, warehouse=warehouse)
    src: Source | None = None
    if not is_s3(s.source):  # gaps need a listing; status stays offline
        try:
            src = open_source(s)
        except SourceError:
            src = None  # gaps need the source; the rest does not
    with open_existing(s) as wh:
        found = warehouse_status(wh, LogLayout(s.log_key_template), src)
    if fmt is opt.Output.json:
        typer.echo(dumps(found.to_json()))
        return
    out = console.out()
    out.print(f"loaded days: {_days(found.loaded_days)}")
    if found.staged_not_loaded:
        out.print(f"staged, not loaded: {_days(found.staged_not_loaded)}")
    out.print(f"gaps in {s.source}: {_days(found.gaps)}" if found.source_checked else "gaps: source not reachable")
    if found.missing_from_source:
        out.print(
            f"gone from the source, still in the warehouse: {len(found.missing_from_source):,} file(s) "
            f"({', '.join(found.missing_from_source[:3])}{' …' if len(found.missing_from_source) > 3 else ''}); "
            "`sparkify prune` removes their rows"
        )
    out.print(f"last successful run finished: {found.last_success or 'never'}")
    if found.running:
        out.print(f"unfinished runs (in progress or killed): {', '.join(found.running)}")


def _days(days: list[str]) -> str:
    if not days:
        return "none"
    return f"{len(days)} ({days[0]} .. {days[-1]})" if len(days) > 3 else ", ".join(days)
