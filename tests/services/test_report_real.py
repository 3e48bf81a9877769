"""`sparkify report` on the real Sparkify sample, checked against a computation of its own: plain
`json` over the source files, none of the project's code. Skipped when the sample is absent."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from support.cli import invoke
from support.data import REAL_DATA

TOLERANCE = 3.0  # the default SPARKIFY_MATCH_TOLERANCE


def text(value: Any) -> str | None:
    """A few song files hold bare JSON numbers in text fields; the warehouse keeps them as text."""
    return value if value is None or isinstance(value, str) else str(value)


def read_songs(root: Path) -> list[dict[str, Any]]:
    """Song files hold one or more JSON objects, compact or pretty-printed."""
    decoder, records = json.JSONDecoder(), []
    for path in sorted((root / "song_data").rglob("*.json")):
        text, at = path.read_text(encoding="utf-8"), 0
        while at < len(text):
            if text[at].isspace():
                at += 1
                continue
            record, at = decoder.raw_decode(text, at)
            records.append(record)
    return records


def read_plays(root: Path) -> list[dict[str, Any]]:
    plays = []
    for path in sorted((root / "log_data").rglob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            if e["page"] == "NextSong":
                e["at"] = datetime.fromtimestamp(e["ts"] // 1000, UTC).replace(tzinfo=None)
                plays.append(e)
    return plays


class Expected:
    """What the report must say, computed from the source files alone."""

    def __init__(self, root: Path) -> None:
        self.songs = read_songs(root)
        self.all_plays = read_plays(root)
        exact: dict[tuple[Any, ...], tuple[str, str]] = {}
        for s in self.songs:  # one candidate per (title, artist, duration): the smallest song_id
            key = (text(s["title"]), text(s["artist_name"]), s["duration"])
            exact[key] = min(exact.get(key, (s["song_id"], s["artist_id"])), (s["song_id"], s["artist_id"]))
        for p in self.all_plays:
            p["song_id"], p["artist_id"] = exact.get((p["song"], p["artist"], p["length"]), (None, None))

    def report(self, day: date | None = None, top: int = 10) -> dict[str, Any]:
        plays = [p for p in self.all_plays if day is None or p["at"].date() == day]
        matched = [p for p in plays if p["song_id"]]
        sessions = {(p["userId"], p["sessionId"]) for p in plays}
        last_play: dict[str, tuple[datetime, str]] = {}
        for p in plays:
            last_play[p["userId"]] = max(last_play.get(p["userId"], (p["at"], p["level"])), (p["at"], p["level"]))
        user_levels = Counter(level for _, level in last_play.values())
        by_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for p in plays:
            by_user[p["userId"]].append(p)
            by_day[p["at"].date()].append(p)

        def top_of(key: str) -> list[tuple[str, int]]:
            counts = Counter(p[key] for p in matched)
            return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

        return {
            "plays": len(plays),
            "matched": len(matched),
            "users": len(by_user),
            "sessions": len(sessions),
            "top_songs": top_of("song_id"),
            "top_artists": top_of("artist_id"),
            "plays_by_hour": [sum(p["at"].hour == h for p in plays) for h in range(24)],
            "plays_by_weekday": [sum((p["at"].weekday() + 1) % 7 == d for p in plays) for d in range(7)],
            "weekday_days": [sum((day.weekday() + 1) % 7 == d for day in by_day) for d in range(7)],
            "levels": sorted((lv, n, user_levels[lv]) for lv, n in Counter(p["level"] for p in plays).items()),
            "top_users": sorted(
                ((u, len(ps), len({p["sessionId"] for p in ps})) for u, ps in by_user.items()),
                key=lambda row: (-row[1], row[0]),
            )[:top],
            "per_day": [
                (
                    d.isoformat(),
                    len(ps),
                    len({(p["userId"], p["sessionId"]) for p in ps}),
                    len({p["userId"] for p in ps}),
                )
                for d, ps in sorted(by_day.items())
            ],
        }

    def near_candidates(self, tolerance: float) -> dict[tuple[str, str], tuple[str, list[str]]]:
        """(start_time, user) of each unmatched play -> (song_id, reasons) under the normalized rule."""

        def repair(text: str) -> str:
            for _ in range(3):
                try:
                    text, before = text.encode("latin-1").decode("utf-8"), text
                except (UnicodeEncodeError, UnicodeDecodeError):
                    break
                if text == before:
                    break
            return text

        def key(text: str) -> str:
            return text.replace("_ ", ", ").lower()

        catalog: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for s in self.songs:
            catalog[(key(str(s["title"])), key(str(s["artist_name"])))].append(s)
        found = {}
        for p in self.all_plays:
            if p["song_id"]:
                continue
            song, artist = repair(p["song"]), repair(p["artist"])
            near = [s for s in catalog[(key(song), key(artist))] if abs(s["duration"] - p["length"]) <= tolerance]
            if not near:
                continue
            best = min(near, key=lambda s: (abs(s["duration"] - p["length"]), s["song_id"]))
            why = ["encoding"] if (song, artist) != (p["song"], p["artist"]) else []
            if song.lower() != best["title"].lower() or artist.lower() != str(best["artist_name"]).lower():
                why.append("punctuation")
            if song.replace("_ ", ", ") != best["title"].replace("_ ", ", ") or artist.replace("_ ", ", ") != str(
                best["artist_name"]
            ).replace("_ ", ", "):
                why.append("case")
            if best["duration"] != p["length"]:
                why.append("duration")
            found[(p["at"].isoformat() + "Z", p["userId"])] = (best["song_id"], why)
        return found


@pytest.fixture(scope="module")
def expected() -> Expected:
    if not (REAL_DATA / "log_data").is_dir():
        pytest.skip("real Sparkify data (../shared/data/sparkify) is not present")
    return Expected(REAL_DATA)


def as_expected(doc: dict[str, Any]) -> dict[str, Any]:
    """The report's JSON in the shape of Expected.report()."""
    return {
        "plays": doc["plays"],
        "matched": doc["matched"],
        "users": doc["users_with_plays"],
        "sessions": doc["sessions"],
        "top_songs": [(s["song_id"], s["plays"]) for s in doc["top_songs"]],
        "top_artists": [(a["artist_id"], a["plays"]) for a in doc["top_artists"]],
        "plays_by_hour": [h["plays"] for h in doc["plays_by_hour"]],
        "plays_by_weekday": [d["plays"] for d in doc["plays_by_weekday"]],
        "weekday_days": [d["days"] for d in doc["plays_by_weekday"]],
        "levels": [(lv["level"], lv["plays"], lv["users_with_plays"]) for lv in doc["levels"]],
        "top_users": [(u["user_id"], u["plays"], u["sessions"]) for u in doc["top_users"]],
        "per_day": [(d["day"], d["plays"], d["sessions"], d["users_with_plays"]) for d in doc["per_day"]],
    }


@pytest.fixture(scope="module")
def exact_env(expected: Expected, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One exact-mode load of the real data, shared by this module's tests (a load takes seconds)."""
    env = {"SPARKIFY_DUCKDB_PATH": str(tmp_path_factory.mktemp("real") / "exact.duckdb"), "SPARKIFY_MATCH": "exact"}
    result = invoke("run", "--source", str(REAL_DATA), env=env)
    assert result.exit_code == 0, result.stderr
    return env


def json_of(*args: str, env: dict[str, str]) -> dict[str, Any]:
    result = invoke(*args, "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def test_report_numbers_equal_an_independent_computation(expected: Expected, exact_env: dict[str, str]) -> None:
    whole = json_of("report", env=exact_env)
    assert as_expected(whole) == expected.report()
    assert (whole["plays"], whole["matched"], whole["users_with_plays"]) == (6820, 39, 96)
    paid = next(lv for lv in whole["levels"] if lv["level"] == "paid")
    assert paid["users_with_plays"] == 22

    for day in ("2018-11-15", "2018-11-25"):
        scoped = json_of("report", "--date", day, env=exact_env)
        assert as_expected(scoped) == expected.report(date.fromisoformat(day))
    assert as_expected(json_of("report", "--top", "25", env=exact_env)) == expected.report(top=25)


def test_normalized_mode_adds_exactly_the_near_candidates(
    expected: Expected, exact_env: dict[str, str], tmp_path: Path
) -> None:
    listed = json_of("report", "matches", env=exact_env)
    near = {(m["start_time"], m["user_id"]): (m["song_id"], m["reasons"]) for m in listed["near"]}
    assert near == expected.near_candidates(TOLERANCE)
    assert len(near) == 2 and (listed["matched"], listed["plays"]) == (39, 6820)

    plays = "SELECT songplay_id, song_id FROM songs.songplays"
    exact = {r["songplay_id"]: r["song_id"] for r in json_of("query", plays, env=exact_env)["rows"]}
    env = {"SPARKIFY_MATCH": "normalized", "SPARKIFY_DUCKDB_PATH": str(tmp_path / "normalized.duckdb")}
    assert invoke("run", "--source", str(REAL_DATA), env=env).exit_code == 0
    normalized = {r["songplay_id"]: r["song_id"] for r in json_of("query", plays, env=env)["rows"]}
    assert normalized.keys() == exact.keys()
    assert {k: v for k, v in exact.items() if v} == {k: v for k, v in normalized.items() if exact[k]}
    added = {k: v for k, v in normalized.items() if v and not exact[k]}
    assert added == {m["songplay_id"]: m["song_id"] for m in listed["near"]}
    assert json_of("report", "matches", env=env)["near"] == []
