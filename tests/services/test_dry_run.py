"""--dry-run on DuckDB: the script is exactly what the step runs (replaying it on a copy of the
warehouse gives the same tables as the real step, and a read-only command's script returns what the
command shows), and the warehouse itself is left untouched."""

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
from support.cli import invoke
from support.data import generated
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


# --- commands that only read: report, report matches, runs, status, rejects ---------------------

READS: dict[str, tuple[str, ...]] = {
    "report": ("report", "--date", "2018-11-02", "--top", "3"),
    "report matches": ("report", "matches", "--start", "2018-11-01", "--end", "2018-11-03", "--limit", "2"),
    "runs": ("runs", "--limit", "2"),
    "status": ("status",),
    "rejects": ("rejects", "--limit", "3"),
}


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Six days with near matches, one bad line (a reject), loaded by two runs."""
    source, days = generated(tmp_path / "src")
    first = source / "log_data" / "2018" / "11" / f"{days[0]}-events.json"
    first.write_text(first.read_text() + "\nnot json\n")
    monkeypatch.setenv("SPARKIFY_SOURCE", str(source))
    assert invoke("run", "--max-errors", "1", "--date", days[0]).exit_code == 0
    assert invoke("run", "--max-errors", "1").exit_code in (0, 1)  # the checks may flag the sample's freshness
    return tmp_path / "wh.duckdb"


def replayed(script: str, db: Path) -> list[list[tuple[Any, ...]]]:
    """Every statement of the script, run on the warehouse opened read-only: each one's rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [con.execute(statement).fetchall() for statement in sql.statements(script)]
    finally:
        con.close()


@pytest.mark.parametrize("command", list(READS))
def test_read_only_commands_print_the_sql_they_run_and_change_nothing(loaded: Path, command: str) -> None:
    before = digest(loaded)
    result = invoke(*READS[command], "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert digest(loaded) == before
    script = result.stdout
    assert script.startswith(f"-- sparkify --dry-run: {command} ") and "nothing was changed" in script.splitlines()[0]
    assert f"-- Read from {loaded.resolve()}, opened read-only." in script
    assert f"the {command} SQL above was not executed" in result.stderr
    for line in script.splitlines():
        assert "?" not in line or line.lstrip().startswith("--") or "'" in line  # every value written in
    rows = replayed(script, loaded)  # the script runs on the warehouse as it is, read-only
    assert rows and all(isinstance(r, list) for r in rows)


def test_each_read_only_script_returns_what_its_command_shows(loaded: Path) -> None:
    def script(command: str) -> str:
        result = invoke(*READS[command], "--dry-run")
        assert result.exit_code == 0, result.stderr
        return result.stdout

    def shown(command: str) -> Any:
        result = invoke(*READS[command], "--format", "json")
        assert result.exit_code == 0, result.stderr
        return result.json()

    (runs,) = replayed(script("runs"), loaded)
    assert [r[0] for r in runs] == [r["run_id"] for r in shown("runs")["runs"]]
    (rejects,) = replayed(script("rejects"), loaded)
    listed = [(r["source_file"], r["line_no"], r["reason"]) for r in shown("rejects")["rejects"]]
    assert [(r[0], r[1], r[3]) for r in rejects] == listed
    assert rejects and rejects[0][3].startswith("invalid JSON")
    files, *_ = replayed(script("status"), loaded)
    assert len([f for f, loaded_at in files if loaded_at is not None]) == len(shown("status")["loaded_days"]) == 6
    summary, *_ = replayed(script("report"), loaded)
    assert summary[0][0] == shown("report")["plays"] > 0
    near = replayed(script("report matches"), loaded)[-1]
    assert len(near) == len(shown("report matches")["near"]) > 0  # json lists all; --limit is the table's


def test_read_only_dry_runs_on_redshift_and_postgres_plan_without_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_REDSHIFT_HOST", "redshift.invalid")
    monkeypatch.setenv("SPARKIFY_POSTGRES_DSN", "host=postgres.invalid connect_timeout=1")
    for warehouse in ("redshift", "postgres"):
        for command, args in READS.items():
            result = invoke(*args, "--warehouse", warehouse, "--dry-run")
            assert result.exit_code == 0, (warehouse, command, result.stderr)
            assert result.stdout.startswith(f"-- sparkify --dry-run: {command} ")
            assert "-- Not connected: every table reads as empty." in result.stdout
            assert sql.statements(result.stdout)


def test_a_read_only_dry_run_needs_the_warehouse_a_real_run_needs() -> None:
    result = invoke("runs", "--dry-run")
    assert result.exit_code == 4 and "no DuckDB warehouse" in result.stderr
    assert invoke("rejects", "--dry-run", "--limit", "0").exit_code == 2  # options are checked first
