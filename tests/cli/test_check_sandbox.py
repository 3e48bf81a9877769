"""A checks file cannot run code: its SQL renders in Jinja's sandbox with only the documented
variables, and what it renders must be one read-only query, all before any query runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.check_data import build_warehouse, copy_warehouse
from support.cli import invoke, query
from support.data import event, write_source

# Each would run `touch pwned` (or read a secret) if the template ran unsandboxed.
EXPLOITS = [
    "SELECT '{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}'",
    "SELECT '{{ joiner.__init__.__globals__.os.popen('touch pwned').read() }}'",
    "SELECT '{{ namespace.__init__.__globals__.os.popen('touch pwned').read() }}'",
    "SELECT '{{ lipsum.__globals__.os.popen('touch pwned').read() }}'",
    "SELECT '{{ range.__self__.__import__('os').popen('touch pwned').read() }}'",
    "SELECT '{{ schema.__class__.__mro__[1].__subclasses__() }}'",
    "SELECT '{{ self.__init__.__globals__.__builtins__.__import__('os').popen('touch pwned').read() }}'",
    "SELECT '{{ ('{0.__class__.__init__.__globals__}').format(schema) }}'",
    "SELECT '{{ schema|attr('__class__') }}'",
    "SELECT '{{ dialect.format_map.__self__.__class__ }}'",
    "SELECT '{{ config.items() }}'",
    "SELECT '{% set x = [] %}{{ x.append(1) }}'",
    "SELECT '{{ 'x' * 1000000000 }}'",
    "SELECT '{{ 9 ** 99999999 }}'",
    "SELECT '{% include '/etc/passwd' %}'",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("sandbox-template"))


@pytest.fixture
def wh_path(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = copy_warehouse(template, tmp_path / "wh.duckdb")
    monkeypatch.setenv("SPARKIFY_DUCKDB_PATH", str(path))
    return path


def checks_file(path: Path, sql: str, name: str = "evil") -> Path:
    quotes = "'" * 3  # a TOML literal string: no escapes
    path.write_text(f"[checks.{name}]\nsql = {quotes}\n{sql}\n{quotes}\n")
    return path


@pytest.mark.parametrize("sql", EXPLOITS)
def test_a_template_cannot_run_code(wh_path: Path, tmp_path: Path, sql: str) -> None:
    checks = checks_file(tmp_path / "checks.toml", sql)
    result = invoke("check", "--checks", str(checks))
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "check 'evil'" in lines[0] and "`sql` is not a valid template" in lines[0], lines
    assert not (tmp_path / "pwned").exists()
    assert result.stdout == ""  # nothing ran: no table of results


def test_the_documented_variables_still_render(wh_path: Path, tmp_path: Path) -> None:
    sql = (
        "SELECT '{{ schema }}|{{ dialect }}|{{ day }}|{{ day_start }}|{{ day_end }}|{{ schema|upper }}' AS v "
        "FROM {{ schema }}.songplays WHERE false"
    )
    checks = checks_file(tmp_path / "checks.toml", sql, "vars")
    result = invoke("check", "--checks", str(checks), "--date", "2018-11-05", "--format", "json")
    mine = next(c for c in result.json()["checks"] if c["name"] == "vars")
    assert "'songs|duckdb|2018-11-05|2018-11-05 00:00:00|2018-11-06 00:00:00|SONGS' AS v" in mine["sql"]
    assert mine["status"] == "pass"


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ("DELETE FROM {{ schema }}.users", "it starts with DELETE"),
        ("  -- a comment first\n delete from {{ schema }}.users", "it starts with DELETE"),
        ("SELECT 1; DELETE FROM {{ schema }}.users", "more than one statement"),
        ("WITH gone AS (DELETE FROM {{ schema }}.users RETURNING *) SELECT * FROM gone", "it holds DELETE"),
        ("SELECT * INTO {{ schema }}.stolen FROM {{ schema }}.users", "it holds INTO"),
        ("COPY {{ schema }}.users TO 'users.csv'", "it starts with COPY"),
        ("SELECT * FROM {{ schema }}.users UNION SELECT * FROM {{ schema }}.users; DROP TABLE x", "more than one"),
        ("ATTACH 'other.duckdb'", "it starts with ATTACH"),
        ("PRAGMA version", "it starts with PRAGMA"),
        ("{% if false %}SELECT 1{% endif %}", "it is empty"),
    ],
)
def test_a_check_must_be_one_read_only_query(wh_path: Path, tmp_path: Path, sql: str, found: str) -> None:
    before = query("SELECT count(*) AS n FROM songs.users")
    checks = checks_file(tmp_path / "checks.toml", sql, "writer")
    result = invoke("check", "--checks", str(checks))
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "check 'writer': `sql` must be one read-only SELECT or WITH query" in lines[0], lines
    assert found in lines[0]
    assert query("SELECT count(*) AS n FROM songs.users") == before
    assert not (tmp_path / "users.csv").exists()


def test_words_inside_quotes_are_not_statements(wh_path: Path, tmp_path: Path) -> None:
    sql = "SELECT user_id FROM {{ schema }}.users WHERE first_name = 'delete; drop' AND \"level\" <> 'into'"
    result = invoke("check", "--checks", str(checks_file(tmp_path / "checks.toml", sql, "quoted")))
    assert result.exit_code == 0, result.stderr


def test_run_validates_the_checks_file_before_anything_runs(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    missing = invoke("run", "--source", str(src), env={"SPARKIFY_CHECKS_FILE": str(tmp_path / "nope.toml")})
    assert missing.exit_code == 2
    assert "checks file" in missing.stderr and "does not exist" in missing.stderr
    evil = checks_file(tmp_path / "evil.toml", EXPLOITS[0])
    result = invoke("run", "--source", str(src), env={"SPARKIFY_CHECKS_FILE": str(evil)})
    assert result.exit_code == 2
    assert "check 'evil'" in result.stderr
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "wh.duckdb").exists()  # nothing ran: not even the warehouse was created


def test_run_checks_user_sql_on_a_locked_down_connection(tmp_path: Path) -> None:
    """`run` writes, then runs user checks on the same connection: from then on it reads no file."""
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    secret = tmp_path / "secret.txt"
    secret.write_text("the password\n")
    checks = checks_file(tmp_path / "checks.toml", f"SELECT content FROM read_text('{secret}')", "reader")
    result = invoke("run", "--source", str(src), "--format", "json", env={"SPARKIFY_CHECKS_FILE": str(checks)})
    assert result.exit_code == 1, result.stderr
    assert "the password" not in result.stdout + result.stderr
    assert query("SELECT status FROM songs.runs") == [{"status": "checks_failed"}]
    assert query("SELECT count(*) AS n FROM songs.songplays") == [{"n": 1}]  # the load itself committed
    report = invoke("check", "--checks", str(checks), "--format", "json")
    reader = next(c for c in report.json()["checks"] if c["name"] == "reader")
    assert reader["status"] == "error" and "not allowed" in reader["error"]
    assert "the password" not in report.stdout
