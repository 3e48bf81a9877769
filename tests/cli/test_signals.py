"""SIGINT and SIGTERM (cron, systemd, `timeout`) stop a run cleanly: the step in progress is rolled
back, the ledger says `interrupted`, one line on stderr, exit 130 / 143. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from support.cli import invoke, query
from support.data import event, write_source

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")


def handles(pid: int, signum: int) -> bool:
    """Has the process installed a handler for `signum` (SigCgt in /proc)?"""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signum - 1)))
    return False


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sparkify_cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a test runner may run with SIGINT ignored, which children inherit (and sparkify respects)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_until(condition: Any, proc: subprocess.Popen[str], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every table of the schema, through `sparkify query`; the ledger apart."""
    tables = [
        r["table_name"] for r in query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'songs'")
    ]
    return {t: query(f'SELECT * FROM songs."{t}" ORDER BY ALL') for t in sorted(tables) if t != "runs"}


@pytest.fixture(scope="module")
def big_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300k events over 3 days: staging them takes seconds, so a signal lands mid-statement."""
    out = tmp_path_factory.mktemp("big") / "src"
    result = invoke(
        "generate", str(out), "--events", "300000", "--songs", "2000", "--days", "3", "--start-date", "2018-12-01"
    )
    assert result.exit_code == 0, result.stderr
    return out


@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "SIGINT")])
def test_a_signal_during_a_run_rolls_back_and_records_interrupted(
    big_source: Path, tmp_path: Path, signum: int, code: int, name: str
) -> None:
    small = write_source(tmp_path / "small", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(small)).exit_code == 0
    before, runs_before = snapshot(), query("SELECT * FROM songs.runs ORDER BY ALL")

    wal = Path(os.environ["SPARKIFY_DUCKDB_PATH"] + ".wal")
    proc = start(["run", "--source", str(big_source)], dict(os.environ), tmp_path)
    wait_until(lambda: handles(proc.pid, signum), proc, "the signal handler")
    wait_until(lambda: wal.exists() and wal.stat().st_size > 0, proc, "the ledger's 'running' row")
    time.sleep(0.5)  # into staging: reading 300k events is one long DuckDB statement
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)

    assert proc.returncode == code, stderr
    assert stderr.strip().splitlines() == [
        f"error: interrupted by {name} (any transaction in progress was rolled back)"
    ]
    assert stdout == ""
    runs = invoke("runs", "--format", "json").json()["runs"]
    assert runs[0]["status"] == "interrupted" and runs[0]["error"] == f"interrupted by {name}"
    assert runs[0]["finished_at"] is not None
    assert snapshot() == before  # staging, star tables, helper tables: as they were
    assert query("SELECT * FROM songs.runs WHERE status <> 'interrupted' ORDER BY ALL") == runs_before
    assert invoke("run", "--source", str(small)).exit_code == 0  # and the next run works


def test_sigterm_during_one_long_statement_is_handled_in_python(tmp_path: Path) -> None:
    """DuckDB checks for signals while a statement runs: the Python handler runs, the statement is
    cancelled, and the process exits 143 with its one line (not killed silently, not hung)."""
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    forever = "SELECT count(*) FROM range(1000000000000000) t(i) WHERE i * i = -1"
    proc = start(["query", forever], dict(os.environ), tmp_path)
    wait_until(lambda: handles(proc.pid, signal.SIGTERM), proc, "the signal handler")
    time.sleep(1.0)  # the query has started; it would run for days
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.strip().splitlines() == [
        "error: interrupted by SIGTERM (any transaction in progress was rolled back)"
    ]
