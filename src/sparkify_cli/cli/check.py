"""`sparkify check`: data-quality checks with a meaningful exit code, JSON and JUnit output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings

if TYPE_CHECKING:
    from sparkify_cli.services.checks.run import CheckReport, CheckResult


_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "error": "bold magenta"}


def check(
    ctx: typer.Context,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=opt.DAY,
            help="Scope row-level checks to one day: YYYY-MM-DD or today/yesterday (UTC).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        opt.Output, typer.Option("--format", help="table (failures first) or json (one document on stdout).")
    ] = opt.Output.table,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit",
            help="Also write a JUnit XML report to this file (parent folders are created), for CI dashboards.",
            show_default=False,
        ),
    ] = None,
    checks: Annotated[
        Path | None,
        typer.Option(
            "--checks",
            help="TOML file of user-defined checks [SPARKIFY_CHECKS_FILE].",
            show_default=False,
            dir_okay=False,
        ),
    ] = None,
    warehouse: opt.Warehouse = None,
    wait: opt.Wait = None,
    dry_run: opt.DryRun = False,
) -> None:
    """Run the data-quality checks on the warehouse (read-only).

    Exit 0 when every error-severity check passes (warnings allowed), 1 when one fails or cannot
    run, 2 for bad options or a malformed checks file, 4 when the warehouse is missing or unloaded
    (--junit then writes a report with that one error).

    Example: sparkify check --date yesterday --format json --junit reports/checks.xml
    Example: sparkify check --warehouse redshift --dry-run > checks.sql
    """
    from sparkify_cli.days import parse_day
    from sparkify_cli.errors import ChecksFailed, SparkifyError
    from sparkify_cli.services.checks.junit import write_junit, write_junit_error
    from sparkify_cli.services.checks.run import check as run_checks
    from sparkify_cli.services.checks.run import user_checks

    s = settings(ctx, warehouse=warehouse, lock_wait=wait)
    day = parse_day(date) if date is not None else None  # an empty --date is an error, not every day
    if junit is not None:
        from sparkify_cli.services.outputs import check_output

        check_output(junit, s, checks)  # never over the warehouse, a database or a folder: before any work
    try:
        user_checks(s, checks, day=day)  # a malformed checks file is exit 2, even without a warehouse
        if dry_run:
            from sparkify_cli.services.pipeline.dry_run import dry_run_sql

            script = dry_run_sql(s, "check", day=day, checks_file=checks)
            typer.echo(script, nl=not script.endswith("\n"))
            return
        report = run_checks(s, day=day, checks_file=checks)
    except SparkifyError as exc:
        if junit is not None and not dry_run:  # the dashboard says why, instead of showing an old file
            write_junit_error(exc, junit, s, checks)
        raise
    if junit is not None:
        write_junit(report, junit, s, checks)
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Check, emit

        emit(Check, report.to_json())
    else:
        _print_table(report)
    if not report.ok:
        names = [r.name for r in report.failures]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
        raise ChecksFailed(f"{console.count(len(names), 'error-severity check')} failed: {shown}")


def _print_table(report: CheckReport) -> None:
    from rich.table import Table

    title = f"checks on {report.warehouse}, schema {report.schema}" + (
        f", {report.day.isoformat()}" if report.day else ""
    )
    table = Table(title=title)
    table.add_column("status")
    table.add_column("check", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("details")
    for r in report.ordered():
        style = _STYLE[r.status]
        rows = "" if r.failing_rows is None else f"{r.failing_rows:,}"
        table.add_row(f"[{style}]{r.status}[/]", console.escape(r.name), rows, console.escape(_details(r)))
    console.out().print(table)
    c = report.counts()
    console.summary(f"{c['pass']:,} passed, {c['warn']:,} warned, {c['fail']:,} failed, {c['error']:,} could not run")


def _details(r: CheckResult) -> str:
    if r.status == "error":
        return f"{r.description}: {r.error}" if r.description else str(r.error)
    text = r.description + _metrics(r.metrics)
    if r.samples and not set(r.samples[0]) <= set(r.metrics):  # else the metrics already say it
        text += "; e.g. " + _compact(r.samples[0])
    return text


def _metrics(metrics: dict[str, object]) -> str:
    if "rate" in metrics and metrics.get("plays"):
        return f" (now {metrics['rate']:.2%}: {metrics['matched']:,} of {metrics['plays']:,} plays)"
    if metrics.get("latest_start_time"):
        return f" (newest play {metrics['latest_start_time']})"
    return ""


def _compact(sample: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sample.items())
