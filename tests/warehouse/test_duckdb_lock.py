"""DuckDB allows one writer per file: a second run fails fast (and says it is safe to rerun)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from support.cli import invoke
from support.data import generated


def test_second_run_fails_fast_while_another_holds_the_warehouse(tmp_path: Path) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    wh = tmp_path / "wh.duckdb"
    assert invoke("run", "--source", str(src)).exit_code == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)",
            str(wh),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = invoke("run", "--source", str(src))
        assert result.exit_code == 4
        assert "another run holds the warehouse" in result.stderr
        assert "safe to rerun" in result.stderr  # a transient error: cron may simply retry
        assert time.monotonic() - started < 20  # fails fast instead of waiting (not a timing benchmark)
    finally:
        holder.kill()
        holder.wait()
