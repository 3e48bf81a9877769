"""Commands that read the warehouse: query, rejects."""

from __future__ import annotations

from typing import Annotated

import typer

from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import app, settings

Format = Annotated[str, typer.Option("--format", help="table, csv or json.")]


def _check_format(fmt: str) -> None:
    from sparkify_cli.errors import ConfigError
    from sparkify_cli.render import FORMATS

    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")


@app.command()
def query(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="The SQL to run.", show_default=False)],
    fmt: Format = "table",
    warehouse: opt.Warehouse = None,
) -> None:
    """Run a SQL query on the warehouse and print the result (read-only on DuckDB).

    Example: sparkify query "SELECT level, count(*) FROM songs.songplays GROUP BY level" --format csv
    """
    from sparkify_cli.render import print_result
    from sparkify_cli.services.inspect import run_query

    _check_format(fmt)
    columns, rows = run_query(settings(ctx, warehouse=warehouse), sql)
    print_result(columns, rows, fmt)


@app.command()
def rejects(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")] = 50,
    fmt: Format = "table",
    warehouse: opt.Warehouse = None,
) -> None:
    """List source lines that staging rejected: file, line, column, reason and the raw text.

    Example: sparkify rejects --format json --limit 10
    """
    from sparkify_cli.render import print_result
    from sparkify_cli.services.inspect import list_rejects

    _check_format(fmt)
    columns, rows = list_rejects(settings(ctx, warehouse=warehouse), limit)
    print_result(columns, rows, fmt)
