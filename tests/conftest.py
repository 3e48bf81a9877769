"""Shared fixtures: an isolated working folder and environment, the CLI, small source data."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sparkify_cli.cli.app import app

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sparkify"
if not (REAL_DATA / "log_data").is_dir():
    REAL_DATA = Path(os.environ.get("SPARKIFY_TEST_REAL_DATA", "/nonexistent"))


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads the developer's .env or SPARKIFY_* variables; each gets its own warehouse file."""
    for key in list(os.environ):
        if key.startswith("SPARKIFY_") and key != "SPARKIFY_TEST_REAL_DATA":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPARKIFY_DUCKDB_PATH", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("SPARKIFY_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "log_data").is_dir():
        pytest.skip("real Sparkify data (../shared/data/sparkify) is not present")
    return REAL_DATA


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the real CLI in-process (the same Typer app the console script runs)."""
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return invoke


def query(sql: str) -> list[dict[str, Any]]:
    """Ask the warehouse through `sparkify query` (the way a user would)."""
    result = invoke("query", sql, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def count(table: str) -> int:
    return int(query(f"SELECT count(*) AS n FROM songs.{table}")[0]["n"])


# --- small hand-made source data -------------------------------------------------------------


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
