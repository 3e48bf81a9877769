"""`sparkify generate`: synthetic Sparkify data in the real layout, at any size, byte-for-byte reproducible.

OUT/song_data/A/B/C/TRABC....json   songs (Million Song Dataset layout, keys sorted, compact JSON)
OUT/log_data/YYYY/MM/YYYY-MM-DD-events.json   one event per line, in time order

The catalog lives in generate_catalog (songs as pure functions of seed and index), the logs in
generate_events (a streaming session simulator); this module validates, prepares OUT and reports.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sparkify_cli.errors import ConfigError
from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.services.generate.catalog import Catalog, write_song_files
from sparkify_cli.services.generate.events import write_log_files

MARKER = ".sparkify-generate.json"  # marks OUT as ours, so a rerun may replace it
FORMAT_VERSION = 1


@dataclass(frozen=True)
class GenerateResult:
    out: Path
    events: int
    next_song_events: int
    matching_plays: int  # NextSong events equal to a catalog song on (title, artist, duration)
    song_files: int
    log_files: int
    songs: int
    artists: int
    users: int  # distinct userIds with at least one logged-in event
    seed: int
    days: int
    start_date: date


def user_count(events: int) -> int:
    """About 80 events per user, as in the real month (8,056 events, 97 users)."""
    return max(1, events // 80, min(events, 20))


def generate(
    out: Path,
    *,
    events: int,
    songs: int,
    seed: int = 42,
    days: int = 30,
    start_date: date = date(2018, 11, 1),
    songs_per_file: int = 1,
    match_share: float = 0.3,
    force: bool = False,
    on_progress: OnProgress = silent,
) -> GenerateResult:
    """Writes song_data/ and log_data/ under `out`. Same arguments, same bytes."""
    _validate(events=events, songs=songs, days=days, songs_per_file=songs_per_file, match_share=match_share)
    try:
        end_year = date.fromordinal(start_date.toordinal() + days - 1).year
    except (OverflowError, ValueError):
        end_year = 10_000
    if end_year > 9999:
        raise ConfigError("--start-date plus --days runs past the year 9999")
    args = {
        "events": events, "songs": songs, "seed": seed, "days": days, "start_date": start_date.isoformat(),
        "songs_per_file": songs_per_file, "match_share": match_share,
    }  # fmt: skip
    _prepare(out, force=force, args=args)

    rng = random.Random(seed)
    salts = [rng.getrandbits(64) for _ in range(8)]
    catalog = Catalog(salts[:5], songs, outside=max(1000, 2 * songs, events // 4))

    step = max(1, songs // 200)  # about 200 progress updates for the songs
    reported = 0

    def song_progress(done: int) -> None:
        nonlocal reported
        if done - reported >= step or done == songs:
            reported = done
            on_progress(Progress("songs", done, songs))

    try:
        song_files = write_song_files(catalog, out / "song_data", songs_per_file, song_progress)
        stats = write_log_files(
            catalog,
            out / "log_data",
            events=events,
            users=user_count(events),
            days=days,
            start=start_date,
            match_share=match_share,
            rng=random.Random(salts[5]),
            user_salt=salts[6],
            report=lambda done: on_progress(Progress("events", done, events)),
        )
    except OSError as exc:  # disk full, permissions: the user's environment, not a bug
        raise ConfigError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from exc
    return GenerateResult(
        out=out,
        events=stats.events,
        next_song_events=stats.next_song,
        matching_plays=stats.matching,
        song_files=song_files,
        log_files=stats.files,
        songs=songs,
        artists=catalog.artists,
        users=stats.users,
        seed=seed,
        days=days,
        start_date=start_date,
    )


def _validate(*, events: int, songs: int, days: int, songs_per_file: int, match_share: float) -> None:
    if events < 0:
        raise ConfigError(f"--events must be 0 or more, not {events}")
    if songs < 1:
        raise ConfigError(f"--songs must be 1 or more, not {songs}")
    if days < 1:
        raise ConfigError(f"--days must be 1 or more, not {days}")
    if songs_per_file < 1:
        raise ConfigError(f"--songs-per-file must be 1 or more, not {songs_per_file}")
    if not 0.0 <= match_share <= 1.0:
        raise ConfigError(f"--match-share must be between 0 and 1, not {match_share}")


def _prepare(out: Path, *, force: bool, args: dict[str, object]) -> None:
    """Refuses a non-empty OUT that a previous run did not write (unless forced); clears our two folders."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file() and not force:
        raise ConfigError(
            f"{out} is not empty and was not written by sparkify generate",
            hint="choose an empty folder, or --force to replace its song_data/ and log_data/",
        )
    try:
        for sub in ("song_data", "log_data"):
            if (out / sub).is_dir():
                shutil.rmtree(out / sub)
            elif (out / sub).exists():
                (out / sub).unlink()
        out.mkdir(parents=True, exist_ok=True)
        marker = {"written_by": "sparkify generate", "format": FORMAT_VERSION, "arguments": args}
        (out / MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write to {out}: {exc.strerror or exc}") from exc
