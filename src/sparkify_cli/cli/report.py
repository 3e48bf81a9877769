"""`sparkify report` and `sparkify report matches`: what users listen to, and how well plays match songs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings

if TYPE_CHECKING:
    from rich.console import Console

    from sparkify_cli.cli.contract import Versioned
    from sparkify_cli.documents import Document
    from sparkify_cli.services.reports.report import MatchReport, Report
    from sparkify_cli.settings import Settings


DEFAULT_HTML = Path("sparkify-report.html")
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        show_default=False,
        help=f"Write to this file instead of stdout (html: default ./{DEFAULT_HTML}); parent folders are created. "
        "Example: -o report.html",
    ),
]
MatchesOutput = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        show_default=False,
        help="Write to this file instead of stdout; parent folders are created. Example: -o matches.json",
    ),
]
Top = Annotated[int, typer.Option("--top", min=1, max=1000, help="Rows in each top list. Example: --top 20")]

report_app = typer.Typer(no_args_is_help=False)  # help: the callback's docstring


@report_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    date: opt.Date = None,
    start: opt.Start = None,
    end: opt.End = None,
    fmt: Annotated[
        opt.ReportOutput,
        typer.Option("--format", help="table (terminal), json (scripts) or html (one file with charts)."),
    ] = opt.ReportOutput.table,
    output: Output = None,
    top: Top = 10,
    warehouse: opt.Warehouse = None,
    wait: opt.Wait = None,
    dry_run: opt.DryRun = False,
) -> None:
    """What users listen to, from the star schema (read-only): top songs and artists, plays per hour
    and weekday, free vs paid, the most active users, sessions per day and the song-match rate.

    The same numbers in every format, from the same SQL on DuckDB, PostgreSQL and Redshift. Days are UTC.

    Example: sparkify report --date 2018-11-15

    Example: sparkify report --format html --output report.html

    Example: sparkify report --warehouse redshift --dry-run > report.sql

    Example: sparkify report --date yesterday --format html --wait 600
    """
    if ctx.invoked_subcommand is not None:
        from sparkify_cli.cli.inspect import options_belong_after

        options_belong_after(ctx, "report")
        return
    from sparkify_cli.cli.inspect import dry_run_plan, print_sql
    from sparkify_cli.days import select_days
    from sparkify_cli.services.reports.report import build

    s = settings(ctx, warehouse=warehouse, lock_wait=wait)
    if fmt is opt.ReportOutput.html:
        output = output or DEFAULT_HTML
    _check_output(output, s)
    plan = dry_run_plan(dry_run)
    result = build(s, select_days(date, start, end), top=top, dry_run=plan)
    if plan is not None:
        print_sql(plan, "report")
        return
    if fmt is opt.ReportOutput.html:
        from sparkify_cli.services.outputs import write_output
        from sparkify_cli.services.reports.html import to_html

        assert output is not None
        write_output(output, to_html(result), s)
        console.info(f"wrote {output} ({result.plays:,} plays, {result.scope})")
    elif fmt is opt.ReportOutput.json:
        from sparkify_cli.cli.contract import Report as ReportDocument

        _emit(ReportDocument, result.to_dict(), output, s)
    else:
        _print_to(output, s, lambda c: print_report(result, c))


@report_app.command("matches")
def matches(
    ctx: typer.Context,
    date: opt.Date = None,
    start: opt.Start = None,
    end: opt.End = None,
    fmt: Annotated[opt.Output, typer.Option("--format", help="table or json.")] = opt.Output.table,
    output: MatchesOutput = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many plays in the table (json lists all).")
    ] = 50,
    warehouse: opt.Warehouse = None,
    wait: opt.Wait = None,
    dry_run: opt.DryRun = False,
) -> None:
    """The song-match rate, and the unmatched plays that have a near candidate in the catalog, with
    the reason: encoding (double-encoded UTF-8), punctuation ('_ ' for ', '), case, or a duration
    within SPARKIFY_MATCH_TOLERANCE seconds. These are exactly the plays SPARKIFY_MATCH=normalized adds.

    Example: sparkify report matches --format json
    """
    from sparkify_cli.cli.inspect import dry_run_plan, print_sql
    from sparkify_cli.days import select_days
    from sparkify_cli.services.reports.report import build_matches

    s = settings(ctx, warehouse=warehouse, lock_wait=wait)
    _check_output(output, s)
    plan = dry_run_plan(dry_run)
    result = build_matches(s, select_days(date, start, end), dry_run=plan)
    if plan is not None:
        print_sql(plan, "report matches")
        return
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import Matches

        _emit(Matches, result.to_dict(), output, s)
    else:
        _print_to(output, s, lambda c: print_matches(result, c, limit=limit))


# --- rendering -----------------------------------------------------------------------------------


# --output goes through services/outputs.py: never over the warehouse, a database or a folder;
# written whole (a temporary file renamed over the target); missing parent folders are created.


def _check_output(output: Path | None, s: Settings) -> None:
    """Refuse a bad --output before any work is done."""
    if output is not None:
        from sparkify_cli.services.outputs import check_output

        check_output(output, s)


def _emit(model: type[Versioned], data: Document, output: Path | None, s: Settings) -> None:
    """The JSON document on stdout, or written whole to --output."""
    from sparkify_cli.cli.contract import document
    from sparkify_cli.documents import dumps

    text = dumps(document(model, data), ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        from sparkify_cli.services.outputs import write_output

        write_output(output, text + "\n", s)
        console.info(f"wrote {output}")


def _print_to(output: Path | None, s: Settings, draw: Callable[[Console], None]) -> None:
    if output is None:
        draw(console.out())
        return
    from rich.console import Console

    from sparkify_cli.services.outputs import replacing

    with replacing(output, s) as handle:
        draw(Console(file=handle, width=110, no_color=True, highlight=False))
    console.info(f"wrote {output}")


def _bar(value: int, most: int, width: int = 24) -> str:
    if not most or not value:
        return ""
    eighths = round(value / most * width * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8] or "▏"


def _pct(share: float) -> str:
    from sparkify_cli.services.reports.report import percent

    return percent(share)


def print_report(report: Report, out: Console | None = None, *, compact: bool = False) -> None:
    """The report as rich tables; compact (the end of `sparkify demo`) leaves out the time series."""
    from rich.table import Table

    from sparkify_cli.services.reports.report import WEEKDAYS

    out = out or console.out()
    esc = console.escape
    span = report.span
    out.print(f"[bold]sparkify report[/] — {report.scope}" + (f" ({span})" if span else ""))
    out.print(
        f"plays {report.plays:,} · users with plays {report.users_with_plays:,} · sessions {report.sessions:,} · "
        f"matched to a catalog song {report.matched:,} ({_pct(report.match_rate)})"
    )
    for notice in report.notices:
        out.print(f"[bold yellow]notice:[/] {esc(notice)}")
    if not report.plays:
        out.print("no plays in these days")
        _print_provenance(report, out)
        return

    songs = Table(
        "#", "song", "artist", "plays", title=f"top songs (of {report.matched:,} matched plays)", title_justify="left"
    )
    for i, s in enumerate(report.top_songs, 1):
        songs.add_row(str(i), esc(s.title or s.song_id), esc(s.artist or ""), f"{s.plays:,}")
    artists = Table("#", "artist", "plays", title="top artists", title_justify="left")
    for i, a in enumerate(report.top_artists, 1):
        artists.add_row(str(i), esc(a.name or a.artist_id), f"{a.plays:,}")
    if report.top_songs:
        out.print(songs)
        if not compact:
            out.print(artists)
    if compact:
        _print_people(report, out)
        return

    most = max(report.plays_by_hour)
    hours = Table("hour (UTC)", "plays", "", title="plays per hour of day", title_justify="left", box=None)
    for hour, n in enumerate(report.plays_by_hour):
        hours.add_row(f"{hour:02d}", f"{n:,}", _bar(n, most))
    out.print(hours)
    most = max(report.plays_by_weekday)
    weekdays = Table("weekday", "days", "plays", "", title="plays per weekday", title_justify="left", box=None)
    for day, (n, days) in enumerate(zip(report.plays_by_weekday, report.days_by_weekday, strict=True)):
        if days:  # only the weekdays these days hold
            weekdays.add_row(WEEKDAYS[day], f"{days:,}", f"{n:,}", _bar(n, most))
    out.print(weekdays)
    _print_people(report, out)
    most = max((d.sessions for d in report.per_day), default=0)
    per_day = Table(
        "day", "plays", "sessions", "users with plays", "", title="sessions per day", title_justify="left", box=None
    )
    for d in report.per_day:
        per_day.add_row(
            d.day.isoformat(), f"{d.plays:,}", f"{d.sessions:,}", f"{d.users_with_plays:,}", _bar(d.sessions, most)
        )
    out.print(per_day)
    _print_provenance(report, out)


def _print_provenance(report: Report, out: Console) -> None:
    if report.provenance is not None:
        out.print(console.escape(report.provenance.describe()), style="dim", highlight=False)


def _print_people(report: Report, out: Console) -> None:
    from rich.table import Table

    esc = console.escape
    levels = Table(
        "level",
        "plays",
        "share of plays",
        "users with plays",
        "share of users",
        title="free vs paid (a user at the level of their last play)",
        title_justify="left",
    )
    for lv in report.levels:
        levels.add_row(
            esc(lv.level), f"{lv.plays:,}", _pct(lv.play_share), f"{lv.users_with_plays:,}", _pct(lv.user_share)
        )
    out.print(levels)
    users = Table("user", "name", "level", "plays", "sessions", title="most active users", title_justify="left")
    for u in report.top_users:
        name = " ".join(p for p in (u.first_name, u.last_name) if p)
        users.add_row(esc(u.user_id), esc(name), esc(u.level or ""), f"{u.plays:,}", f"{u.sessions:,}")
    out.print(users)


def print_matches(report: MatchReport, out: Console | None = None, *, limit: int = 50) -> None:
    from rich.table import Table

    out = out or console.out()
    esc = console.escape
    near = len(report.near)
    out.print(f"[bold]song matching[/] — {report.scope}")
    out.print(
        f"matched to a catalog song: {report.matched:,} of {report.plays:,} plays ({_pct(report.match_rate)}); "
        f"with SPARKIFY_MATCH=normalized (duration within {report.tolerance:g} s): "
        f"{report.matched + near:,} ({_pct(report.normalized_rate)})"
    )
    counts = ", ".join(f"{reason} {n:,}" for reason, n in report.reason_counts().items())
    out.print(f"unmatched plays with a near candidate: {near:,} ({counts})")
    if not near:
        return
    table = Table(
        "played at (UTC)", "user", "play: artist — song", "catalog: artist — title, song_id", "Δ s", "reasons"
    )
    for m in report.near[:limit]:
        table.add_row(
            f"{m.start_time:%Y-%m-%d %H:%M}",
            esc(m.user_id),
            esc(f"{m.artist} — {m.song}"),
            esc(f"{m.artist_name} — {m.title}, {m.song_id}"),
            f"{m.duration - m.length:+.3f}",
            ", ".join(m.reasons),
        )
    out.print(table)
    if near > limit:
        out.print(f"… {near - limit:,} more (--limit, or --format json for all)")
