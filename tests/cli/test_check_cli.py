"""`sparkify check` through the real CLI: exit codes, JSON, JUnit, user-defined checks, real data."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from sparkify_cli.days import Days
from sparkify_cli.services.checks.run import open_warehouse, run_checks
from sparkify_cli.services.pipeline import run as pipeline
from sparkify_cli.services.pipeline import schema
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import LogLayout
from sparkify_cli.sources.local import LocalSource
from sparkify_cli.warehouse import connect
from support.check_data import TODAY, build_warehouse, copy_warehouse, run_sql
from support.cli import invoke


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("check-cli-template"))


@pytest.fixture
def wh_path(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = copy_warehouse(template, tmp_path / "wh.duckdb")
    monkeypatch.setenv("SPARKIFY_DUCKDB_PATH", str(path))
    return path


def test_clean_warehouse_exits_0_with_a_table(wh_path: Path) -> None:
    result = invoke("check")
    assert result.exit_code == 0, result.stderr
    assert "songplays.reconciliation" in result.stdout and "songplays.song_match_rate" in result.stdout
    assert result.stdout.splitlines()[-1] == "31 passed, 0 warned, 0 failed, 0 could not run"  # the summary
    assert result.stderr == ""


def test_failing_check_exits_1_failures_first(wh_path: Path) -> None:
    run_sql(wh_path, 'UPDATE songs."time" SET weekday = 9 WHERE hour = 0')
    result = invoke("check")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "error: 1 error-severity check failed: time.weekday.range"
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert rows[0].split("│")[1].strip() == "fail" and "time.weekday.range" in rows[0]
    assert all(r.split("│")[1].strip() in ("pass", "") for r in rows[1:])


def test_warnings_alone_exit_0(wh_path: Path) -> None:
    run_sql(wh_path, "DELETE FROM songs.songplay_sources")  # staged but (apparently) never loaded
    result = invoke("check", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["ok"] is True and doc["summary"]["warn"] == 1


def test_json_is_one_document_on_stdout(wh_path: Path) -> None:
    run_sql(wh_path, "UPDATE songs.users SET level = 'vip' WHERE user_id = '1'")
    result = invoke("check", "--format", "json", "--date", TODAY.isoformat())
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["day"] == TODAY.isoformat()
    assert doc["summary"] == {"pass": 30, "warn": 0, "fail": 1, "error": 0, "total": 31}
    failed = [c for c in doc["checks"] if c["status"] == "fail"]
    assert [(c["name"], c["failing_rows"], c["samples"]) for c in failed] == [
        ("users.level.accepted_values", 1, [{"user_id": "1", "level": "vip"}])
    ]


def test_junit_report_parses_and_holds_the_failures(wh_path: Path, tmp_path: Path) -> None:
    run_sql(
        wh_path,
        "DELETE FROM songs.users WHERE user_id = '2'",
        "UPDATE songs.songplays SET start_time = start_time - INTERVAL 30 DAY",
        'UPDATE songs."time" SET start_time = start_time - INTERVAL 30 DAY',
    )
    report = tmp_path / "reports" / "checks.xml"
    result = invoke("check", "--junit", str(report), "--format", "json")
    assert result.exit_code == 1
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("31", "1", "0")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) == 31
    failure = cases["songplays.user_id.in_users"].find("failure")
    assert failure is not None and "2 failing rows" in (failure.get("message") or "")
    assert "NOT EXISTS" in (failure.text or "")
    stale = cases["songplays.freshness"]  # a warning: reported, but not a failure
    assert stale.find("failure") is None and "warning:" in (stale.findtext("system-out") or "")


CHECKS_TOML = """
# Checks the team added for their dashboards.
[checks.no_future_plays]
table = "songplays"
description = "no play is in the future"
sql = "SELECT songplay_id, start_time FROM {{ schema }}.songplays WHERE start_time > TIMESTAMP '2999-01-01 00:00:00'"

[checks.every_user_has_a_name]
table = "users"
severity = "warn"
description = "users have a first name"
sql = '''
SELECT user_id FROM {{ schema }}.users
WHERE first_name IS NULL OR first_name IN ('', ';')  -- a ';' in quotes or comments is fine
'''

[checks.plays_of_the_day_have_a_session]
table = "songplays"
sql = '''
SELECT songplay_id FROM {{ schema }}.songplays
WHERE session_id IS NULL
{% if day %}AND start_time >= TIMESTAMP '{{ day_start }}' AND start_time < TIMESTAMP '{{ day_end }}'{% endif %};
'''
"""


def test_user_defined_checks_end_to_end(wh_path: Path, tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text(CHECKS_TOML)
    clean = invoke("check", "--checks", str(checks), "--format", "json")
    assert clean.exit_code == 0, clean.stderr
    mine = {c["name"]: c for c in clean.json()["checks"][31:]}
    assert {n: (c["status"], c["severity"], c["table"]) for n, c in mine.items()} == {
        "no_future_plays": ("pass", "error", "songplays"),
        "every_user_has_a_name": ("pass", "warn", "users"),
        "plays_of_the_day_have_a_session": ("pass", "error", "songplays"),
    }
    assert "songs.songplays" in mine["no_future_plays"]["sql"]

    run_sql(
        wh_path,
        "UPDATE songs.users SET first_name = '' WHERE user_id = '3'",
        "UPDATE songs.songplays SET session_id = NULL WHERE user_id = '1'",
    )
    # The file can come from the settings too.
    broken = invoke("check", "--format", "json", "--date", TODAY.isoformat(), env={"SPARKIFY_CHECKS_FILE": str(checks)})
    assert broken.exit_code == 1
    mine = {c["name"]: c for c in broken.json()["checks"][31:]}
    assert mine["every_user_has_a_name"]["status"] == "warn"
    assert mine["every_user_has_a_name"]["samples"] == [{"user_id": "3"}]
    assert mine["plays_of_the_day_have_a_session"]["status"] == "fail"
    assert mine["plays_of_the_day_have_a_session"]["failing_rows"] == 2  # user 1's plays of today only
    assert "failed: plays_of_the_day_have_a_session" in broken.stderr


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[checks.x]\nseverity = "fatal"\nsql = "SELECT 1"\n', "check 'x': severity 'fatal' must be error or warn"),
        ("[checks.no_sql]\ndescription = 'nothing to run'\n", "check 'no_sql': `sql` is missing or empty"),
        ('[checks.typo]\nsql = "SELECT 1"\nsevrity = "warn"\n', "check 'typo': unknown key 'sevrity'"),
        (
            '[checks.two]\nsql = "SELECT 1; SELECT 2;"\n',
            "check 'two': `sql` must be one read-only SELECT or WITH query; it holds more than one statement",
        ),
        (
            '[checks.two]\nsql = """SELECT 1;\nSELECT 2"""\n',
            "check 'two': `sql` must be one read-only SELECT or WITH query; it holds more than one statement",
        ),
        (
            '[checks.tpl]\nsql = "SELECT {{ nope }}"\n',
            "check 'tpl': `sql` is not a valid template: 'nope' is undefined",
        ),
        ('[checks."bad name!"]\nsql = "SELECT 1"\n', "check 'bad name!': a name may hold only"),
        ('[checks]\nx = "SELECT 1"\n', "check 'x': must be a table with a `sql` key"),
        ('[check.x]\nsql = "SELECT 1"\n', "unknown top-level key 'check'"),
        ('[checks.x]\nsql = "SELECT 1"\n[checks.x]\nsql = "SELECT 2"\n', "is not valid TOML"),
        ('[checks."time.hour.range"]\nsql = "SELECT 1"\n', "check 'time.hour.range': a built-in check has this name"),
    ],
)
def test_malformed_checks_file_exits_2_naming_the_entry(wh_path: Path, tmp_path: Path, toml: str, message: str) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text(toml)
    result = invoke("check", "--checks", str(checks))
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: checks file ") and message in lines[0], lines
    assert result.stdout == ""


def test_malformed_checks_file_is_reported_before_the_missing_warehouse(tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text("[checks.x]\nsql = 1\n")
    result = invoke("check", "--checks", str(checks), env={"SPARKIFY_DUCKDB_PATH": str(tmp_path / "none.duckdb")})
    assert result.exit_code == 2 and "check 'x': `sql` must be a string" in result.stderr


def test_missing_checks_file_exits_2(wh_path: Path, tmp_path: Path) -> None:
    result = invoke("check", "--checks", str(tmp_path / "absent.toml"))
    assert result.exit_code == 2 and "absent.toml does not exist" in result.stderr


def test_missing_warehouse_exits_4_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "never.duckdb"
    result = invoke("check", env={"SPARKIFY_DUCKDB_PATH": str(path)})
    assert result.exit_code == 4
    assert f"no DuckDB warehouse at {path}" in result.stderr and "sparkify run" in result.stderr
    assert not path.exists() and not list(tmp_path.glob("never.duckdb*"))


def test_unloaded_warehouse_exits_4(tmp_path: Path) -> None:
    path = tmp_path / "bare.duckdb"
    run_sql(path, "CREATE TABLE t (x INTEGER)")
    result = invoke("check", env={"SPARKIFY_DUCKDB_PATH": str(path)})
    assert result.exit_code == 4 and "schema songs has no songplays, users" in result.stderr


@pytest.mark.parametrize("args", [["--date", "2018-13-01"], ["--format", "xml"]])
def test_bad_options_exit_2(wh_path: Path, args: list[str]) -> None:
    assert invoke("check", *args).exit_code == 2


def test_check_does_not_write_to_the_warehouse(wh_path: Path) -> None:
    before = wh_path.read_bytes()
    assert invoke("check").exit_code == 0
    assert wh_path.read_bytes() == before


def test_real_data_passes_every_error_severity_check(real_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "real.duckdb"
    settings = load_settings(duckdb_path=path)
    with connect(settings) as wh:
        schema.create(wh)
        pipeline.stage(wh, settings, LocalSource.open(real_data, LogLayout(settings.log_key_template)), Days(None))
        pipeline.load(wh, settings, Days(None))
    with open_warehouse(settings) as wh:
        report = run_checks(wh, settings)
    assert [r.name for r in report.failures] == []
    assert report.ok
    # 2018 data is old by any clock: freshness warns (its default severity), nothing else does.
    assert {r.name: r.status for r in report.results if r.status != "pass"} == {"songplays.freshness": "warn"}
    rate = next(r for r in report.results if r.name == "songplays.song_match_rate").metrics
    assert (rate["plays"], rate["matched"]) == (6820, 39)

    result = invoke("check", "--format", "json", "--date", "2018-11-07", env={"SPARKIFY_DUCKDB_PATH": str(path)})
    assert result.exit_code == 0, result.stderr
    assert result.json()["ok"] is True


def test_readme_documents_the_json_shape(wh_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### `sparkify check", 1)[1].split("\n### ", 1)[0]
    documented = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    actual = invoke("check", "--format", "json").json()
    assert set(documented) == set(actual)
    assert set(documented["summary"]) == set(actual["summary"])
    assert set(documented["checks"][0]) == set(actual["checks"][0])
    documented_check = documented["checks"][0]
    run_sql(wh_path, "UPDATE songs.users SET gender = 'X' WHERE user_id = '1'")
    real = {c["name"]: c for c in invoke("check", "--format", "json").json()["checks"]}[documented_check["name"]]
    assert {k: v for k, v in real.items() if k != "duration_s"} == {
        k: v for k, v in documented_check.items() if k != "duration_s"
    }


def test_a_check_over_its_time_limit_is_an_error_and_the_next_checks_run(wh_path: Path, tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text(
        "[checks.forever]\n"
        "sql = 'SELECT i FROM range(1000000000000000) t(i) WHERE i * i = -1'\n"
        "[checks.after_it]\n"
        "sql = 'SELECT user_id FROM {{ schema }}.users WHERE user_id IS NULL'\n"
    )
    result = invoke("check", "--checks", str(checks), "--format", "json", env={"SPARKIFY_CHECK_TIMEOUT": "1"})
    assert result.exit_code == 1, result.stderr
    found = {c["name"]: c for c in result.json()["checks"]}
    assert found["forever"]["status"] == "error" and found["forever"]["error"] == "timed out after 1 s"
    assert found["after_it"]["status"] == "pass"
    assert all(c["status"] == "pass" for name, c in found.items() if name != "forever")
    assert result.stderr.strip().splitlines() == ["error: 1 error-severity check failed: forever"]
