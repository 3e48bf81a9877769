"""Query results as a rich table, CSV or JSON (stdout stays machine-readable)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal

from sparkify_cli.cli.options import Rows
from sparkify_cli.documents import JSON
from sparkify_cli.warehouse.base import Row, Value


def _plain(value: Value) -> JSON:
    """A result cell as JSON has it: timestamps as text, DECIMAL as a number, LIST and STRUCT as
    arrays and objects, BLOB as DuckDB prints it ('\\xFF'), anything else (UUID, INTERVAL) as text.
    Non-finite floats are left to documents.dumps."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in bytes(value))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def records(columns: list[str], rows: list[Row]) -> list[dict[str, JSON]]:
    """One object per row, column -> value as JSON has it."""
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def to_csv(columns: list[str], rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_plain(v) for v in row] for row in rows])
    return buf.getvalue()


def print_result(columns: list[str], rows: list[Row], fmt: Rows) -> None:
    """A query's result: under --format json one document, its rows as `records`, valid JSON whatever
    the query returned (NaN and infinities as strings)."""
    import typer

    from sparkify_cli.cli import console

    if fmt is Rows.json:
        from sparkify_cli.cli.contract import Query, emit

        emit(Query, {"columns": columns, "rows": records(columns, rows)})
    elif fmt is Rows.csv:
        typer.echo(to_csv(columns, rows), nl=False)
    else:
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else console.escape(str(_plain(v))) for v in row))
        console.out().print(table)
