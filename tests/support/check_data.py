"""Helpers (no tests): a tiny Sparkify source written by the test and a warehouse loaded from it through
the real services, so each check test can break one thing with direct SQL and look at the report."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from sparkify_cli.days import Days
from sparkify_cli.services.pipeline import run as pipeline
from sparkify_cli.services.pipeline import schema
from sparkify_cli.settings import Settings
from sparkify_cli.sources import LogLayout
from sparkify_cli.sources.local import LocalSource
from sparkify_cli.warehouse import connect

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)
DAYS = (YESTERDAY, TODAY)  # today's plays keep the data fresh for the default 1-day freshness check
LOG_KEY = "log_data/{year}/{month:02d}/{date}-events.json"
SONGS = [
    {
        "artist_id": "AR1",
        "artist_latitude": 53.4,
        "artist_location": "Manchester",
        "artist_longitude": -2.2,
        "artist_name": "The Smiths",
        "duration": 200.5,
        "num_songs": 1,
        "song_id": "SO1",
        "title": "Ask",
        "year": 1986,
    },
    {
        "artist_id": "AR2",
        "artist_latitude": None,
        "artist_location": "",
        "artist_longitude": None,
        "artist_name": "Blur",
        "duration": 121.0,
        "num_songs": 1,
        "song_id": "SO2",
        "title": "Song 2",
        "year": 1997,
    },
]
# (userId, first name, gender, level, page, artist, song, length) per event of a day.
PLAYS = [
    ("1", "Ada", "F", "free", "NextSong", "The Smiths", "Ask", 200.5),  # matches SO1
    ("1", "Ada", "F", "paid", "NextSong", "Pulp", "Common People", 350.0),
    ("2", "Bob", "M", "paid", "NextSong", "Oasis", "Wonderwall", 258.9),
    ("3", "Cy", None, "free", "NextSong", "Suede", "Animal Nitrate", 208.0),
    ("", None, None, "free", "Home", None, None, None),  # logged out: no user, no play
]


def events(day: date) -> list[dict[str, Any]]:
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000
    out = []
    for i, (user, first, gender, level, page, artist, song, length) in enumerate(PLAYS):
        out.append(
            {
                "artist": artist,
                "auth": "Logged In" if user else "Logged Out",
                "firstName": first,
                "gender": gender,
                "itemInSession": i,
                "lastName": "Doe" if user else None,
                "length": length,
                "level": level,
                "location": "London" if user else None,
                "method": "PUT",
                "page": page,
                "registration": 1540919166796.0 if user else None,
                "sessionId": 10 + day.day,
                "song": song,
                "status": 200,
                "ts": midnight + (i + 1) * 60_000 + 796,
                "userAgent": '"Mozilla/5.0"' if user else None,
                "userId": user,
            }
        )
    return out


def write_source(root: Path) -> Path:
    for day in DAYS:
        path = root / LOG_KEY.format(year=day.year, month=day.month, date=day.isoformat())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(json.dumps(e) for e in events(day)) + "\n")
    for i, song in enumerate(SONGS):
        path = root / "song_data" / "A" / "B" / f"TR{i:04d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(song))
    return root


def build_warehouse(folder: Path) -> Path:
    """Source in folder/source, warehouse loaded by schema.create + stage.stage + load.load."""
    source = write_source(folder / "source")
    path = folder / "template.duckdb"
    settings = Settings(_env_file=None, warehouse="duckdb", duckdb_path=path, db_schema="songs")  # type: ignore[call-arg]
    with connect(settings) as wh:
        schema.create(wh)
        pipeline.stage(wh, settings, LocalSource.open(source, LogLayout(LOG_KEY)), Days(None))
        pipeline.load(wh, settings, Days(None))
    return path


def copy_warehouse(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    return target


def run_sql(path: Path, *statements: str) -> None:
    """Break the warehouse on purpose, the way a buggy loader or a hand edit would."""
    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
