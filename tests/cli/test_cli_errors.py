"""Bad input gets one line on stderr and a documented exit code; nothing is half-loaded."""

from __future__ import annotations

from pathlib import Path

from support.cli import count, invoke, query
from support.data import event, write_source


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_unknown_option_is_a_usage_error() -> None:
    result = invoke("stage", "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_bad_date_is_one_line_exit_2(tmp_path: Path) -> None:
    write_source(tmp_path / "src", {"2018-11-01": [event()]})
    result = invoke("stage", "--date", "2018-02-30", "--source", str(tmp_path / "src"))
    assert result.exit_code == 2
    assert "2018-02-30" in one_line(result.stderr)


def test_start_after_end_is_exit_2(tmp_path: Path) -> None:
    result = invoke("run", "--start", "2018-11-05", "--end", "2018-11-01", "--source", str(tmp_path))
    assert result.exit_code == 2
    assert "after" in one_line(result.stderr)


def test_missing_source_folder_is_exit_2(tmp_path: Path) -> None:
    result = invoke("run", "--source", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in one_line(result.stderr)
    assert "Traceback" not in result.stderr


def test_schema_name_must_be_an_identifier(tmp_path: Path) -> None:
    result = invoke("schema", "create", env={"SPARKIFY_SCHEMA": "songs; DROP TABLE x"})
    assert result.exit_code == 2
    assert "SPARKIFY_SCHEMA" in one_line(result.stderr)


def test_unknown_warehouse_is_exit_2() -> None:
    result = invoke("schema", "create", "--warehouse", "oracle")
    assert result.exit_code == 2
    assert "SPARKIFY_WAREHOUSE" in one_line(result.stderr)


def test_malformed_json_line_names_file_and_line_and_loads_nothing(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    good = query("SELECT * FROM songs.songplays")

    bad_day = src / "log_data/2018/11/2018-11-02-events.json"
    bad_day.parent.mkdir(parents=True, exist_ok=True)
    bad_day.write_text('{"ts": 1541190000796, "page": "NextSong"}\n{"artist": "x",\n', encoding="utf-8")
    result = invoke("run", "--source", str(src))
    assert result.exit_code == 4
    line = one_line(result.stderr)
    assert "2018-11-02-events.json:1" in line
    # nothing half-loaded: staging and the star schema are as they were
    assert query("SELECT * FROM songs.songplays") == good
    assert count("staging_events") == 1
    rejects = query("SELECT source_file, line_no, reason FROM songs.rejects ORDER BY line_no")
    assert [(r["line_no"], r["source_file"]) for r in rejects] == [
        (1, "log_data/2018/11/2018-11-02-events.json"),
        (2, "log_data/2018/11/2018-11-02-events.json"),
    ]
    assert rejects[0]["reason"] == "missing field artist"
    assert rejects[1]["reason"].startswith("invalid JSON")


def test_query_without_warehouse_is_a_clear_error() -> None:
    result = invoke("query", "SELECT 1")
    assert result.exit_code == 4
    assert "no DuckDB warehouse" in one_line(result.stderr)


def test_version_and_help() -> None:
    assert invoke("--version").stdout.startswith("sparkify ")
    for command in (["schema", "create"], ["stage"], ["load"], ["run"], ["query"], ["demo"], ["rejects"]):
        result = invoke(*command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout, command


def test_unknown_format_is_a_usage_error() -> None:
    for command in (["runs"], ["status"], ["run"], ["query", "SELECT 1"]):
        result = invoke(*command, "--format", "csv" if command[0] != "query" else "xml")
        assert result.exit_code == 2, command
