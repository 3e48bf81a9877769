"""Small hand-made source data in the real layout, and where the real sample is."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

REAL_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "sparkify"
if not (REAL_DATA / "log_data").is_dir():
    REAL_DATA = Path(os.environ.get("SPARKIFY_TEST_REAL_DATA", "/nonexistent"))


def event(**overrides: Any) -> dict[str, Any]:
    """One log event in the source's exact shape (a NextSong by default)."""
    base: dict[str, Any] = {
        "artist": "The Smiths",
        "auth": "Logged In",
        "firstName": "Ada",
        "gender": "F",
        "itemInSession": 0,
        "lastName": "Lovelace",
        "length": 200.5,
        "level": "free",
        "location": "London",
        "method": "PUT",
        "page": "NextSong",
        "registration": 1540919166796.0,
        "sessionId": 1,
        "song": "Ask",
        "status": 200,
        "ts": 1541105830796,
        "userAgent": '"Mozilla/5.0"',
        "userId": "7",
    }
    base.update(overrides)
    return base


def song(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "artist_id": "AR1",
        "artist_latitude": None,
        "artist_location": "",
        "artist_longitude": None,
        "artist_name": "The Smiths",
        "duration": 200.5,
        "num_songs": 1,
        "song_id": "SO1",
        "title": "Ask",
        "year": 1986,
    }
    base.update(overrides)
    return base


def write_source(
    root: Path,
    days: dict[str, list[dict[str, Any]] | str | bytes],
    songs: list[dict[str, Any]] | dict[str, str | bytes] | None = None,
) -> Path:
    """Lay out song_data/ and log_data/ like the real data. Values may be raw text/bytes."""
    for day, content in days.items():
        path = root / "log_data" / day[:4] / day[5:7] / f"{day}-events.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, list):
            content = "\n".join(json.dumps(e) for e in content)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    if songs is None:
        songs = [song()]
    if isinstance(songs, list):
        songs = {f"A/B/C/TR{i:04d}.json": json.dumps(s) for i, s in enumerate(songs)}
    for name, text in songs.items():
        path = root / "song_data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def generated(root: Path, days: int = 6, seed: int = 7) -> tuple[Path, list[str]]:
    """A small source whose users change level across days and whose plays partly match songs."""
    rng = random.Random(seed)
    catalog = [
        song(
            song_id=f"SO{i}",
            title=f"Song {i}",
            artist_id=f"AR{i % 4}",
            artist_name=f"Artist {i % 4}",
            duration=100.0 + i,
        )
        for i in range(12)
    ]
    names = []
    by_day: dict[str, list[dict[str, Any]]] = {}
    for d in range(days):
        day = f"2018-11-{d + 1:02d}"
        names.append(day)
        base = 1541030400000 + d * 86_400_000
        events = []
        for i in range(40):
            user = str(rng.randint(1, 8))
            pick = rng.choice(catalog)
            matched = rng.random() < 0.5
            events.append(
                event(
                    userId=user,
                    sessionId=100 + d * 10 + int(user),
                    itemInSession=i,
                    ts=base + i * 60_000 + 796,
                    level=rng.choice(["free", "paid"]),
                    page=rng.choice(["NextSong"] * 4 + ["Home"]),
                    song=pick["title"],
                    artist=pick["artist_name"],
                    length=pick["duration"] if matched else pick["duration"] + 1,
                    firstName=f"U{user}",
                    lastName="X",
                    gender=rng.choice("MF"),
                )
            )
        by_day[day] = events
    return write_source(root, by_day, catalog), names
