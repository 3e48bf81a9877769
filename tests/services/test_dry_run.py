"""--dry-run on DuckDB: the script is exactly what the step runs (replaying it on a copy of the
warehouse gives the same tables as the real step), and the warehouse itself is left untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sparkify_cli import sql
from sparkify_cli.days import Days, select_days
from sparkify_cli.errors import ConfigError
from sparkify_cli.services.pipeline import run as pipeline
from sparkify_cli.services.pipeline import schema
from sparkify_cli.services.pipeline.dry_run import dry_run_sql
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import LogLayout
from sparkify_cli.sources.local import LocalSource
from sparkify_cli.warehouse import connect
from support.s3_fixtures import write_fixture

TABLES = {
    "staging_events": "source_file, line_no",
    "staging_songs": "song_id, source_file, line_no",
    "rejects": "source_file, line_no",
    "songplays": "songplay_id",
    "users": "user_id",
    "songs": "song_id",
    "artists": "artist_id",
    "time": "start_time",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def replay(script: str, db: Path) -> None:
    con = duckdb.connect(str(db))
    for statement in sql.statements(script):
        con.execute(statement)
    con.close()


def tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    found = {t: con.execute(f'SELECT * FROM songs."{t}" ORDER BY {order}').fetchall() for t, order in TABLES.items()}
    found["staged_files"] = con.execute(
        "SELECT source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows "
        "FROM songs.staged_files ORDER BY 1"
    ).fetchall()
    con.close()
    return found


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPARKIFY_SOURCE", str(write_fixture(tmp_path / "src")))
    db = tmp_path / "wh.duckdb"
    with connect(load_settings()) as wh:
        schema.create(wh)
    return db


def test_schema_dry_run_creates_nothing_and_replays_to_the_schema(tmp_path: Path) -> None:
    settings = load_settings(duckdb_path=tmp_path / "fresh.duckdb")
    script = dry_run_sql(settings, "schema")
    assert not (tmp_path / "fresh.duckdb").exists()
    replay(script, tmp_path / "replayed.duckdb")
    with connect(settings) as wh:
        schema.create(wh)
    assert tables(tmp_path / "replayed.duckdb") == tables(tmp_path / "fresh.duckdb")


@pytest.mark.parametrize("day", [None, "2018-11-02"])
def test_stage_and_load_scripts_are_what_the_steps_run(warehouse: Path, tmp_path: Path, day: str | None) -> None:
    settings = load_settings()
    days = select_days(day, None, None)
    source = LocalSource.open(settings.source, LogLayout(settings.log_key_template))
    before = digest(warehouse)
    stage_script = dry_run_sql(settings, "stage", days=days)
    assert digest(warehouse) == before  # nothing changed

    shutil.copyfile(warehouse, tmp_path / "replayed.duckdb")
    replay(stage_script, tmp_path / "replayed.duckdb")
    with connect(settings) as wh:
        pipeline.stage(wh, settings, source, days)
    assert tables(tmp_path / "replayed.duckdb") == tables(warehouse)

    before = digest(warehouse)
    load_script = dry_run_sql(settings, "load", days=days)
    assert digest(warehouse) == before
    replay(load_script, tmp_path / "replayed.duckdb")
    with connect(settings) as wh:
        pipeline.load(wh, settings, days)
    replayed = tables(tmp_path / "replayed.duckdb")
    assert replayed == tables(warehouse) and replayed["songplays"]


def test_script_is_sql_with_comment_annotations(warehouse: Path) -> None:
    script = dry_run_sql(load_settings(), "stage", days=Days(None))
    assert script.startswith("-- sparkify --dry-run: stage all days on duckdb (schema songs)")
    assert "-- Rehearsed on a scratch copy of" in script
    assert script.rstrip().endswith("COMMIT;")
    for line in script.splitlines():
        assert "?" not in line or line.lstrip().startswith("--") or "'" in line  # every value bound in


def test_unknown_step_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="--dry-run knows the steps schema, stage, load, check"):
        dry_run_sql(load_settings(), "vacuum")
