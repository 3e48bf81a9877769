"""Files a user names (report --output, report matches --output, check --junit) never replace a
database, a folder or a device, are written whole, and get their missing parent folders."""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest

from support.check_data import build_warehouse, copy_warehouse
from support.cli import count, invoke

WRITERS = {
    "report-html": ("report", "--format", "html", "--output"),
    "report-json": ("report", "--format", "json", "--output"),
    "report-table": ("report", "--output"),
    "report-matches": ("report", "matches", "--output"),
    "check-junit": ("check", "--junit"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("outputs-template"))


@pytest.fixture
def wh(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = copy_warehouse(template, tmp_path / "sparkify.duckdb")
    monkeypatch.setenv("SPARKIFY_DUCKDB_PATH", str(path))
    return path


def refused(result: object, name: str) -> None:
    exit_code, stderr = result.exit_code, result.stderr  # type: ignore[attr-defined]
    assert exit_code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], lines


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_an_output_never_replaces_the_warehouse(wh: Path, writer: tuple[str, ...]) -> None:
    before = wh.read_bytes()
    plays = count("songplays")
    refused(invoke(*writer, "sparkify.duckdb"), "sparkify.duckdb")  # relative: the same file
    refused(invoke(*writer, str(wh)), str(wh))
    assert wh.read_bytes() == before and count("songplays") == plays


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_an_output_never_replaces_another_duckdb_file_or_a_wal(
    wh: Path, tmp_path: Path, writer: tuple[str, ...]
) -> None:
    other = tmp_path / "archive.db"  # any name: recognised by its header
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE kept AS SELECT 42 AS answer")
    con.close()
    before = other.read_bytes()
    refused(invoke(*writer, str(other)), str(other))
    assert other.read_bytes() == before
    # the write-ahead log of the warehouse, or of another database: DuckDB would replay it on open
    refused(invoke(*writer, f"{wh}.wal"), f"{wh}.wal")
    refused(invoke(*writer, f"{other}.wal"), f"{other}.wal")
    assert not Path(f"{wh}.wal").exists() and not Path(f"{other}.wal").exists()
    assert duckdb.connect(str(other)).execute("SELECT answer FROM kept").fetchall() == [(42,)]


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_an_output_is_never_a_folder_or_a_device(wh: Path, tmp_path: Path, writer: tuple[str, ...]) -> None:
    (tmp_path / "folder").mkdir()
    refused(invoke(*writer, "folder"), "folder")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(invoke(*writer, str(fifo)), str(fifo))  # would block, or feed garbage to a reader
    assert (tmp_path / "folder").is_dir() and not list((tmp_path / "folder").iterdir())


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_an_output_gets_its_parent_folders_and_replaces_an_old_file_whole(
    wh: Path, tmp_path: Path, writer: tuple[str, ...]
) -> None:
    target = tmp_path / "sub" / "dir" / "out.txt"
    result = invoke(*writer, str(target))
    assert result.exit_code in (0, 1), result.stderr  # check exits 1 on a failing check
    first = target.read_text(encoding="utf-8")
    assert first.strip()
    target.write_text("an old report\n", encoding="utf-8")
    os.chmod(target, 0o640)
    again = invoke(*writer, str(target))
    assert again.exit_code == result.exit_code, again.stderr
    assert "an old report" not in target.read_text(encoding="utf-8")
    assert (target.stat().st_mode & 0o777) == 0o640  # replaced, keeping the file's permissions
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]  # no temporary file left behind


def test_a_junit_report_is_well_formed_whatever_the_text(wh: Path, tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text(
        "[checks.control_characters]\n"
        'table = "songplays"\n'
        'description = "bell \\u0007 escape \\u001b[31m red, nul-ish \\u0001, fine: tab\\tand é"\n'
        "sql = \"SELECT chr(2) || 'x' || chr(27) AS sample, 'ok' AS other\"\n",
        encoding="utf-8",
    )
    report = tmp_path / "junit.xml"
    result = invoke("check", "--checks", str(checks), "--junit", str(report))
    assert result.exit_code == 1, result.stderr
    suite = ET.parse(report).getroot()  # raises on malformed XML
    case = next(c for c in suite.iter("testcase") if c.get("name") == "control_characters")
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert "bell" in message and "red" in message and "tab\tand é" in message
    assert not any(ch in message + (failure.text or "") for ch in "\x00\x01\x02\x07\x1b")
