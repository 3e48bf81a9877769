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
    sql: Annotated[
        str, typer.Argument(help="One SQL statement, or - to read it from standard input.", show_default=False)
    ],
    fmt: opt.RowsFormat = opt.Rows.table,
    warehouse: opt.Warehouse = None,
    wait: opt.Wait = None,
) -> None:
    """Run one SQL statement on the warehouse and print its result (read-only). Several statements
    are refused (exit 2): run each on its own.

    Example: sparkify query "SELECT level, count(*) FROM songs.songplays GROUP BY level" --format csv
    Example: sparkify query - < top_users.sql
    Example: sparkify query "SELECT count(*) FROM songs.songplays" --wait 600
    """
    from sparkify_cli.cli.render import print_result
    from sparkify_cli.services.reports.inspect import run_query

    s = settings(ctx, warehouse=warehouse, lock_wait=wait)
    if sql == "-":
        sql = _stdin_sql()
    columns, rows = run_query(s, sql)
    print_result(columns, rows, fmt)


def _stdin_sql() -> str:
    """`query -`: the SQL is standard input, to its end."""
    import sys

    from sparkify_cli.cli import console
    from sparkify_cli.errors import ConfigError

    if sys.stdin.isatty():
        console.info("reading SQL from standard input; end it with Ctrl-D")
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")  # strictly: a stray byte is an error, not a replacement character
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"standard input is not UTF-8 text (byte {exc.start:,})", hint="pipe in a UTF-8 SQL file"
        ) from None


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


runs_app = typer.Typer(no_args_is_help=False)  # help: the callback's docstring


@runs_app.callback(invoke_without_command=True)
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="At most this many runs, newest first (1 to 1,000,000).")] = 20,
    fmt: opt.SummaryFormat = opt.Output.table,
    warehouse: opt.Warehouse = None,
    dry_run: opt.DryRun = False,
) -> None:
    """List recent runs from the ledger: command, days, status, error and rows per table;
    `sparkify runs show RUN_ID` shows one run whole.

    Example: sparkify runs --limit 5 --format json

    Example: sparkify runs show 5861c8a63c124b6a
    """
    if ctx.invoked_subcommand is not None:
        options_belong_after(ctx, "runs")
        return
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


@runs_app.command("show")
def show_run(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="A run id, as `sparkify runs` lists it.")],
    fmt: opt.SummaryFormat = opt.Output.table,
    warehouse: opt.Warehouse = None,
) -> None:
    """One run of the ledger: command, days, status, start and end, the error, the files it read,
    rows staged and rejected, rows per star table and seconds per phase.

    Example: sparkify runs show 5861c8a63c124b6a --format json
    """
    from sparkify_cli.services.reports.history import show_run as find_run

    found = find_run(settings(ctx, warehouse=warehouse), run_id)
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import RunShown, emit

        emit(RunShown, found)
        return
    _print_run(found)


def _print_run(r: Document) -> None:
    from rich.table import Table

    from sparkify_cli.cli import console

    out, esc = console.out(), console.escape
    ended = f"{r['finished_at']:%Y-%m-%d %H:%M:%S} UTC" if r["finished_at"] else "never (in progress, or killed)"
    seconds = (r["finished_at"] - r["started_at"]).total_seconds() if r["finished_at"] else None
    out.print(f"run {r['run_id']}: {r['command']} of {_span(r['days'])}, {r['status']}")
    out.print(
        f"started {r['started_at']:%Y-%m-%d %H:%M:%S} UTC, finished {ended}"
        + (f" ({seconds:,.1f} s)" if seconds is not None else "")
    )
    if r["error"]:
        out.print(f"error: {esc(r['error'])}")
    events, songs = r["events"], r["songs"]
    kinds = {"event": "log file", "song": "song file"}
    read = ", ".join(count(sum(f["kind"] == kind for f in r["files"]), noun) for kind, noun in kinds.items())
    out.print(f"read {read}")
    out.print(
        f"staged {count(events['staged'], 'event')} ({events['rejected']:,} rejected), "
        f"{count(songs['staged'], 'song record')} ({songs['rejected']:,} rejected); "
        f"loaded {count(r['loaded_files'], 'log file')}"
        + (f"; pruned {count(r['pruned_files'], 'log file')}" if r["pruned_files"] else "")
    )
    if r["rows"]:
        rows = Table("table", "rows", title="rows after the run", title_justify="left")
        for table, n in r["rows"].items():
            rows.add_row(table, f"{n:,}")
        out.print(rows)
    if r["seconds"]:
        phases = Table("phase", "seconds", title="seconds per phase", title_justify="left")
        for phase, n in r["seconds"].items():
            phases.add_row(phase, f"{n:,.3f}")
        out.print(phases)
    if r["files"]:
        files = Table("file", "kind", "bytes", "modified", title="files read", title_justify="left")
        for f in r["files"]:
            size = "" if f["size_bytes"] is None else f"{f['size_bytes']:,}"
            files.add_row(esc(f["source_file"]), f["kind"], size, esc(f["modified"] or ""))
        out.print(files)


GLOBAL_OPTIONS = ("env_file", "debug")  # work anywhere on the command line


def options_belong_after(ctx: typer.Context, group: str) -> None:
    """A group that also runs on its own (`runs`, `report`) takes its options only when it runs on
    its own: given before a subcommand they would be silently ignored, so they are an error."""
    from typer._click.core import ParameterSource

    from sparkify_cli.errors import ConfigError

    given = [
        param.opts[0]
        for param in ctx.command.params
        if param.name not in GLOBAL_OPTIONS
        and param.name
        and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
    ]
    if given:
        sub = ctx.invoked_subcommand
        raise ConfigError(
            f"{', '.join(given)} before `{sub}` would be ignored: `sparkify {group}` takes "
            f"{'them' if len(given) > 1 else 'it'} only when it runs on its own",
            hint=_where_they_go(ctx, group, given),
        )


def _where_they_go(ctx: typer.Context, group: str, given: list[str]) -> str:
    sub = ctx.invoked_subcommand or ""
    command = getattr(ctx.command, "commands", {}).get(sub)
    takes = {o for p in getattr(command, "params", []) for o in getattr(p, "opts", [])}
    missing = [o for o in given if o not in takes]
    if missing:
        return f"`sparkify {group} {sub}` has no {', '.join(missing)}"
    return f"put {'them' if len(given) > 1 else 'it'} after `{sub}`: sparkify {group} {sub} {given[0]} ..."


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
    from sparkify_cli.sources import is_s3

    s = settings(ctx, source=source, warehouse=warehouse)
    plan = dry_run_plan(dry_run)
    found = warehouse_status(s, source, dry_run=plan)
    if plan is not None:
        print_sql(plan, "status")
        return
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Status, emit

        emit(Status, found.to_json())
        return
    out = console.out()
    out.print(f"loaded days: {day_ranges(found.loaded_days)}")
    if found.staged_not_loaded:
        out.print(f"staged, not loaded: {day_ranges(found.staged_not_loaded)}")
    which = {"option": "", "last run": " (the source of the last run)", "setting": " (SPARKIFY_SOURCE)"}
    where = console.escape(f"{found.source}{which[found.source_from]}")
    if found.source_checked:
        out.print(f"gaps in {where}: {day_ranges(found.gaps)}")
    elif found.source is not None and is_s3(found.source):
        out.print(f"gaps: not listed ({where} is in S3: status stays offline; `sparkify run` stages what is missing)")
    else:
        out.print(f"gaps: {where} not reachable")
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


def day_ranges(days: list[str], shown: int = 6) -> str:
    """Days as runs of consecutive days, so a hole shows (`2018-11-01 .. 2018-11-05, 2018-11-07`),
    and how many; a label that is not a day (a log file named otherwise) is listed as it is."""
    from datetime import date, timedelta

    if not days:
        return "none"
    spans: list[list[date]] = []
    others: list[str] = []
    for label in sorted(days):
        try:
            day = date.fromisoformat(label)
        except ValueError:
            others.append(label)
            continue
        if spans and day == spans[-1][1] + timedelta(days=1):
            spans[-1][1] = day
        else:
            spans.append([day, day])
    parts = [a.isoformat() if a == b else f"{a.isoformat()} .. {b.isoformat()}" for a, b in spans] + others
    text = ", ".join(parts[:shown]) + (f" and {count(len(parts) - shown, 'more span')}" if len(parts) > shown else "")
    return f"{text} ({count(len(days), 'day')})" if len(days) > 1 else text


def _span(days: Document | None) -> str:
    """A ledger's days as the terminal shows them."""
    if days is None:
        return "all days"
    return days["start"] if days["start"] == days["end"] else f"{days['start']} .. {days['end']}"
