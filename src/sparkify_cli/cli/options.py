"""Options shared by several commands (a contract: scripts and cron jobs call them), and one Enum
per kind of --format, so Typer validates every choice the same way (a usage error, exit 2).

Placeholders have one style: the choices (`table|json`), else a word in capitals (`DAY`, `URI`,
`N`, `PATH`). cli/help.py gives every option without one its type's word (an int is `N`, a path
`PATH`); the ones here say more."""

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


DAY = "DAY"  # YYYY-MM-DD, today or yesterday

Date = Annotated[
    str | None,
    typer.Option("--date", metavar=DAY, help="One day, YYYY-MM-DD or today/yesterday (UTC).", show_default=False),
]
Start = Annotated[
    str | None, typer.Option("--start", metavar=DAY, help="First day of a range (with --end).", show_default=False)
]
End = Annotated[
    str | None, typer.Option("--end", metavar=DAY, help="Last day of a range (with --start).", show_default=False)
]
Source = Annotated[
    str | None,
    typer.Option(
        "--source",
        metavar="URI",
        help="Folder with song_data/ and log_data/, or s3://bucket/prefix [SPARKIFY_SOURCE].",
        show_default=False,
    ),
]
Warehouse = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        metavar="NAME",
        help="duckdb, postgres or redshift [SPARKIFY_WAREHOUSE].",
        show_default=False,
    ),
]
MaxErrors = Annotated[
    int | None,
    typer.Option(
        "--max-errors",
        min=0,
        metavar="N",
        help="Source lines that may be rejected before the step fails [0].",
        show_default=False,
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
Wait = Annotated[
    float | None,
    typer.Option(
        "--wait",
        min=0,
        max=86400,
        metavar="SECONDS",
        help="Wait up to this long for another process holding the DuckDB file (0: fail at once) "
        "[SPARKIFY_LOCK_WAIT, 0].",
        show_default=False,
    ),
]
