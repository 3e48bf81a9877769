"""The embedded pipeline on the real Sparkify sample: the numbers of EXPECTED.md, through the CLI."""

from __future__ import annotations

from pathlib import Path

from support.cli import count, invoke, query
from support.harness import Harness


def test_run_on_real_data_reproduces_expected_counts(harness: Harness, real_data: Path) -> None:
    result = invoke("run", "--source", str(real_data))
    assert result.exit_code == 0, result.stderr

    assert count("staging_events") == 8056
    assert count("staging_songs") == 1944
    assert count("rejects") == 0
    assert count("songplays") == 6820
    assert query("SELECT count(*) AS n FROM songs.songplays WHERE song_id IS NOT NULL")[0]["n"] == 39
    assert count("users") == 97
    assert query("SELECT count(*) AS n FROM songs.users WHERE level = 'paid'")[0]["n"] == 22
    assert count("songs") == 1943
    assert count("artists") == 1809
    assert count("time") == 6813

    play = query(
        "SELECT user_id, level, session_id FROM songs.songplays "
        "WHERE session_id = 221 AND start_time = TIMESTAMP '2018-11-07 18:11:11'"
    )
    assert play == [{"user_id": "15", "level": "paid", "session_id": 221}]
    when = query(
        "SELECT hour, day, week, month, year, weekday FROM songs.time "
        "WHERE start_time = TIMESTAMP '2018-11-07 18:11:11'"
    )
    assert when == [{"hour": 18, "day": 7, "week": 45, "month": 11, "year": 2018, "weekday": 3}]


def test_running_again_changes_nothing(harness: Harness, real_data: Path) -> None:
    assert invoke("run", "--source", str(real_data)).exit_code == 0
    before = query("SELECT songplay_id, level, song_id FROM songs.songplays ORDER BY songplay_id")
    again = invoke("run", "--source", str(real_data))
    assert again.exit_code == 0, again.stderr
    assert "catalog unchanged" in again.stdout
    assert query("SELECT songplay_id, level, song_id FROM songs.songplays ORDER BY songplay_id") == before
    assert count("staging_events") == 8056


def test_day_by_day_equals_full_load(harness: Harness, real_data: Path, tmp_path: Path) -> None:
    days = [f"2018-11-{d:02d}" for d in (30, 1, 15, 2, 29)]
    for day in days:
        r = invoke("run", "--date", day, "--source", str(real_data))
        assert r.exit_code == 0, r.stderr
    by_day = query("SELECT * FROM songs.users ORDER BY user_id")
    plays = query("SELECT * FROM songs.songplays ORDER BY songplay_id")

    env = harness.env("full")
    src = tmp_path / "subset"
    for day in days:
        target = src / "log_data/2018/11" / f"{day}-events.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((real_data / "log_data/2018/11" / f"{day}-events.json").read_bytes())
    (src / "song_data").symlink_to(real_data / "song_data")
    assert invoke("run", "--source", str(src), env=env).exit_code == 0
    q = lambda sql: invoke("query", sql, "--format", "json", env=env).json()["rows"]  # noqa: E731
    assert q("SELECT * FROM songs.users ORDER BY user_id") == by_day
    assert q("SELECT * FROM songs.songplays ORDER BY songplay_id") == plays
