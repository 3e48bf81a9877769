"""One rule for every command's output: the result on stdout, notes and progress on stderr; counts
read as words ("1 file", "1,234 files"); off a terminal nothing is cut to a screen's width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkify_cli.documents import count
from support.cli import invoke
from support.data import event, write_source


@pytest.mark.parametrize(
    ("n", "noun", "plural", "says"),
    [
        (0, "log file", None, "0 log files"),
        (1, "log file", None, "1 log file"),
        (2, "log file", None, "2 log files"),
        (1234, "log file", None, "1,234 log files"),
        (1, "entry", "entries", "1 entry"),
        (1_000_000, "entry", "entries", "1,000,000 entries"),
    ],
)
def test_a_count_reads_as_words(n: int, noun: str, plural: str | None, says: str) -> None:
    assert count(n, noun, plural) == says


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    plays = [event(song="Not In The Catalog"), event(song="Not In The Catalog", ts=1541190000796)]
    src = write_source(tmp_path / "src", {"2018-11-01": plays[:1], "2018-11-02": plays[1:]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    return src


def test_a_piped_table_prints_long_values_whole(loaded: Path) -> None:
    run_id = invoke("runs", "--format", "json").json()["runs"][0]["run_id"]
    table = invoke("runs")
    assert table.exit_code == 0 and run_id in table.stdout and "…" not in table.stdout
    long = "x" * 300 + "-end"
    result = invoke("query", f"SELECT '{long}' AS long_value, 'after it' AS next_column")
    assert result.exit_code == 0, result.stderr
    assert long in result.stdout and "after it" in result.stdout and "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 300  # one row, on one line


def test_check_prints_its_table_and_summary_on_stdout_and_nothing_else(loaded: Path) -> None:
    result = invoke("check", "--date", "2018-11-01")
    assert result.exit_code == 0, result.stderr
    assert "songplays.reconciliation" in result.stdout
    assert result.stdout.splitlines()[-1] == "30 passed, 1 warned, 0 failed, 0 could not run"
    assert result.stderr == ""


def test_several_failed_checks_are_counted_in_words(loaded: Path) -> None:
    result = invoke(
        "check", env={"SPARKIFY_CHECK_MIN_SONG_MATCH_RATE": "1", "SPARKIFY_CHECK_FRESHNESS_SEVERITY": "error"}
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: 2 error-severity checks failed: songplays.freshness, songplays.song_match_rate"
    )


def test_prune_reports_its_result_on_stdout(loaded: Path) -> None:
    (loaded / "log_data/2018/11/2018-11-02-events.json").unlink()
    dry = invoke("prune", "--source", str(loaded), "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout == "log_data/2018/11/2018-11-02-events.json\n"  # the list is the result
    assert dry.stderr == "dry run: 1 file would be pruned; nothing was changed\n"
    done = invoke("prune", "--source", str(loaded), "--yes")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "pruned 1 file; songplays now 1\n"
    assert done.stderr == "- log_data/2018/11/2018-11-02-events.json\n"  # what it was about to do
    again = invoke("prune", "--source", str(loaded), "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["files"] == []


def test_prune_declined_without_a_terminal_is_one_line_exit_2(loaded: Path) -> None:
    (loaded / "log_data/2018/11/2018-11-02-events.json").unlink()
    result = invoke("prune", "--source", str(loaded))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "error: 1 file to prune and no terminal to ask (pass --yes to prune them)"


def test_generate_counts_in_words(tmp_path: Path) -> None:
    result = invoke("generate", str(tmp_path / "one"), "--events", "1", "--songs", "1", "--days", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "  song_data: 1 file, 1 song by 1 artist"
    assert lines[2].startswith("  log_data:  1 file, 1 event from 1 user, ")
    assert result.stderr == ""
