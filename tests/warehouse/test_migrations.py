"""Warehouses made by earlier sparkify commits (kept as SQL text in tests/fixtures/old_warehouses/,
made from the source beside them) are upgraded, or refused with a one-line message; a schema of
another program, or of a newer sparkify, is left exactly as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from sparkify_cli.services.pipeline.schema import VERSION
from support.cli import invoke
from support.harness import HARNESSES
from support.warehouse_dump import restore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "old_warehouses"
OLD = {"v1-b873a22": 1, "v2-772a26e": 2, "v3-23a0939": 3}  # all loaded 2018-11-01 and -03; v2, v3 also staged -02


@pytest.fixture
def source(tmp_path: Path) -> Path:
    copy = tmp_path / "source"
    shutil.copytree(FIXTURES / "source", copy)
    return copy


def old_warehouse(name: str, path: Path) -> Path:
    restore((FIXTURES / f"{name}.sql").read_text(encoding="utf-8"), path)
    return path


def fresh(tmp_path: Path, source: Path, days: list[str]) -> dict[str, list[object]]:
    """The star tables of a fresh load of those days of the source, with this sparkify."""
    subset = tmp_path / f"subset-{'-'.join(days)}"
    shutil.copytree(source / "song_data", subset / "song_data")
    for day in days:
        target = subset / "log_data" / "2018" / "11" / f"{day}-events.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / "log_data" / "2018" / "11" / f"{day}-events.json", target)
    harness = HARNESSES["duckdb"](tmp_path)
    env = harness.env(f"fresh-{len(days)}")
    assert invoke("run", "--source", str(subset), env=env).exit_code == 0
    return harness.star(env)


@pytest.mark.parametrize("name", sorted(OLD))
def test_an_older_warehouse_is_upgraded_by_the_next_run(name: str, tmp_path: Path, source: Path) -> None:
    path = old_warehouse(name, tmp_path / "wh.duckdb")
    check = invoke("check")  # read-only commands do not upgrade: they say how
    assert check.exit_code == 4
    assert f"schema songs is at version {OLD[name]}, this sparkify needs {VERSION}" in check.stderr
    assert "sparkify schema create" in check.stderr

    result = invoke("run", "--source", str(source), "--date", "2018-11-02")
    assert result.exit_code == 0, result.stderr
    harness = HARNESSES["duckdb"](tmp_path)
    assert harness.star({"SPARKIFY_DUCKDB_PATH": str(path)}) == fresh(
        tmp_path, source, ["2018-11-01", "2018-11-02", "2018-11-03"]
    )
    assert invoke("check").exit_code == 0


@pytest.mark.parametrize("name", sorted(OLD))
def test_schema_create_upgrades_to_what_a_fresh_load_of_the_loaded_files_gives(
    name: str, tmp_path: Path, source: Path
) -> None:
    path = old_warehouse(name, tmp_path / "wh.duckdb")
    result = invoke("schema", "create")
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM songs.sparkify_schema").fetchone() == (VERSION,)
    con.close()
    harness = HARNESSES["duckdb"](tmp_path)
    assert harness.star({"SPARKIFY_DUCKDB_PATH": str(path)}) == fresh(tmp_path, source, ["2018-11-01", "2018-11-03"])
    assert invoke("schema", "create").exit_code == 0  # and again: nothing to do


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path, source: Path) -> None:
    assert invoke("run", "--source", str(source), "--date", "2018-11-01").exit_code == 0
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("UPDATE songs.sparkify_schema SET version = 99")
    con.close()
    before = path.read_bytes()
    result = invoke("run", "--source", str(source), "--date", "2018-11-02")
    assert result.exit_code == 4
    assert "made by a newer sparkify (schema version 99" in result.stderr
    assert path.read_bytes() == before


def test_another_programs_tables_under_sparkifys_names_are_refused(tmp_path: Path, source: Path) -> None:
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA songs; CREATE TABLE songs.users (id INTEGER, email VARCHAR)")
    con.close()
    result = invoke("run", "--source", str(source))
    assert result.exit_code == 2
    assert "schema songs holds tables sparkify did not make (users)" in result.stderr
    con = duckdb.connect(str(path), read_only=True)
    tables = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'songs'").fetchall()
    con.close()
    assert tables == [("users",)]  # nothing of sparkify's was committed beside it
