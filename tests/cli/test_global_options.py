"""A SPARKIFY_ key that names no setting (a typo) is a warning with the closest setting, from the
environment and from the settings file; --env-file and --debug work before and after the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import invoke
from support.data import event, write_source


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_a_misspelt_setting_in_the_environment_is_a_warning_naming_the_closest() -> None:
    result = invoke("runs", env={"SPARKIFY_SHEMA": "analytics"})
    assert warnings(result.stderr) == ["warning: unknown setting SPARKIFY_SHEMA (did you mean SPARKIFY_SCHEMA?)"]


def test_a_misspelt_setting_in_the_env_file_is_a_warning_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SPARKIFY_DUCKDB_MEMORY_LIMT=1GB\nSPARKIFY_SCHEMA=songs\nOTHER_TOOL=1\n")
    result = invoke("runs")
    assert warnings(result.stderr) == [
        "warning: unknown setting SPARKIFY_DUCKDB_MEMORY_LIMT in .env (did you mean SPARKIFY_DUCKDB_MEMORY_LIMIT?)"
    ]
    other = tmp_path / "team.env"
    other.write_text("sparkify_warehose=duckdb\n")  # keys match without regard to case, as settings do
    result = invoke("--env-file", str(other), "runs")
    assert warnings(result.stderr) == [
        f"warning: unknown setting sparkify_warehose in {other} (did you mean SPARKIFY_WAREHOUSE?)"
    ]


def test_a_key_like_no_setting_is_still_named() -> None:
    result = invoke("runs", env={"SPARKIFY_XYZZY": "1"})
    assert warnings(result.stderr) == ["warning: unknown setting SPARKIFY_XYZZY (ignored)"]


def test_known_settings_and_development_variables_are_quiet(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    env = {
        "SPARKIFY_SCHEMA": "songs",
        "SPARKIFY_MAX_ERRORS": "0",
        "SPARKIFY_TEST_POSTGRES_DSN": "host=nowhere",
        "SPARKIFY_CI": "1",
        "SPARKIFY_BENCH_POSTGRES_DSN": "host=nowhere",
        "SPARKIFY_UPDATE_GOLDEN": "1",
    }
    result = invoke("run", "--source", str(src), env=env)
    assert result.exit_code == 0 and warnings(result.stderr) == [], result.stderr


def test_the_warning_comes_once_however_often_settings_are_read(tmp_path: Path) -> None:
    result = invoke("demo", "--dir", "d", "--events", "200", "--songs", "20", env={"SPARKIFY_SHEMA": "x"})
    assert result.exit_code == 0, result.stderr
    assert warnings(result.stderr) == ["warning: unknown setting SPARKIFY_SHEMA (did you mean SPARKIFY_SCHEMA?)"]


def test_a_failing_command_warns_too_and_still_fails_in_one_line() -> None:
    result = invoke("check", env={"SPARKIFY_CHEKS_FILE": "x.toml"})
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "warning: unknown setting SPARKIFY_CHEKS_FILE (did you mean SPARKIFY_CHECKS_FILE?)"
    )
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] != []


# --- global options after the command ---------------------------------------------------------------


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_env_file_works_before_and_after_the_command(tmp_path: Path, before: bool) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    settings = tmp_path / "other.env"
    settings.write_text(f"SPARKIFY_SOURCE={src}\nSPARKIFY_SCHEMA=analytics\n")
    assert invoke("run").exit_code == 2  # without the file: no ./data
    args = ["--env-file", str(settings)]
    result = invoke(*args, "run") if before else invoke("run", *args)
    assert result.exit_code == 0, result.stderr
    plays = invoke("query", "SELECT count(*) AS n FROM analytics.songplays", "--format", "json", *args)
    assert plays.json()["rows"] == [{"n": 1}]
    shown = invoke("config", "show", "--format", "json", *args).json()["settings"]
    assert {r["key"]: r["origin"] for r in shown}["SPARKIFY_SOURCE"] == f"env file {settings}"


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_missing_env_file_is_one_line_exit_2_wherever_it_is_given(tmp_path: Path, where: str) -> None:
    args = ["--env-file", str(tmp_path / "absent.env")]
    result = invoke(*args, "runs") if where == "before" else invoke("runs", *args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: env file {tmp_path / 'absent.env'} does not exist"]


def test_debug_works_after_the_command() -> None:
    result = invoke("query", "SELECT 1", "--debug")
    assert result.exit_code == 4
    assert "Traceback" in result.stderr and "no DuckDB warehouse" in result.stderr
