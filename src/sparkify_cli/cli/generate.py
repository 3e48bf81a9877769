"""`sparkify generate`: write synthetic Sparkify data (song_data/ + log_data/) of any size."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.errors import ConfigError


def generate(
    out: Annotated[
        Path,
        typer.Argument(
            help="Folder to write song_data/ and log_data/ into (created if missing). "
            "Example: sparkify generate ./data --events 10000 --songs 500",
            show_default=False,
        ),
    ],
    events: Annotated[
        int,
        typer.Option("--events", help="Log events to write, all pages. Example: --events 1000000", show_default=False),
    ],
    songs: Annotated[
        int, typer.Option("--songs", help="Songs in the catalog. Example: --songs 100000", show_default=False)
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; same arguments, same bytes. Example: --seed 7")
    ] = 42,
    days: Annotated[int, typer.Option("--days", help="Days of logs, one file per day. Example: --days 365")] = 30,
    start_date: Annotated[
        str, typer.Option("--start-date", help="First day (UTC), YYYY-MM-DD. Example: --start-date 2019-01-01")
    ] = "2018-11-01",
    songs_per_file: Annotated[
        int,
        typer.Option(
            "--songs-per-file",
            help="Songs per song_data file, one JSON object per line (the real data has 1). "
            "Example: --songs-per-file 1000",
        ),
    ] = 1,
    match_share: Annotated[
        float,
        typer.Option(
            "--match-share",
            help="Share of song plays that match a catalog song exactly on title, artist and duration. "
            "Example: --match-share 0.5",
        ),
    ] = 0.3,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty folder not made by this command, replacing its song_data/ and log_data/. "
            "Example: --force",
        ),
    ] = False,
) -> None:
    """Write Sparkify-shaped song and log JSON: realistic users, sessions, pages and song popularity,
    a known share of plays that match the catalog, byte-for-byte reproducible for a seed.

    Example: sparkify generate ./data --events 1000000 --songs 100000 --days 365 --songs-per-file 1000
    """
    from datetime import date

    from sparkify_cli.services.generate import generate as run

    try:
        first_day = date.fromisoformat(start_date)
    except ValueError:
        raise ConfigError(f"--start-date {start_date!r} is not a day", hint="use YYYY-MM-DD, e.g. 2018-11-01") from None
    with console.progress_bar() as progress:
        made = run(
            out,
            events=events,
            songs=songs,
            seed=seed,
            days=days,
            start_date=first_day,
            songs_per_file=songs_per_file,
            match_share=match_share,
            force=force,
            on_progress=progress,
        )
    share = made.matching_plays / made.next_song_events if made.next_song_events else 0.0
    n = console.count
    console.out().print(
        console.escape(
            f"wrote {made.out}\n"
            f"  song_data: {n(made.song_files, 'file')}, {n(made.songs, 'song')} by {n(made.artists, 'artist')}\n"
            f"  log_data:  {n(made.log_files, 'file')}, {n(made.events, 'event')} from {n(made.users, 'user')}, "
            f"{n(made.next_song_events, 'song play')}\n"
            "  matching plays (title, artist, duration equal a catalog song): "
            f"{made.matching_plays:,} ({share:.1%})"
        )
    )
