"""What `sparkify query` runs: one statement (several are refused in one line, exit 2, instead of
printing the last result alone), and `query -` reads it from standard input. Through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import invoke
from support.data import event, write_source


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    return src


@pytest.mark.parametrize(
    "sql",
    [
        "select 1; select 2",
        "SELECT count(*) FROM songs.songplays;\nSELECT count(*) FROM songs.users;",
        "SET search_path = 'songs'; SELECT 1",
        "select ';'; select 2 -- the first ; is quoted",
    ],
)
def test_several_statements_are_refused_in_one_line_before_the_warehouse_opens(tmp_path: Path, sql: str) -> None:
    for env in ({"SPARKIFY_DUCKDB_PATH": str(tmp_path / "none.duckdb")}, None):  # no warehouse: still exit 2
        result = invoke("query", sql, env=env)
        assert result.exit_code == 2 and result.stdout == "", (result.stdout, result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: the query holds 2 statements")
    document = invoke("query", sql, "--format", "json")
    assert document.exit_code == 2 and document.json()["error"].startswith("the query holds 2 statements")


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("SELECT 'a;b' AS v;", "a;b"),
        ("SELECT 1 AS \"x;y\", 'c' AS v -- a comment; with a semicolon\n;", "c"),
        ("/* ; */ SELECT $$d;e$$ AS v", "d;e"),
        ("SELECT $q$it's;$q$ AS v ;  ", "it's;"),
    ],
)
def test_one_statement_with_semicolons_in_quotes_or_comments_runs(loaded: Path, sql: str, value: str) -> None:
    result = invoke("query", sql, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["rows"][0]["v"] == value


def sparkify(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """The installed CLI as a shell runs it, SQL piped in."""
    return subprocess.run(
        [sys.executable, "-m", "sparkify_cli", *args], input=stdin, capture_output=True, env=os.environ.copy()
    )


def test_query_dash_reads_the_sql_from_standard_input(loaded: Path) -> None:
    sql = b"-- plays per level\nSELECT level, count(*) AS n\nFROM songs.songplays\nGROUP BY level;\n"
    result = sparkify("query", "-", "--format", "json", stdin=sql)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == [{"level": "free", "n": 1}]
    several = sparkify("query", "-", stdin=b"SELECT 1;\nSELECT 2;\n")
    assert several.returncode == 2 and b"holds 2 statements" in several.stderr
    empty = sparkify("query", "-", stdin=b"")
    assert empty.returncode == 2 and b"the query is empty" in empty.stderr
    binary = sparkify("query", "-", stdin=b"SELECT '\xff'")
    assert binary.returncode == 2 and b"not UTF-8" in binary.stderr
