"""The run ledger names the source each run read (schema version 4), so `status` without --source
compares the warehouse with the source of the last run, and shows days as ranges that keep their
holes; the report's provenance names the source. Through the real CLI, and an upgrade of a
version-3 warehouse made by an earlier sparkify."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from support.cli import invoke
from support.data import event, write_source
from support.warehouse_dump import restore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "old_warehouses"
DAY_MS = 86_400_000
NOV_1 = 1541030400000 + 3_600_000  # 2018-11-01 01:00 UTC


def days_source(root: Path, days: list[int]) -> Path:
    """Log files for those days of November 2018, one play each."""
    return write_source(root, {f"2018-11-{d:02d}": [event(ts=NOV_1 + (d - 1) * DAY_MS)] for d in days})


def test_status_without_source_uses_the_last_runs_source_and_shows_holes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = days_source(tmp_path / "src", [1, 3, 6, 7, 8, 9, 10, 11, 12])
    assert invoke("run", "--source", str(src), "--start", "2018-11-01", "--end", "2018-11-09").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a relative source would not be found from here; SPARKIFY_SOURCE is unset

    shown = invoke("status")
    assert shown.exit_code == 0, shown.stderr
    assert "not reachable" not in shown.stdout
    assert "loaded days: 2018-11-01, 2018-11-03, 2018-11-06 .. 2018-11-09 (6 days)" in shown.stdout
    assert f"gaps in {src.resolve()} (the source of the last run): 2018-11-10 .. 2018-11-12 (3 days)" in shown.stdout

    document = invoke("status", "--format", "json").json()
    assert (document["source"], document["source_from"], document["source_listed"]) == (
        str(src.resolve()),
        "last run",
        True,
    )
    assert document["gaps"] == ["2018-11-10", "2018-11-11", "2018-11-12"]
    assert invoke("runs", "--format", "json").json()["runs"][0]["source"] == str(src.resolve())

    # --source still wins, and a source that is gone says which one it was
    other = days_source(tmp_path / "other", [1, 2])
    given = invoke("status", "--source", str(other), "--format", "json").json()
    assert (given["source_from"], given["gaps"]) == ("option", ["2018-11-02"])
    shutil.rmtree(src)
    gone = invoke("status")
    assert f"gaps: {src.resolve()} (the source of the last run) not reachable" in gone.stdout


def test_the_report_provenance_names_the_source(tmp_path: Path) -> None:
    src = days_source(tmp_path / "src", [1, 2])
    assert invoke("run", "--source", str(src)).exit_code == 0
    report = invoke("report")
    assert report.exit_code == 0, report.stderr
    last_line = report.stdout.strip().splitlines()[-1]
    assert f"schema songs, loaded from {src.resolve()}; days 2018-11-01 .. 2018-11-02" in last_line
    assert invoke("report", "--format", "json").json()["provenance"]["source"] == str(src.resolve())


def test_a_version_3_warehouse_gets_the_source_column_and_keeps_its_runs(tmp_path: Path) -> None:
    path = Path(os.environ["SPARKIFY_DUCKDB_PATH"])
    restore((FIXTURES / "v3-23a0939.sql").read_text(encoding="utf-8"), path)
    before = invoke("query", "SELECT * FROM songs.songplays ORDER BY songplay_id", "--format", "json").json()
    status = invoke("status")
    assert status.exit_code == 4 and "schema songs is at version 3, this sparkify needs 4" in status.stderr

    assert invoke("schema", "create").exit_code == 0
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM songs.sparkify_schema").fetchone() == (4,)
    assert con.execute("SELECT count(*), count(source) FROM songs.runs").fetchone() == (3, 0)
    con.close()
    after = invoke("query", "SELECT * FROM songs.songplays ORDER BY songplay_id", "--format", "json").json()
    assert after == before
    runs = invoke("runs", "--format", "json").json()["runs"]
    assert [r["source"] for r in runs] == [None, None, None]

    src = tmp_path / "source"
    shutil.copytree(FIXTURES / "source", src)
    assert invoke("run", "--source", str(src), "--date", "2018-11-02").exit_code == 0
    document = invoke("status", "--format", "json").json()
    assert (document["source"], document["source_from"], document["gaps"]) == (str(src.resolve()), "last run", [])
