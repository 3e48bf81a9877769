"""Every built-in check passes on clean data and fails on a crafted violation (real DuckDB, real load)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli.errors import ConfigError, WarehouseError
from sparkify_cli.services.checks.run import CheckReport, open_warehouse, run_checks
from sparkify_cli.settings import Settings, load_settings
from support.check_data import TODAY, YESTERDAY, build_warehouse, copy_warehouse, run_sql


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("check-template"))


@pytest.fixture
def wh_path(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = copy_warehouse(template, tmp_path / "wh.duckdb")
    monkeypatch.setenv("SPARKIFY_DUCKDB_PATH", str(path))
    return path


def check(day: date | None = None, checks_file: Path | None = None, **overrides: Any) -> CheckReport:
    settings: Settings = load_settings(**overrides)
    with open_warehouse(settings) as wh:
        return run_checks(wh, settings, day=day, checks_file=checks_file)


def not_passing(report: CheckReport) -> dict[str, str]:
    return {r.name: r.status for r in report.results if r.status != "pass"}


def test_clean_data_passes_every_check(wh_path: Path) -> None:
    report = check()
    assert not_passing(report) == {}
    assert report.ok
    assert len(report.results) == 31
    by_name = {r.name: r for r in report.results}
    assert by_name["songplays.song_match_rate"].metrics == {"min_rate": 0.0, "plays": 8, "matched": 2, "rate": 0.25}
    fresh = by_name["songplays.freshness"]
    assert fresh.metrics["latest_start_time"].startswith(TODAY.isoformat())
    assert all(r.failing_rows == 0 and r.samples == [] and r.duration_s >= 0 for r in report.results)


ERROR = "fail"
# (what is broken, SQL that breaks it, every check that must not pass -> status)
VIOLATIONS = [
    (
        "duplicate user key",
        ["INSERT INTO songs.users SELECT * FROM songs.users WHERE user_id = '2'"],
        {"users.user_id.unique": ERROR},
    ),
    (
        "duplicate songplay key",
        ["INSERT INTO songs.songplays SELECT * FROM songs.songplays ORDER BY songplay_id LIMIT 1"],
        {"songplays.songplay_id.unique": ERROR, "songplays.reconciliation": ERROR},
    ),
    ("duplicate song key", ["INSERT INTO songs.songs SELECT * FROM songs.songs"], {"songs.song_id.unique": ERROR}),
    (
        "duplicate artist key",
        ["INSERT INTO songs.artists SELECT * FROM songs.artists WHERE artist_id = 'AR2'"],
        {"artists.artist_id.unique": ERROR},
    ),
    (
        "duplicate time key",
        ['INSERT INTO songs."time" SELECT * FROM songs."time" ORDER BY start_time LIMIT 2'],
        {"time.start_time.unique": ERROR},
    ),
    (
        "NULL artist key",
        [
            "ALTER TABLE songs.artists ALTER COLUMN artist_id DROP NOT NULL",
            "INSERT INTO songs.artists (artist_id, name) VALUES (NULL, 'Nobody')",
        ],
        {"artists.artist_id.not_null": ERROR},
    ),
    (
        "NULL user key",
        [
            "ALTER TABLE songs.users ALTER COLUMN user_id DROP NOT NULL",
            "INSERT INTO songs.users VALUES (NULL, 'X', 'Y', 'F', 'free')",
        ],
        {"users.user_id.not_null": ERROR},
    ),
    (
        "NULL song key",
        [
            "ALTER TABLE songs.songs ALTER COLUMN song_id DROP NOT NULL",
            "INSERT INTO songs.songs (song_id, title) VALUES (NULL, 'Untitled')",
        ],
        {"songs.song_id.not_null": ERROR},
    ),
    (
        "NULL songplay key",
        [
            "ALTER TABLE songs.songplays ALTER COLUMN songplay_id DROP NOT NULL",
            "UPDATE songs.songplays SET songplay_id = NULL WHERE user_id = '3'",
        ],
        {"songplays.songplay_id.not_null": ERROR, "songplays.reconciliation": ERROR},
    ),
    (
        "NULL time key",
        [
            'ALTER TABLE songs."time" ALTER COLUMN start_time DROP NOT NULL',
            'INSERT INTO songs."time" VALUES (NULL, 1, 1, 1, 1, 2020, 1)',
        ],
        {"time.start_time.not_null": ERROR},
    ),
    (
        "empty table",
        ["DELETE FROM songs.artists"],
        {"artists.not_empty": ERROR, "songplays.artist_id.in_artists": ERROR},
    ),
    ("orphan songplay user", ["DELETE FROM songs.users WHERE user_id = '2'"], {"songplays.user_id.in_users": ERROR}),
    (
        "orphan songplay time",
        ['DELETE FROM songs."time" WHERE start_time = (SELECT min(start_time) FROM songs."time")'],
        {"songplays.start_time.in_time": ERROR},
    ),
    (
        "orphan songplay song",
        ["UPDATE songs.songplays SET song_id = 'SO404' WHERE song_id IS NOT NULL"],
        {"songplays.song_id.in_songs": ERROR},
    ),
    (
        "orphan songplay artist",
        ["UPDATE songs.songplays SET artist_id = 'AR404' WHERE user_id = '2'"],
        {"songplays.artist_id.in_artists": ERROR},
    ),
    (
        "bad songplay level",
        ["UPDATE songs.songplays SET level = 'gold' WHERE user_id = '2'"],
        {"songplays.level.accepted_values": ERROR},
    ),
    (
        "NULL songplay level",
        ["UPDATE songs.songplays SET level = NULL WHERE user_id = '2'"],
        {"songplays.level.accepted_values": ERROR},
    ),
    (
        "bad user level",
        ["UPDATE songs.users SET level = 'Paid' WHERE user_id = '1'"],
        {"users.level.accepted_values": ERROR},
    ),
    (
        "bad gender",
        ["UPDATE songs.users SET gender = 'X' WHERE user_id = '1'"],
        {"users.gender.accepted_values": ERROR},
    ),
    ("bad hour", ['UPDATE songs."time" SET hour = 24 WHERE hour = 0'], {"time.hour.range": ERROR}),
    ("NULL hour", ['UPDATE songs."time" SET hour = NULL'], {"time.hour.range": ERROR}),
    ("bad weekday", ['UPDATE songs."time" SET weekday = 7'], {"time.weekday.range": ERROR}),
    ("bad month", ['UPDATE songs."time" SET month = 0'], {"time.month.range": ERROR}),
    ("bad day", ['UPDATE songs."time" SET day = 32'], {"time.day.range": ERROR}),
    ("bad week", ['UPDATE songs."time" SET week = 54'], {"time.week.range": ERROR}),
    ("lost songplay", ["DELETE FROM songs.songplays WHERE user_id = '3'"], {"songplays.reconciliation": ERROR}),
    (
        "staged count differs",
        ["UPDATE songs.staged_files SET next_song_rows = next_song_rows + 1 WHERE kind = 'event'"],
        {"songplays.reconciliation": ERROR},
    ),
    (
        "lineage of an unstaged file",
        ["DELETE FROM songs.staged_files WHERE kind = 'event'"],
        {"songplays.reconciliation": ERROR},
    ),
    ("staged but not loaded", ["DELETE FROM songs.songplay_sources"], {"songplays.staged_not_loaded": "warn"}),
    (
        "stale data",
        [
            "UPDATE songs.songplays SET start_time = start_time - INTERVAL 30 DAY",
            'UPDATE songs."time" SET start_time = start_time - INTERVAL 30 DAY',
        ],
        {"songplays.freshness": "warn"},
    ),
    (
        "no plays at all",
        ["DELETE FROM songs.songplays", 'DELETE FROM songs."time"'],
        {
            "songplays.not_empty": ERROR,
            "time.not_empty": ERROR,
            "songplays.reconciliation": ERROR,
            "songplays.freshness": "warn",
        },
    ),
]


@pytest.mark.parametrize(("broken", "statements", "expected"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_violation_fails_exactly_its_checks(
    wh_path: Path, broken: str, statements: list[str], expected: dict[str, str]
) -> None:
    run_sql(wh_path, *statements)
    report = check()
    assert not_passing(report) == expected
    assert report.ok == (ERROR not in expected.values())
    for result in report.results:
        if result.name in expected:
            assert result.failing_rows and result.samples, result.name


def test_samples_name_the_failing_keys(wh_path: Path) -> None:
    run_sql(
        wh_path,
        "INSERT INTO songs.users SELECT * FROM songs.users WHERE user_id = '2'",
        "UPDATE songs.users SET gender = 'X' WHERE user_id = '1'",
    )
    by_name = {r.name: r for r in check().results}
    assert by_name["users.user_id.unique"].samples == [{"user_id": "2", "copies": 2}]
    assert by_name["users.gender.accepted_values"].samples == [{"user_id": "1", "gender": "X"}]
    assert by_name["users.gender.accepted_values"].failing_rows == 1


def test_gender_may_be_null(wh_path: Path) -> None:
    run_sql(wh_path, "UPDATE songs.users SET gender = NULL")
    assert not_passing(check()) == {}


def test_freshness_severity_and_age_come_from_settings(wh_path: Path) -> None:
    run_sql(wh_path, "UPDATE songs.songplays SET start_time = start_time - INTERVAL 3 DAY")
    assert "songplays.freshness" not in not_passing(check(check_freshness_days=5, warehouse="duckdb"))
    strict = check(check_freshness_days=2, check_freshness_severity="error")
    assert not_passing(strict)["songplays.freshness"] == "fail"
    assert not strict.ok


def test_song_match_rate_below_the_configured_minimum_fails(wh_path: Path) -> None:
    assert check(check_min_song_match_rate=0.25).ok  # 2 of 8 plays match
    report = check(check_min_song_match_rate=0.3)
    assert not_passing(report) == {"songplays.song_match_rate": "fail"}
    assert report.results[-1].samples == [{"plays": 8, "matched": 2, "rate": 0.25}]

    run_sql(wh_path, "UPDATE songs.songplays SET song_id = NULL, artist_id = NULL")
    assert check().ok  # the default minimum (0) only reports the rate
    low = check(check_min_song_match_rate=0.01)
    assert not_passing(low) == {"songplays.song_match_rate": "fail"}


def test_date_scopes_row_level_checks(wh_path: Path) -> None:
    run_sql(
        wh_path,
        f"UPDATE songs.songplays SET level = 'gold' WHERE start_time < DATE '{TODAY}'",
        f"DELETE FROM songs.songplays WHERE user_id = '3' AND start_time < DATE '{TODAY}'",
    )
    assert not_passing(check(day=TODAY)) == {}
    yesterday = check(day=YESTERDAY)
    assert not_passing(yesterday) == {"songplays.level.accepted_values": "fail", "songplays.reconciliation": "fail"}
    reconciliation = next(r for r in yesterday.results if r.name == "songplays.reconciliation")
    assert reconciliation.samples == [
        {
            "source_file": f"log_data/{YESTERDAY:%Y/%m}/{YESTERDAY}-events.json",
            "staged_plays": 4,
            "loaded_plays": 3,
        }
    ]
    empty_day = check(day=date(2000, 1, 1))
    assert not_passing(empty_day) == {"songplays.not_empty": "fail", "time.not_empty": "fail"}


def test_user_check_that_cannot_run_is_an_error(wh_path: Path, tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text(
        '[checks.broken]\nsql = "SELECT * FROM {{ schema }}.nope"\n'
        '[checks.broken_warning]\nseverity = "warn"\nsql = "SELECT nonsense("\n'
        '[checks.fine]\nsql = "SELECT 1 AS x WHERE 1 = 0"\n'
    )
    report = check(checks_file=checks)
    assert not_passing(report) == {"broken": "error", "broken_warning": "error"}
    broken = report.results[-3]
    assert broken.failing_rows is None and "nope" in (broken.error or "")
    assert [r.name for r in report.failures] == ["broken"]  # the warn-severity one does not fail the run
    assert not_passing(check(checks_file=None)) == {}


def test_user_check_may_not_take_a_builtin_name(wh_path: Path, tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text('[checks."users.user_id.unique"]\nsql = "SELECT 1"\n')
    with pytest.raises(ConfigError, match="'users.user_id.unique': a built-in check has this name"):
        check(checks_file=checks)


def test_missing_warehouse_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nothing.duckdb"
    with pytest.raises(WarehouseError, match="no DuckDB warehouse at"):
        check(duckdb_path=path)
    assert not path.exists()


def test_warehouse_without_the_star_schema_cannot_be_checked(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    run_sql(path, "CREATE SCHEMA songs", "CREATE TABLE songs.songplays (x INTEGER)")
    with pytest.raises(WarehouseError, match="schema songs has no users, songs, artists, time, staged_files"):
        check(duckdb_path=path)


def test_json_document_shape(wh_path: Path) -> None:
    run_sql(wh_path, "UPDATE songs.users SET gender = 'X' WHERE user_id = '1'")
    doc = check(day=TODAY).to_json()
    assert set(doc) == {"ok", "warehouse", "schema", "day", "checked_at", "summary", "checks"}
    assert (doc["ok"], doc["warehouse"], doc["schema"], doc["day"]) == (False, "duckdb", "songs", TODAY.isoformat())
    assert doc["checked_at"].endswith("Z")
    assert doc["summary"] == {"pass": 30, "warn": 0, "fail": 1, "error": 0, "total": 31}
    for item in doc["checks"]:
        assert set(item) == {
            "name",
            "table",
            "severity",
            "description",
            "status",
            "failing_rows",
            "samples",
            "metrics",
            "error",
            "sql",
            "duration_s",
        }
        assert item["severity"] in ("error", "warn") and item["status"] in ("pass", "warn", "fail", "error")
        assert isinstance(item["sql"], str) and item["sql"].lstrip().upper().startswith("SELECT")
    failed = [c for c in doc["checks"] if c["status"] == "fail"]
    assert failed == [
        {
            "name": "users.gender.accepted_values",
            "table": "users",
            "severity": "error",
            "description": "gender is M, F or NULL",
            "status": "fail",
            "failing_rows": 1,
            "samples": [{"user_id": "1", "gender": "X"}],
            "metrics": {},
            "error": None,
            "sql": failed[0]["sql"],
            "duration_s": failed[0]["duration_s"],
        }
    ]
