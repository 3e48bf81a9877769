"""Two runs queue on the schema's advisory lock, taken at the start of each write transaction; reads
go on during a load (MVCC); `sparkify query` cannot write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from support import faults
from support.cli import count, invoke
from support.data import generated
from support.harness import Env, Harness, PostgresHarness, admin

SPARKIFY = [sys.executable, "-m", "sparkify_cli"]


def statements_of(harness: Harness, monkeypatch: pytest.MonkeyPatch, env: Env, *args: str) -> list[str]:
    """The statements one in-process CLI run sends through its connection."""
    cls = harness.connection_class
    assert cls is not None
    seen: list[list[str]] = []
    real_close = cls.close

    def close(self: Any) -> None:
        seen.append(list(self.statements_run))
        real_close(self)

    with monkeypatch.context() as patch:
        patch.setattr(cls, "close", close)
        result = invoke(*args, env=env)
    assert result.exit_code == 0, result.stderr
    return seen[-1]


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait for something another process does (not a timing assertion: the limit only ends a hang)."""
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def waiting_for_the_lock(database: str) -> int:
    with admin() as con:
        found = con.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
            [database],
        ).fetchone()
    return int(found[0]) if found else 0


def test_two_runs_queue_and_reads_go_on(
    postgres: PostgresHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, days = generated(tmp_path / "src", days=2)
    statements = statements_of(
        postgres, monkeypatch, postgres.env("probe"), "run", "--source", str(src), "--date", days[0]
    )
    begin = statements.index("BEGIN", 3)  # the day's transaction, after the ledger's own
    assert "pg_advisory_xact_lock" in statements[begin + 1]
    env = {**os.environ, **postgres.env()}
    # the first run stops inside its day's transaction, right after taking the lock
    first = subprocess.Popen(
        [sys.executable, str(faults.SCRIPT), "postgres", f"{begin + 3}:stop", "run", "--date", days[0]]
        + ["--source", str(src)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    second = None
    try:
        _, status = os.waitpid(first.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        # reads go on: the last committed state, at once
        read = subprocess.run(
            [*SPARKIFY, "query", "SELECT count(*) AS n FROM songs.staging_events", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert read.returncode == 0, read.stderr
        assert json.loads(read.stdout)["rows"] == [{"n": 0}]
        # a second run waits for the first one's transaction instead of interleaving with it
        second = subprocess.Popen(
            [*SPARKIFY, "run", "--date", days[1], "--source", str(src)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda: waiting_for_the_lock(postgres.database("main")) == 1, "the second run to wait for the lock")
        assert second.poll() is None
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    assert second.wait(timeout=120) == 0, second.stderr.read() if second.stderr else ""
    full = postgres.env("full")
    assert invoke("run", "--source", str(src), env=full).exit_code == 0
    assert postgres.star(postgres.env()) == postgres.star(full)
    assert [r["status"] for r in invoke("runs", "--format", "json").json()["runs"]] == ["ok", "ok"]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM songs.songplays",
        "SET default_transaction_read_only = off; DELETE FROM songs.songplays",
        "COMMIT; SET default_transaction_read_only = off; COMMIT; DELETE FROM songs.songplays",
        "WITH gone AS (DELETE FROM songs.songplays RETURNING 1) SELECT count(*) FROM gone",
        "CREATE TABLE songs.x AS SELECT 1",
        "CREATE TEMP TABLE scratch AS SELECT 1",
    ],
)
def test_query_cannot_write(postgres: Harness, tmp_path: Path, statement: str) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    assert invoke("run", "--source", str(src)).exit_code == 0
    plays = count("songplays")
    result = invoke("query", statement)
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    refusal = "the query holds" if ";" in statement else "not allowed on a read-only connection"  # several: before
    assert len(lines) == 1 and lines[0].startswith(f"error: {refusal}"), lines
    assert count("songplays") == plays > 0


def test_tables_outside_the_schema_are_never_touched(postgres: Harness, tmp_path: Path) -> None:
    """The load's scratch tables have plain names (DROP TABLE IF EXISTS batch_plays): on a shared
    database they must never resolve to another program's table in the search path."""
    scratch = ("batch_plays", "changed_plays", "changed_times", "batch_users", "changed_users", "rematched")
    scratch += ("match_repairs", "explained", "files_events", "lines_events", "checked_events")
    with psycopg.connect(postgres.env()["SPARKIFY_POSTGRES_DSN"], autocommit=True) as con:
        for name in scratch:
            con.execute(f"CREATE TABLE public.{name} (kept TEXT)")  # type: ignore[arg-type]
            con.execute(f"INSERT INTO public.{name} VALUES ('theirs')")  # type: ignore[arg-type]
    src, _ = generated(tmp_path / "src", days=2)
    for command in (["run", "--source", str(src)], ["report", "matches"], ["report"], ["check"]):
        result = invoke(*command, env={"SPARKIFY_MATCH": "normalized"})
        assert result.exit_code == 0, (command, result.stderr)
    assert count("songplays") > 0
    with psycopg.connect(postgres.env()["SPARKIFY_POSTGRES_DSN"]) as con:
        for name in scratch:
            assert con.execute(f"SELECT kept FROM public.{name}").fetchall() == [("theirs",)], name  # type: ignore[arg-type]


def test_a_check_past_its_time_limit_is_cancelled(postgres: Harness, tmp_path: Path) -> None:
    """SPARKIFY_CHECK_TIMEOUT: the server cancels the statement; the check is an error, the rest run."""
    src, _ = generated(tmp_path / "src", days=1)
    assert invoke("run", "--source", str(src)).exit_code == 0
    checks = tmp_path / "checks.toml"
    checks.write_text("[checks.slow]\nsql = 'SELECT 1 AS x FROM (SELECT pg_sleep(120)) s'\n")
    result = invoke("check", "--checks", str(checks), "--format", "json", env={"SPARKIFY_CHECK_TIMEOUT": "3"})
    assert result.exit_code == 1, result.stderr
    found = {c["name"]: c for c in result.json()["checks"]}
    assert found["slow"]["status"] == "error" and "timed out after 3 s" in found["slow"]["error"]
    assert sum(c["status"] == "pass" for c in found.values()) > 20  # the others ran
