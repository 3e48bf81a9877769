"""`sparkify prune`: remove the rows of log files that are gone from the source."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings


def prune(
    ctx: typer.Context,
    source: opt.Source = None,
    warehouse: opt.Warehouse = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (cron, CI).")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the files that would be pruned; change nothing.")
    ] = False,
    fmt: opt.SummaryFormat = opt.Output.table,
    no_sign_request: opt.NoSignRequest = False,
) -> None:
    """Remove what log files deleted from the source left in the warehouse: their staged rows, and
    every play, time and user they alone held (the rest is derived again from the remaining files).

    Lists the files and asks first; without a terminal it needs --yes. `sparkify status` shows such
    files.

    Example: sparkify prune --dry-run
    Example: sparkify prune --source s3://my-bucket/sparkify --yes
    """
    from sparkify_cli.errors import ConfigError
    from sparkify_cli.services.pipeline.prune import prune as run_prune

    s = settings(ctx, source=source, warehouse=warehouse)
    found = run_prune(s, apply=False, no_sign_request=no_sign_request)
    files = console.count(len(found.files), "file")
    if found.files and not dry_run:
        for key in found.files:  # what the question is about: beside it, on stderr
            console.info(f"- {key}")
        if not yes:
            if not sys.stdin.isatty():
                raise ConfigError(f"{files} to prune and no terminal to ask", hint="pass --yes to prune them")
            if not typer.confirm(f"Remove the rows of these {files}?", default=False, err=True):
                raise ConfigError("cancelled; nothing was removed", hint="pass --yes to skip the question")
        found = run_prune(s, apply=True, no_sign_request=no_sign_request)
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Prune, emit

        emit(Prune, {"files": found.files, "pruned": found.pruned, "run_id": found.run_id or None, "rows": found.rows})
    elif not found.files:
        console.summary("nothing to prune: every staged log file is in the source")
    elif not found.pruned:
        for key in found.files:
            typer.echo(key)
        console.info(f"dry run: {files} would be pruned; nothing was changed")
    else:
        console.summary(f"pruned {files}; songplays now {found.rows.get('songplays', 0):,}")
