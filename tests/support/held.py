"""A loaded DuckDB warehouse held by another process (DuckDB allows one writer per file), for the
tests of waiting for the lock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import invoke
from support.data import generated

HOLD = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.readline()"


@pytest.fixture
def held(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A loaded warehouse, held by another process until `release`."""
    src, _ = generated(tmp_path / "src", days=1)
    assert invoke("run", "--source", str(src)).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, os.environ["SPARKIFY_DUCKDB_PATH"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.write("done\n")
    holder.stdin.flush()
    assert holder.wait(timeout=60) == 0
