"""Bad input gets one line on stderr and a documented exit code; nothing is half-loaded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

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


# --- bad settings and options: one line, exit 2, before anything runs --------------------------


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SPARKIFY_SCHEMA": name}, f"'{name}' is a")
        for name in (
            "select",
            "temp",
            "system",
            "information_schema",
            "main",
            "pg_catalog",
            "pg_temp_1",
            "user",
            "natural",
            "timestamp",
            "verbose",
            "lambda",
        )
    ]
    + [
        ({"SPARKIFY_DUCKDB_MEMORY_LIMIT": "lots"}, "is not a size like 256MB"),
        ({"SPARKIFY_DUCKDB_MEMORY_LIMIT": "1000000"}, "is not a size like 256MB"),
        ({"SPARKIFY_DUCKDB_MEMORY_LIMIT": "100b"}, "too small"),
        ({"SPARKIFY_DUCKDB_MEMORY_LIMIT": "150%"}, "at most 100%"),
        ({"SPARKIFY_CHECK_FRESHNESS_DAYS": "100000000"}, "SPARKIFY_CHECK_FRESHNESS_DAYS"),
        ({"SPARKIFY_DUCKDB_PATH": ":memory:"}, "keeps nothing"),
        ({"SPARKIFY_DUCKDB_PATH": "md:sparkify"}, "is not a local file path"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "/var/log/{date}.json"}, "must be a path relative to the source"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "../elsewhere/{date}.json"}, "'..' path segment"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data//{date}.json"}, "empty, '.' or '..' path segment"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data/{year}/{month}.json"}, "must name the day"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data/{date.__class__}.json"}, "unknown field"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data/{date!r}.json"}, "takes no conversion"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data/{year:x}/{month}/{day}.json"}, "only these forms"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data/{date"}, "is not a valid template"),
        ({"SPARKIFY_LOG_KEY_TEMPLATE": "log_data\\{date}.json"}, "backslash"),
    ],
)
def test_bad_settings_are_one_line_exit_2_before_anything_runs(tmp_path: Path, env: dict[str, str], says: str) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    for command in (["run", "--source", str(src)], ["runs"], ["check"]):
        result = invoke(*command, env=env)
        assert result.exit_code == 2, (command, result.stderr)
        line = one_line(result.stderr)
        assert line.startswith("error: invalid setting SPARKIFY_") and says in line, line
    assert not (tmp_path / "wh.duckdb").exists()


def test_a_duckdb_file_named_like_the_schema_is_refused(tmp_path: Path) -> None:
    """DuckDB names the catalog after the file: songs.duckdb makes `songs.songplays` ambiguous."""
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    result = invoke("run", "--source", str(src), env={"SPARKIFY_DUCKDB_PATH": str(tmp_path / "songs.duckdb")})
    assert result.exit_code == 2
    assert "songs.duckdb" in one_line(result.stderr)
    assert not (tmp_path / "songs.duckdb").exists()


def test_log_key_templates_that_name_a_day_are_accepted(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    (src / "logs" / "2018" / "11" / "1").mkdir(parents=True)
    (src / "log_data/2018/11/2018-11-01-events.json").rename(src / "logs/2018/11/1/events.json")
    env = {"SPARKIFY_LOG_KEY_TEMPLATE": "logs/{year:04d}/{month}/{day:d}/events.json"}
    result = invoke("run", "--source", str(src), "--date", "2018-11-01", env=env)
    assert result.exit_code == 0, result.stderr
    assert count("songplays") == 1


def test_env_file_problems_are_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    result = invoke("--env-file", str(folder), "runs")
    assert result.exit_code == 2 and "is a folder" in one_line(result.stderr)
    latin1 = tmp_path / "latin1.env"
    latin1.write_bytes(b"SPARKIFY_SCHEMA=caf\xe9\n")
    result = invoke("--env-file", str(latin1), "runs")
    assert result.exit_code == 2 and "is not UTF-8 text (byte 19)" in one_line(result.stderr)
    (tmp_path / ".env").write_bytes(b"\xff\xfeS\x00")  # the default ./.env, in UTF-16
    result = invoke("runs")
    assert result.exit_code == 2 and "env file .env is not UTF-8 text" in one_line(result.stderr)


@pytest.mark.parametrize("command", ["runs", "rejects"])
@pytest.mark.parametrize("limit", ["0", "-1", "1000001", "99999999999999999999"])
def test_limit_out_of_range_is_exit_2(tmp_path: Path, command: str, limit: str) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    result = invoke(command, "--limit", limit)
    assert result.exit_code == 2, result.stderr
    assert one_line(result.stderr) == f"error: --limit {limit} is out of range (use 1 to 1,000,000)"


def test_runs_and_rejects_send_the_limit_as_a_literal(tmp_path: Path) -> None:
    """redshift_connector binds a Python int as int2, and Redshift answers "Not implemented" to
    `LIMIT $1`: the limit is written into the SQL (checked), never bound."""
    from sparkify_cli.services.reports.history import recent_runs
    from sparkify_cli.services.reports.inspect import rejects
    from sparkify_cli.settings import load_settings
    from sparkify_cli.warehouse import connect
    from sparkify_cli.warehouse.base import Params, Row
    from sparkify_cli.warehouse.duckdb.connection import DuckDBWarehouse

    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    sent: list[tuple[str, Params]] = []

    class Listening(DuckDBWarehouse):
        def query(self, statement: str, params: Params = None) -> tuple[list[str], list[Row]]:
            sent.append((statement, params))
            return super().query(statement, params)

    wh = connect(load_settings(), read_only=True)
    wh.__class__ = Listening
    with wh:
        assert len(recent_runs(wh, 7)) == 1
        assert rejects(wh, 8)[1] == []
    limits = [(s, p) for s, p in sent if "LIMIT" in s]
    assert [s.split("LIMIT")[1].strip() for s, _ in limits] == ["7", "8"]
    assert all(not p for _, p in limits)


# --- days -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--date", "--start", "--end"])
@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_day_is_exit_2_not_all_days(tmp_path: Path, option: str, value: str) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()], "2018-11-02": [event(ts=1541190000796)]})
    other = {"--start": ["--end", "2018-11-02"], "--end": ["--start", "2018-11-01"], "--date": []}[option]
    result = invoke("run", "--source", str(src), option, value, *other)
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith(f"error: {option} is empty")
    assert not (tmp_path / "wh.duckdb").exists()


@pytest.mark.parametrize("value", ["", " "])
def test_check_with_an_empty_date_is_exit_2_not_every_day(value: str) -> None:
    result = invoke("check", "--date", value)
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith("error: --date is empty")


@pytest.mark.parametrize("value", ["20181101", "2018-W44-4", "2018-305", "2018-11-1", "2018-11-01T00:00", "٢٠١٨-١١-٠١"])
def test_only_yyyy_mm_dd_is_a_day(tmp_path: Path, value: str) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    result = invoke("stage", "--source", str(src), "--date", value)
    assert result.exit_code == 2, result.stderr
    assert "is not a valid day" in one_line(result.stderr)


def test_a_century_of_missing_days_is_one_warning(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()], "2018-11-03": [event(ts=1541276400796)]})
    result = invoke("stage", "--source", str(src), "--start", "1970-01-01", "--end", "2069-12-31")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    days = (date(2069, 12, 31) - date(1970, 1, 1)).days + 1
    assert warnings == [
        "warning: no log file for 1970-01-01 .. 2018-10-31, 2018-11-02, 2018-11-04 .. 2069-12-31 "
        f"({days - 2:,} of {days:,} days)"
    ]


def test_missing_days_beyond_three_spans_are_counted(tmp_path: Path) -> None:
    days = {f"2018-11-{d:02d}": [event(ts=1541030400796 + (d - 1) * 86_400_000)] for d in (2, 4, 6, 8)}
    src = write_source(tmp_path / "src", days)
    result = invoke("stage", "--source", str(src), "--start", "2018-11-01", "--end", "2018-11-09")
    assert result.exit_code == 0, result.stderr
    assert "warning: no log file for 2018-11-01, 2018-11-03, 2018-11-05 and 2 more spans (5 of 9 days)" in (
        result.stderr
    )


# --- the ledger ------------------------------------------------------------------------------------


def test_a_long_non_ascii_error_fits_the_ledger_in_bytes(tmp_path: Path) -> None:
    """runs.error is VARCHAR(1024), in bytes on Redshift: the message is cut by UTF-8 bytes."""
    folder = "/".join(["日本語のログ" * 12] * 6)  # 432 characters, 1,296 bytes of UTF-8
    template = f"{folder}/{{date}}.json"
    src = tmp_path / "src"
    write_source(src, {}, None)
    bad = src / folder / "2018-11-01.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"not": "an event"}\n', encoding="utf-8")
    result = invoke("run", "--source", str(src), "--date", "2018-11-01", env={"SPARKIFY_LOG_KEY_TEMPLATE": template})
    assert result.exit_code == 4
    shown = one_line(result.stderr).removeprefix("error: ")
    runs = invoke("runs", "--format", "json", env={"SPARKIFY_LOG_KEY_TEMPLATE": template}).json()["runs"]
    stored = runs[0]["error"]
    assert runs[0]["status"] == "failed"
    assert len(stored.encode("utf-8")) <= 1000
    assert shown.startswith(stored) and len(stored) > 300  # a whole-character prefix of the message
