"""`sparkify query` only reads the warehouse's tables: no writes, files, network, extensions or
settings (exit 2, one line); and every JSON document the CLI prints is valid JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from support.cli import invoke, query
from support.data import event, write_source


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    return tmp_path


def strict_json(text: str) -> object:
    """json.loads that refuses NaN and Infinity, as JSON itself does (Python's loads takes them)."""

    def refuse(word: str) -> object:
        raise ValueError(f"not JSON: {word}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("sql", "made"),
    [
        ("COPY (SELECT * FROM songs.users) TO 'users.csv'", "users.csv"),
        ("COPY songs.users TO 'users.parquet' (FORMAT parquet)", "users.parquet"),
        ("EXPORT DATABASE 'dump'", "dump"),
        ("ATTACH 'other.duckdb' AS other", "other.duckdb"),
        ("INSTALL httpfs", None),
        ("LOAD httpfs", None),
        ("SELECT * FROM read_csv('/etc/passwd')", None),
        ("SELECT * FROM read_text('/etc/hostname')", None),
        ("SELECT * FROM glob('/*')", None),
        ("SELECT * FROM read_json('https://example.com/x.json')", None),
        ("SET enable_external_access = true", None),
        ("SET memory_limit = '64GB'", None),
        ("DELETE FROM songs.users", None),
        ("CREATE TABLE songs.x AS SELECT 1", None),
    ],
)
def test_query_refuses_what_a_read_only_query_should_not_do(loaded: Path, sql: str, made: str | None) -> None:
    users = query("SELECT * FROM songs.users")
    result = invoke("query", sql)
    assert result.exit_code == 2, (sql, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: not allowed"), lines
    if made:
        assert not (loaded / made).exists()
    assert query("SELECT * FROM songs.users") == users


def test_reading_commands_still_work_on_the_locked_down_connection(loaded: Path) -> None:
    assert query("SELECT count(*) AS n FROM songs.songplays") == [{"n": 1}]
    assert invoke("query", "CREATE TEMP TABLE scratch AS SELECT 1 AS x").exit_code == 0  # in memory, gone after
    for command in (["check"], ["status"], ["runs"], ["rejects"], ["report"], ["report", "matches"]):
        result = invoke(*command, "--format", "json")
        assert result.exit_code == 0, (command, result.stderr)
        strict_json(result.stdout)


def test_empty_query_is_exit_2_before_opening_anything(tmp_path: Path) -> None:
    for sql in ("", "   ", "\n"):
        result = invoke("query", sql)
        assert result.exit_code == 2, repr(sql)
        assert result.stderr.strip().splitlines() == [
            'error: the query is empty (e.g. sparkify query "SELECT count(*) FROM songs.songplays")'
        ]
    assert not (tmp_path / "wh.duckdb").exists()


def test_query_json_is_valid_whatever_the_values(loaded: Path) -> None:
    sql = (
        "SELECT 'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, '-inf'::FLOAT AS ninf, 1.5::DOUBLE AS x, "
        "['nan'::DOUBLE, 2.0] AS xs, {'k': 'inf'::DOUBLE} AS s, '\\xFF'::BLOB AS b, 3.25::DECIMAL(5, 2) AS d, "
        "TIMESTAMP '2018-11-05 01:02:03' AS t, uuid() IS NOT NULL AS u, INTERVAL 1 DAY AS i"
    )
    result = invoke("query", sql, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = strict_json(result.stdout)
    assert isinstance(document, dict) and document["columns"] == [
        "nan",
        "inf",
        "ninf",
        "x",
        "xs",
        "s",
        "b",
        "d",
        "t",
        "u",
        "i",
    ]
    rows = document["rows"]
    assert rows == [
        {
            "nan": "NaN",
            "inf": "Infinity",
            "ninf": "-Infinity",
            "x": 1.5,
            "xs": ["NaN", 2.0],
            "s": {"k": "Infinity"},
            "b": "\\xFF",
            "d": 3.25,
            "t": "2018-11-05 01:02:03",
            "u": True,
            "i": rows[0]["i"],  # INTERVAL has no JSON type: some text
        }
    ]
    assert isinstance(rows[0]["i"], str)
    # the strings read back as the floats they stand for
    assert math.isnan(float(rows[0]["nan"])) and float(rows[0]["ninf"]) == -math.inf


def test_check_json_is_valid_with_a_nan_sample(loaded: Path, tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text(
        "[checks.nan_sample]\nseverity = 'warn'\n"
        "sql = \"SELECT 'nan'::DOUBLE AS v, 'inf'::DOUBLE AS w FROM {{ schema }}.songplays\"\n"
    )
    result = invoke("check", "--checks", str(checks), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = strict_json(result.stdout)
    assert isinstance(doc, dict)
    mine = next(c for c in doc["checks"] if c["name"] == "nan_sample")
    assert mine["status"] == "warn" and mine["samples"] == [{"v": "NaN", "w": "Infinity"}]
