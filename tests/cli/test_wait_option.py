"""`--wait SECONDS` on query, report and report matches, as on check: while another process holds
the DuckDB file they say once that they wait, and go on when it is free; without it they fail at
once (exit 4, transient). A real second process holds the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import invoke
from support.held import held, release

__all__ = ["held"]  # fixture

COMMANDS = {
    "query": ["query", "SELECT count(*) AS n FROM songs.songplays", "--format", "json"],
    "report": ["report", "--format", "json"],
    "report matches": ["report", "matches", "--format", "json"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_without_wait_a_held_warehouse_fails_at_once(held: subprocess.Popen[str], name: str) -> None:
    result = invoke(*COMMANDS[name])
    assert result.exit_code == 4
    assert "another run holds the warehouse" in result.stderr and "waiting" not in result.stderr
    assert result.json()["transient"] is True


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_with_wait_it_goes_on_once_the_holder_is_done(held: subprocess.Popen[str], name: str) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "sparkify_cli", *COMMANDS[name], "--wait", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stderr is not None
        note = reader.stderr.readline()
        assert f"another run holds the warehouse {os.environ['SPARKIFY_DUCKDB_PATH']}: waiting up to 60 s" in note
        assert reader.poll() is None  # still waiting: the file is still held
        release(held)
        stdout, stderr = reader.communicate(timeout=120)
    finally:
        reader.kill()
    assert reader.returncode == 0, stderr
    assert '"schema_version": 1' in stdout


def test_the_headings_and_help_show_wait() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        heading = next(line for line in readme.splitlines() if line.startswith(f"### `sparkify {name} "))
        assert "[--wait SECONDS]" in heading, heading
        assert "--wait SECONDS" in invoke(*name.split(), "--help").stdout
