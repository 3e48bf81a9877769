"""Query results as a rich table, CSV or JSON (stdout stays machine-readable)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

from sparkify_cli.cli.options import Rows
from sparkify_cli.documents import JSON
from sparkify_cli.warehouse.base import Row, Value


def _plain(value: Value) -> JSON:
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_json(columns: list[str], rows: list[Row]) -> str:
    return json.dumps(
        [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows], indent=2, ensure_ascii=False
    )


def to_csv(columns: list[str], rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_plain(v) for v in row] for row in rows])
    return buf.getvalue()


def print_result(columns: list[str], rows: list[Row], fmt: Rows) -> None:
    import typer

    from sparkify_cli.cli import console

    if fmt is Rows.json:
        typer.echo(to_json(columns, rows))
    elif fmt is Rows.csv:
        typer.echo(to_csv(columns, rows), nl=False)
    else:
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else console.escape(str(_plain(v))) for v in row))
        console.out().print(table)
