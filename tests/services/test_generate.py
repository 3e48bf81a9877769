"""`sparkify generate`: the files have the real data's shape, the same seed gives the same bytes, and the
reported number of matching plays is what an independent recount with plain json finds."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli.errors import ConfigError
from sparkify_cli.services.generate import MARKER, GenerateResult, generate
from support.cli import invoke

EVENT_KEYS = [
    "artist", "auth", "firstName", "gender", "itemInSession", "lastName", "length", "level", "location",
    "method", "page", "registration", "sessionId", "song", "status", "ts", "userAgent", "userId",
]  # fmt: skip
SONG_KEYS = [
    "artist_id", "artist_latitude", "artist_location", "artist_longitude", "artist_name", "duration",
    "num_songs", "song_id", "title", "year",
]  # fmt: skip
USER_FIELDS = ["firstName", "gender", "lastName", "location", "registration", "userAgent"]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_songs(root: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for p in sorted((root / "song_data").rglob("*.json")) for line in p.read_text().split("\n")
    ]


def read_events(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Events per log file name; every line parsed on its own (newline-delimited JSON)."""
    out = {}
    for path in sorted((root / "log_data").rglob("*.json")):
        text = path.read_text(encoding="ascii")
        out[path.name] = [json.loads(line) for line in text.split("\n")] if text else []
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateResult]:
    out = tmp_path_factory.mktemp("gen") / "data"
    return out, generate(out, events=6000, songs=400, seed=7, days=10, start_date=date(2019, 2, 25))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", events=1500, songs=120, seed=3, days=4)
    generate(tmp_path / "b", events=1500, songs=120, seed=3, days=4)
    generate(tmp_path / "c", events=1500, songs=120, seed=4, days=4)
    first, second, other = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert len(first) == 1 + a.song_files + a.log_files  # the marker, the songs, the days
    assert first == second
    assert set(first) != set(other)  # other track ids
    assert [first[k] for k in sorted(first) if "log_data" in k] != [other[k] for k in sorted(other) if "log_data" in k]


def test_song_files_have_the_real_layout_and_types(sample: tuple[Path, GenerateResult]) -> None:
    root, made = sample
    paths = sorted((root / "song_data").rglob("*.json"))
    assert len(paths) == made.song_files == made.songs == 400
    for path in paths:
        a, b, c, name = path.relative_to(root / "song_data").parts
        assert re.fullmatch(r"TR[A-Z]{5}[0-9A-F]{11}\.json", name) and (a, b, c) == tuple(name[2:5])
        text = path.read_text(encoding="ascii")  # non-ASCII is \u-escaped, like the real files
        assert "\n" not in text and '": ' not in text and ', "' not in text  # one compact object, no newline
        song = json.loads(text)
        assert list(song) == SONG_KEYS  # the real files' key order
        assert isinstance(song["artist_id"], str) and re.fullmatch(r"AR[A-Z]{5}[0-9A-F]{11}", song["artist_id"])
        assert isinstance(song["song_id"], str) and re.fullmatch(r"SO[A-Z]{5}[0-9A-F]{11}", song["song_id"])
        for key in ("artist_latitude", "artist_longitude"):
            assert song[key] is None or type(song[key]) is float
        assert (song["artist_latitude"] is None) == (song["artist_longitude"] is None)
        assert type(song["duration"]) is float and song["duration"] > 0
        assert type(song["year"]) is int and (song["year"] == 0 or 1950 <= song["year"] <= 2011)
        assert song["num_songs"] == 1
        assert all(isinstance(song[k], str) for k in ("artist_location", "artist_name", "title"))


def test_song_catalog_has_the_real_quirks(sample: tuple[Path, GenerateResult]) -> None:
    root, made = sample
    songs = read_songs(root)
    assert len({s["song_id"] for s in songs}) == len(songs)
    names: dict[str, set[str]] = defaultdict(set)
    for s in songs:
        names[s["artist_id"]].add(s["artist_name"])
    assert len(names) == made.artists
    assert max(Counter(s["artist_id"] for s in songs).values()) >= 3  # artists with several songs
    assert any(len(v) == 2 for v in names.values())  # one artist_id, two spellings
    assert any(s["artist_latitude"] is None for s in songs) and any(s["artist_latitude"] for s in songs)
    assert any(s["artist_location"] == "" for s in songs) and any(s["year"] == 0 for s in songs)
    text = " ".join(s["title"] + s["artist_name"] for s in songs)
    assert "'" in text and not text.isascii()


def test_log_files_have_the_real_layout_and_types(sample: tuple[Path, GenerateResult]) -> None:
    root, made = sample
    days = [date(2019, 2, 25) + timedelta(days=d) for d in range(10)]  # across a month end
    expected = {f"log_data/{d:%Y}/{d:%m}/{d:%Y-%m-%d}-events.json" for d in days}
    assert {p.relative_to(root).as_posix() for p in (root / "log_data").rglob("*") if p.is_file()} == expected
    by_file = read_events(root)
    assert made.log_files == 10 and sum(map(len, by_file.values())) == made.events == 6000
    for name, events in by_file.items():
        day = date.fromisoformat(name[:10])
        for e in events:
            assert list(e) == EVENT_KEYS
            assert datetime.fromtimestamp(e["ts"] / 1000, tz=UTC).date() == day  # inside the file's UTC day
            assert type(e["ts"]) is int and type(e["itemInSession"]) is int and type(e["sessionId"]) is int
            assert type(e["status"]) is int and isinstance(e["userId"], str)
            assert e["level"] in ("free", "paid") and e["auth"] in ("Logged In", "Logged Out")
            if e["auth"] == "Logged Out":
                assert e["userId"] == "" and all(e[k] is None for k in USER_FIELDS)
            else:
                assert e["userId"].isdigit() and type(e["registration"]) is float
                assert isinstance(e["userAgent"], str) and e["gender"] in ("F", "M")
            if e["page"] == "NextSong":
                assert e["auth"] == "Logged In" and (e["method"], e["status"]) == ("PUT", 200)
                assert isinstance(e["artist"], str) and isinstance(e["song"], str) and type(e["length"]) is float
            else:
                assert e["artist"] is None and e["song"] is None and e["length"] is None


def test_log_lines_are_compact_escaped_and_unterminated(sample: tuple[Path, GenerateResult]) -> None:
    root, _ = sample
    raw = [p.read_bytes() for p in sorted((root / "log_data").rglob("*.json"))]
    assert all(not r.endswith(b"\n") and b"\r" not in r for r in raw)
    text = b"".join(raw).decode("ascii")
    assert '"registration":15' in text and '.0,"sessionId"' in text  # registration written as a float
    assert '"userAgent":"\\"Mozilla\\/5.0' in text  # quoted user agents, "/" escaped as in the real logs


def test_sessions_users_and_levels_behave_like_the_real_ones(sample: tuple[Path, GenerateResult]) -> None:
    root, made = sample
    events = [e for day in read_events(root).values() for e in day]
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)  # each file in time order
    sessions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        sessions[e["sessionId"]].append(e)
    for items in sessions.values():
        assert [e["itemInSession"] for e in items] == list(range(len(items)))
        assert len({e["ts"] for e in items}) == len(items)  # (sessionId, ts) is a key
        assert len({e["userId"] for e in items if e["userId"]}) <= 1
    pages = Counter(e["page"] for e in events)
    assert 0.80 < pages["NextSong"] / len(events) < 0.90
    assert {"Home", "Login", "Logout", "Settings", "Upgrade", "Downgrade", "Submit Upgrade"} <= set(pages)
    levels: dict[str, list[str]] = defaultdict(list)
    for e in events:
        if e["userId"] and (not levels[e["userId"]] or levels[e["userId"]][-1] != e["level"]):
            levels[e["userId"]].append(e["level"])
    assert len(levels) == made.users
    assert any(len(v) > 1 for v in levels.values())  # someone upgraded or downgraded
    assert {v[-1] for v in levels.values()} == {"free", "paid"}


def matching_recount(root: Path) -> tuple[int, int, int]:
    """NextSong events, those equal to a song on (title, artist_name, duration), those on (title, artist)."""
    songs = read_songs(root)
    exact = {(s["title"], s["artist_name"], s["duration"]) for s in songs}
    loose = {(s["title"], s["artist_name"]) for s in songs}
    plays = [e for day in read_events(root).values() for e in day if e["page"] == "NextSong"]
    return (
        len(plays),
        sum((e["song"], e["artist"], e["length"]) in exact for e in plays),
        sum((e["song"], e["artist"]) in loose for e in plays),
    )


def test_matching_plays_are_counted_exactly(sample: tuple[Path, GenerateResult]) -> None:
    root, made = sample
    plays, exact, loose = matching_recount(root)
    assert plays == made.next_song_events
    assert exact == made.matching_plays
    assert 0.26 < exact / plays < 0.34  # the default share is 0.3
    assert loose > exact  # some plays have a catalog title and artist but another duration


@pytest.mark.parametrize("share", [0.0, 0.8, 1.0])
def test_match_share_is_honoured(tmp_path: Path, share: float) -> None:
    made = generate(tmp_path / "g", events=1500, songs=50, days=2, match_share=share)
    plays, exact, _ = matching_recount(tmp_path / "g")
    assert exact == made.matching_plays
    assert abs(exact / plays - share) < 0.05


def test_songs_per_file_puts_one_object_per_line(tmp_path: Path) -> None:
    made = generate(tmp_path / "g", events=10, songs=25, songs_per_file=10, days=1)
    paths = sorted((tmp_path / "g" / "song_data").rglob("*.json"))
    assert made.song_files == len(paths) == 3
    lines = sorted(len(p.read_text().split("\n")) for p in paths)
    assert lines == [5, 10, 10]
    songs = read_songs(tmp_path / "g")
    assert len({s["song_id"] for s in songs}) == 25 and all(list(s) == SONG_KEYS for s in songs)


def test_zero_events_still_writes_every_day(tmp_path: Path) -> None:
    made = generate(tmp_path / "g", events=0, songs=1, days=3)
    assert made.events == made.next_song_events == made.users == 0
    assert [len(v) for v in read_events(tmp_path / "g").values()] == [0, 0, 0]


def test_a_rerun_replaces_its_own_output(tmp_path: Path) -> None:
    generate(tmp_path / "g", events=100, songs=40, days=3)
    generate(tmp_path / "g", events=50, songs=10, days=2)
    assert len(list((tmp_path / "g" / "song_data").rglob("*.json"))) == 10
    assert len(list((tmp_path / "g" / "log_data").rglob("*.json"))) == 2
    assert json.loads((tmp_path / "g" / MARKER).read_text())["arguments"]["songs"] == 10


def test_a_foreign_folder_needs_force(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        generate(tmp_path / "g", events=10, songs=5, days=1)
    assert not (tmp_path / "g" / "song_data").exists()
    generate(tmp_path / "g", events=10, songs=5, days=1, force=True)
    assert (tmp_path / "g" / "notes.txt").read_text() == "mine"


def test_cli_writes_and_summarises(tmp_path: Path) -> None:
    result = invoke("generate", str(tmp_path / "g"), "--events", "300", "--songs", "30", "--days", "3", "--seed", "9")
    assert result.exit_code == 0, result.stderr
    assert "300 events" in result.stdout and "30 songs" in result.stdout and "matching plays" in result.stdout
    assert len(list((tmp_path / "g" / "log_data").rglob("*.json"))) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--events", "-1", "--songs", "5"], "--events"),
        (["--events", "10", "--songs", "0"], "--songs"),
        (["--events", "10", "--songs", "5", "--days", "0"], "--days"),
        (["--events", "10", "--songs", "5", "--songs-per-file", "0"], "--songs-per-file"),
        (["--events", "10", "--songs", "5", "--start-date", "2018-13-01"], "--start-date"),
        (["--events", "10", "--songs", "5", "--match-share", "1.5"], "--match-share"),
    ],
)
def test_cli_bad_arguments_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("generate", str(tmp_path / "g"), *args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (tmp_path / "g").exists()


def test_cli_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "keep.json").write_text("{}")
    result = invoke("generate", str(tmp_path / "g"), "--events", "10", "--songs", "5")
    assert result.exit_code == 2 and "--force" in result.stderr
    assert invoke("generate", str(tmp_path / "g"), "--events", "10", "--songs", "5", "--force").exit_code == 0
