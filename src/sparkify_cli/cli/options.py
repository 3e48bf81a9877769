"""Options shared by several commands (a contract: scripts and cron jobs call them), and one Enum
per kind of --format, so Typer validates every choice the same way (exit 2)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Output(StrEnum):
    """Summaries and documents: for people, or one JSON document on stdout."""

    table = "table"
    json = "json"


class Rows(StrEnum):
    """Query results."""

    table = "table"
    csv = "csv"
    json = "json"


class ReportOutput(StrEnum):
    table = "table"
    json = "json"
    html = "html"


Date = Annotated[
    str | None, typer.Option("--date", help="One day, YYYY-MM-DD or today/yesterday (UTC).", show_default=False)
]
Start = Annotated[str | None, typer.Option("--start", help="First day of a range (with --end).", show_default=False)]
End = Annotated[str | None, typer.Option("--end", help="Last day of a range (with --start).", show_default=False)]
Source = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="Folder with song_data/ and log_data/, or s3://bucket/prefix [SPARKIFY_SOURCE].",
        show_default=False,
    ),
]
Warehouse = Annotated[
    str | None, typer.Option("--warehouse", help="duckdb or redshift [SPARKIFY_WAREHOUSE].", show_default=False)
]
MaxErrors = Annotated[
    int | None,
    typer.Option(
        "--max-errors", min=0, help="Source lines that may be rejected before the step fails [0].", show_default=False
    ),
]
Songs = Annotated[
    bool | None,
    typer.Option(
        "--songs/--no-songs",
        help="Re-stage the song catalog (default: only when its files changed).",
        show_default=False,
    ),
]
Strict = Annotated[bool, typer.Option("--strict", help="Fail when a day in the range has no log file.")]
SummaryFormat = Annotated[Output, typer.Option("--format", help="table (for people) or json (one document on stdout).")]
RowsFormat = Annotated[Rows, typer.Option("--format", help="table, csv or json.")]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the exact SQL this step would run (SQL only on stdout); change nothing."),
]
NoSignRequest = Annotated[
    bool, typer.Option("--no-sign-request", help="Read a public S3 bucket anonymously (no AWS credentials).")
]
