"""DuckDB allows one writer per file: a second run fails fast (and says it is safe to rerun), unless
it is told to wait (`--wait SECONDS`, SPARKIFY_LOCK_WAIT), and then it goes on once the file is free.
A real second process holds the file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.cli import invoke
from support.data import generated
from support.held import held, release

__all__ = ["held"]  # fixture


def test_second_run_fails_fast_while_another_holds_the_warehouse(tmp_path: Path, held: subprocess.Popen[str]) -> None:
    src, _ = generated(tmp_path / "src2", days=1)
    started = time.monotonic()
    result = invoke("run", "--source", str(src))
    assert result.exit_code == 4
    assert "another run holds the warehouse" in result.stderr
    assert "safe to rerun" in result.stderr  # a transient error: cron may simply retry
    assert "waiting" not in result.stderr
    assert time.monotonic() - started < 20  # fails fast instead of waiting (not a timing benchmark)


@pytest.mark.parametrize("args", [["--wait", "0"], []], ids=["wait-0", "default"])
def test_check_without_waiting_fails_at_once(held: subprocess.Popen[str], args: list[str]) -> None:
    result = invoke("check", *args)
    assert result.exit_code == 4
    assert result.stderr.strip().splitlines() == [
        f"error: another run holds the warehouse {os.environ['SPARKIFY_DUCKDB_PATH']} (wait for it to finish, "
        "then retry; SPARKIFY_LOCK_WAIT or --wait SECONDS waits for it) [transient: safe to rerun as it is]"
    ]


def wait_for_the_note(process: subprocess.Popen[str]) -> list[str]:
    """stderr up to the note that it waits (or to its end, when it did not wait)."""
    assert process.stderr is not None
    lines = []
    while line := process.stderr.readline():
        lines.append(line.rstrip("\n"))
        if "waiting up to" in line:
            break
    return lines


def test_check_with_wait_goes_on_once_the_holder_is_done(held: subprocess.Popen[str]) -> None:
    checker = subprocess.Popen(
        [sys.executable, "-m", "sparkify_cli", "check", "--wait", "60", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = wait_for_the_note(checker)
        assert seen[-1:] == [
            f"another run holds the warehouse {os.environ['SPARKIFY_DUCKDB_PATH']}: waiting up to 60 s for it"
        ], seen
        assert checker.poll() is None  # still waiting: the file is still held
        release(held)
        stdout, stderr = checker.communicate(timeout=120)
    finally:
        checker.kill()
    assert checker.returncode == 0, stderr
    assert '"ok": true' in stdout


def test_the_setting_makes_every_command_wait(held: subprocess.Popen[str]) -> None:
    env = {**os.environ, "SPARKIFY_LOCK_WAIT": "60"}
    reader = subprocess.Popen(
        [sys.executable, "-m", "sparkify_cli", "query", "SELECT count(*) AS n FROM songs.songplays"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = wait_for_the_note(reader)
        assert seen and "waiting up to 60 s" in seen[-1], seen
        release(held)
        _, stderr = reader.communicate(timeout=120)
    finally:
        reader.kill()
    assert reader.returncode == 0, stderr
