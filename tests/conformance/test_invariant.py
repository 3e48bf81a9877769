"""The invariant, as a property: after any sequence of run, stage, load and prune — days in any
order, re-delivered files that changed, shrank, grew or emptied, events repeated across files, a
catalog that changed, deleted files, runs that failed half-way — the star tables equal, row by
row, a fresh full load of the files as they were when last loaded.

Random sequences from fixed seeds (reproducible in CI); a model tracks which version of each file
was staged and loaded, and the expected warehouse is a fresh `sparkify run` of exactly those files.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from support.cli import invoke, query
from support.data import event, song
from support.faults import failing_at
from support.harness import Env, Harness

DAYS = [f"2018-11-0{d}" for d in range(1, 5)]
BASE_TS = 1541030400000  # 2018-11-01 00:00 UTC
Content = tuple[str, ...]  # the lines of a file


def catalog(variant: int) -> dict[str, str]:
    """Song files; another variant moves some durations, so other plays match."""
    songs = [
        song(
            song_id=f"SO{i}",
            title=f"Song {i}",
            artist_id=f"AR{i % 3}",
            artist_name=f"Artist {i % 3}",
            duration=100.0 + i + (0.5 if variant and i % 2 else 0.0),
        )
        for i in range(8)
    ]
    return {f"A/B/C/TR{i:04d}.json": json.dumps(s) for i, s in enumerate(songs)}


def base_events(day: int) -> list[dict[str, Any]]:
    rng = random.Random(day)
    out = []
    for i in range(12):
        user = str(rng.choice([1, 2, 3, 2 + day * 2, 3 + day * 2]))  # some users only in one day
        pick = rng.randint(0, 7)
        out.append(
            event(
                userId=user,
                sessionId=10 * day + int(user),
                itemInSession=i,
                ts=BASE_TS + day * 86_400_000 + i * 60_000,
                level=rng.choice(["free", "paid"]),
                page=rng.choice(["NextSong"] * 3 + ["Home"]),
                song=f"Song {pick}",
                artist=f"Artist {pick % 3}",
                length=100.0 + pick + rng.choice([0.0, 0.5]),
                firstName=f"U{user}",
                lastName="X",
                gender="F",
            )
        )
    return out


def variant(day: int, rng: random.Random) -> Content:
    """A delivery of one day's file: as first sent, changed, shrunk, grown, empty, or holding events
    of another day's file too (the same event in two files)."""
    events = base_events(day)
    kind = rng.choice(["base", "changed", "shrunk", "grown", "empty", "shared"])
    if kind == "changed":
        events = [
            dict(e, level="paid" if e["level"] == "free" else "free") if i % 3 == 0 else e for i, e in enumerate(events)
        ]
        events[1] = dict(events[1], page="NextSong", song="Song 3", artist="Artist 0", length=103.0)
    elif kind == "shrunk":
        events = events[: rng.randint(1, len(events) - 1)]
    elif kind == "grown":
        events += [dict(e, itemInSession=e["itemInSession"] + 100, ts=e["ts"] + 30_000) for e in events[:5]]
    elif kind == "empty":
        events = []
    elif kind == "shared":
        other = base_events((day + 1) % len(DAYS))
        events = events[:6] + other[:4]  # the other file holds these too when it is as first sent
    return tuple(json.dumps(e) for e in events)


@dataclass
class Model:
    """What the source holds now, and which version of each file is staged and loaded."""

    root: Path
    files: dict[str, Content | None] = field(default_factory=dict)
    staged: dict[str, Content] = field(default_factory=dict)
    loaded: dict[str, Content] = field(default_factory=dict)
    songs_now: int = 0  # which catalog variant song_data holds
    songs_staged: int = 0
    songs_loaded: int = 0

    def path(self, day: str) -> Path:
        return self.root / "log_data" / day[:4] / day[5:7] / f"{day}-events.json"

    def write(self, day: str, content: Content | None) -> None:
        self.files[day] = content
        path = self.path(day)
        if content is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(content))

    def write_catalog(self, number: int) -> None:
        self.songs_now = number
        shutil.rmtree(self.root / "song_data", ignore_errors=True)
        for name, text in catalog(number).items():
            target = self.root / "song_data" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def present(self) -> list[str]:
        return [d for d, c in self.files.items() if c is not None]


def sparkify(*args: str, env: Env | None = None) -> int:
    """0, or 1 when a check fails (an emptied day can leave a table empty: see checks_agree)."""
    result = invoke(*args, env=env)
    assert result.exit_code in (0, 1), f"{args}: {result.stderr}"
    return result.exit_code


def checks_agree() -> None:
    """Every error-severity check passes but `not_empty` (emptied files can empty a table)."""
    report = invoke("check", "--format", "json")
    assert report.exit_code in (0, 1), report.stderr
    failed = [c["name"] for c in report.json()["checks"] if c["status"] in ("fail", "error")]
    assert [n for n in failed if not n.endswith(".not_empty")] == []


def apply(model: Model, rng: random.Random, harness: Harness) -> str:
    """One random step on the warehouse, mirrored in the model; returns what it did."""
    day = rng.choice(DAYS)
    step = rng.choice(
        [
            "deliver",
            "deliver",
            "run-day",
            "run-day",
            "stage-day",
            "load-day",
            "run-all",
            "load-all",
            "remove",
            "prune",
            "catalog",
            "fail-day",
        ]
    )
    src = str(model.root)
    if step == "deliver":
        model.write(day, variant(DAYS.index(day), rng))
    elif step == "remove":
        model.write(day, None)
    elif step == "catalog":
        model.write_catalog(1 - model.songs_now)
    elif step in ("run-day", "stage-day") and model.files.get(day) is not None:
        sparkify("run" if step == "run-day" else "stage", "--source", src, "--date", day)
        model.staged[day], model.songs_staged = model.files[day], model.songs_now  # type: ignore[assignment]
        if step == "run-day":
            model.loaded[day], model.songs_loaded = model.staged[day], model.songs_staged
    elif step == "load-day" and day in model.staged:
        sparkify("load", "--date", day)
        model.loaded[day], model.songs_loaded = model.staged[day], model.songs_staged
    elif step == "run-all" and model.present():
        sparkify("run", "--source", src)
        for d in model.present():
            model.staged[d] = model.loaded[d] = model.files[d]  # type: ignore[assignment]
        model.songs_staged = model.songs_loaded = model.songs_now
    elif step == "load-all" and model.staged:
        sparkify("load")
        model.loaded.update(model.staged)
        model.songs_loaded = model.songs_staged
    elif step == "prune":
        sparkify("prune", "--source", src, "--yes")
        for d in [d for d in model.staged if model.files.get(d) is None]:
            model.staged.pop(d)
            model.loaded.pop(d, None)
    elif step == "fail-day" and model.files.get(day) is not None:
        before = loaded_at(day)
        with failing_at(str(rng.randint(5, 80)), harness.connection_class):
            invoke("run", "--source", src, "--date", day)
        if loaded_at(day) != before:  # the fault came after the day's commit (during the checks)
            model.staged[day] = model.loaded[day] = model.files[day]  # type: ignore[assignment]
            model.songs_staged = model.songs_loaded = model.songs_now
    else:
        return f"{step} {day} (nothing to do)"
    return f"{step} {day}"


def loaded_at(day: str) -> Any:
    found = invoke(
        "query", f"SELECT loaded_at FROM songs.staged_files WHERE source_file LIKE '%{day}%'", "--format", "json"
    )
    return found.json() if found.exit_code == 0 else None


def expected(model: Model, harness: Harness, folder: Path) -> dict[str, list[Any]]:
    """A fresh full load of the files as they were when last loaded."""
    if not model.loaded:
        return {}
    fresh = Model(folder)
    fresh.write_catalog(model.songs_loaded)
    for day, content in model.loaded.items():
        fresh.write(day, content)
    env = harness.env(f"expected-{folder.name}")
    result = invoke("run", "--source", str(folder), env=env)
    assert result.exit_code in (0, 1), result.stderr
    return harness.star(env)


@pytest.mark.parametrize("seed", range(6))
def test_any_sequence_equals_a_full_load_of_what_was_loaded(harness: Harness, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    model = Model(tmp_path / "source")
    model.write_catalog(0)
    for d in DAYS:
        model.write(d, variant(DAYS.index(d), rng))
    sparkify("run", "--source", str(model.root), "--date", DAYS[0])
    model.staged[DAYS[0]] = model.loaded[DAYS[0]] = model.files[DAYS[0]]  # type: ignore[assignment]
    done = []
    for number in range(16):
        done.append(apply(model, rng, harness))
        if number % 2 == 1:
            want = expected(model, harness, tmp_path / f"expected-{number}")
            assert harness.star(harness.env()) == want, f"seed {seed} after: {done}"
            checks_agree()
    # the checks agree: nothing is left unreconciled
    failing = query(
        "SELECT count(*) AS n FROM songs.songplay_sources s "
        "WHERE NOT EXISTS (SELECT 1 FROM songs.songplays p WHERE p.songplay_id = s.songplay_id)"
    )
    assert failing == [{"n": 0}]
