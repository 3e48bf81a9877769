"""`sparkify schema create --drop` deletes every table: it says what would be lost and asks first,
`--yes` is for scripts, and without a terminal it refuses rather than guess (the real CLI on every
warehouse that runs here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sparkify_cli.cli import app
from support.cli import Result, count
from support.data import event, write_source
from support.harness import Harness
from support.terminal import terminal  # noqa: F401  (fixture)

# Three plays (two users), a Home page view, two days: songplays 3, users 2, time 3.
DAYS = {
    "2018-11-01": [event(ts=1541030400000), event(ts=1541030460000, userId="8"), event(page="Home")],
    "2018-11-02": [event(ts=1541116800000)],
}


def sparkify(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def loaded(harness: Harness, tmp_path: Path) -> Harness:
    source = write_source(tmp_path / "src", DAYS)
    assert sparkify("run", "--source", str(source)).exit_code == 0
    assert (count("songplays"), count("users"), count("time")) == (3, 2, 3)
    return harness


def error_line(stderr: str) -> str:
    (line,) = [line for line in stderr.splitlines() if line.startswith("error:")]
    return line


def test_without_a_terminal_and_without_yes_nothing_is_dropped(loaded: Harness) -> None:
    result = sparkify("schema", "create", "--drop")  # cron, CI, a pipe: nobody to ask
    assert result.exit_code == 2, result.stderr
    line = error_line(result.stderr)
    assert "no terminal to ask" in line and "--yes" in line
    assert count("songplays") == 3


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize("answer", ["n\n", "\n", ""])  # no, the default (no), end of input
def test_on_a_terminal_it_names_what_is_lost_and_anything_but_yes_keeps_it(loaded: Harness, answer: str) -> None:
    result = sparkify("schema", "create", "--drop", input=answer)
    assert result.exit_code == 2, result.stderr
    assert "in schema songs on " in result.stderr
    if loaded.name == "duckdb":
        assert str(Path(loaded.env()["SPARKIFY_DUCKDB_PATH"]).resolve()) in result.stderr
    for line in ("songplays: 3 rows", "users: 2 rows", "time: 3 rows", "songs: 1 row", "artists: 1 row"):
        assert line in result.stderr
    assert "Drop them" in result.stderr
    assert "nothing was dropped" in result.stderr
    assert count("songplays") == 3


@pytest.mark.usefixtures("terminal")
def test_on_a_terminal_yes_drops_and_recreates(loaded: Harness) -> None:
    result = sparkify("schema", "create", "--drop", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert (count("songplays"), count("users")) == (0, 0)


def test_yes_drops_without_asking_and_without_a_terminal(loaded: Harness) -> None:
    result = sparkify("schema", "create", "--drop", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "Drop them" not in result.stderr
    assert (count("songplays"), count("users")) == (0, 0)


def test_a_dry_run_with_drop_changes_nothing_and_needs_no_answer(loaded: Harness) -> None:
    result = sparkify("schema", "create", "--drop", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "DROP TABLE" in result.stdout
    assert count("songplays") == 3


def test_with_nothing_to_lose_there_is_nothing_to_ask(harness: Harness) -> None:
    result = sparkify("schema", "create", "--drop")  # a new warehouse: no table to drop
    assert result.exit_code == 0, result.stderr
    assert count("songplays") == 0
