"""The invariants of daily loads: order-independent, idempotent, crash-safe, never interleaved."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

import faults
from conftest import event, invoke, song, write_source
from faults import failing_at
from sparkify_cli.warehouse.duckdb.connection import DuckDBWarehouse

TABLES = (
    "songplays",
    "users",
    "songs",
    "artists",
    "time",
    "staging_events",
    "staging_songs",
    "user_latest",
    "songplay_sources",
    "rejects",
)


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table, sorted (the ledger is left out: it rightly records failed runs)."""
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            rows = con.execute(f'SELECT * FROM songs."{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        out["staged"] = sorted(
            con.execute("SELECT source_file, kind, rows_staged, rows_rejected FROM songs.staged_files").fetchall()
        )
        return out
    finally:
        con.close()


def generated(root: Path, days: int = 6, seed: int = 7) -> tuple[Path, list[str]]:
    """A small source whose users change level across days and whose plays partly match songs."""
    rng = random.Random(seed)
    catalog = [
        song(
            song_id=f"SO{i}",
            title=f"Song {i}",
            artist_id=f"AR{i % 4}",
            artist_name=f"Artist {i % 4}",
            duration=100.0 + i,
        )
        for i in range(12)
    ]
    names = []
    by_day: dict[str, list[dict[str, Any]]] = {}
    for d in range(days):
        day = f"2018-11-{d + 1:02d}"
        names.append(day)
        base = 1541030400000 + d * 86_400_000
        events = []
        for i in range(40):
            user = str(rng.randint(1, 8))
            pick = rng.choice(catalog)
            matched = rng.random() < 0.5
            events.append(
                event(
                    userId=user,
                    sessionId=100 + d * 10 + int(user),
                    itemInSession=i,
                    ts=base + i * 60_000 + 796,
                    level=rng.choice(["free", "paid"]),
                    page=rng.choice(["NextSong"] * 4 + ["Home"]),
                    song=pick["title"],
                    artist=pick["artist_name"],
                    length=pick["duration"] if matched else pick["duration"] + 1,
                    firstName=f"U{user}",
                    lastName="X",
                    gender=rng.choice("MF"),
                )
            )
        by_day[day] = events
    return write_source(root, by_day, catalog), names


def run(src: Path, *args: str, env: dict[str, str] | None = None) -> None:
    result = invoke("run", "--source", str(src), *args, env=env)
    assert result.exit_code == 0, result.stderr


def star(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    snap = snapshot(path)
    return {t: snap[t] for t in ("songplays", "users", "songs", "artists", "time")}


def test_days_in_any_order_equal_one_full_load(tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src")
    full = tmp_path / "full.duckdb"
    run(src, env={"SPARKIFY_DUCKDB_PATH": str(full)})
    for order in (days, list(reversed(days)), random.Random(3).sample(days, len(days))):
        path = tmp_path / f"{order[0]}-{order[1]}.duckdb"
        for day in order:
            run(src, "--date", day, env={"SPARKIFY_DUCKDB_PATH": str(path)})
        assert star(path) == star(full)
    # the level really changes over time in this data, so the latest-event rule was exercised
    con = duckdb.connect(str(full), read_only=True)
    levels = con.execute("SELECT count(DISTINCT level) FROM songs.staging_events GROUP BY user_id").fetchall()
    assert any(n == 2 for (n,) in levels)


def test_days_in_any_order_on_real_data(real_data: Path, tmp_path: Path) -> None:
    full = tmp_path / "full.duckdb"
    run(real_data, env={"SPARKIFY_DUCKDB_PATH": str(full)})
    days = [f"2018-11-{d:02d}" for d in range(1, 31)]
    path = tmp_path / "daily.duckdb"
    for day in random.Random(11).sample(days, len(days)):
        run(real_data, "--date", day, env={"SPARKIFY_DUCKDB_PATH": str(path)})
    assert star(path) == star(full)


def test_running_a_day_again_changes_nothing(tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src")
    wh = tmp_path / "wh.duckdb"
    run(src)
    before = snapshot(wh)
    for day in (days[2], days[0]):
        run(src, "--date", day)
        assert snapshot(wh) == before
    run(src, "--start", days[1], "--end", days[3])
    assert snapshot(wh) == before


def test_failure_between_any_two_statements_leaves_the_day_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, days = generated(tmp_path / "src", days=3)
    wh = tmp_path / "wh.duckdb"
    run(src, "--date", days[0])
    pristine = tmp_path / "pristine.duckdb"
    shutil.copy(wh, pristine)
    before = snapshot(wh)

    executed = statements_of_a_run(monkeypatch, "run", "--source", str(src), "--date", days[1])
    statements = len(executed)
    committed = max(i for i, sql in enumerate(executed, start=1) if sql == "COMMIT")
    complete = snapshot(wh)
    assert statements > 20 and complete != before

    failures = 0
    for n in range(1, statements + 1):
        shutil.copy(pristine, wh)
        with failing_at(str(n)):
            result = invoke("run", "--source", str(src), "--date", days[1])
        if result.exit_code == 0:  # a failure the code recovers from (e.g. the careful read path)
            assert snapshot(wh) == complete
            continue
        failures += 1
        assert result.exit_code == 4, result.stderr
        assert f"injected failure before statement {n}" in result.stderr
        # Up to the day's commit nothing may show; after it only the checks run, on loaded data.
        assert snapshot(wh) == (before if n <= committed else complete), f"statement {n}: {executed[n - 1]}"
        rerun = invoke("run", "--source", str(src), "--date", days[1])
        assert rerun.exit_code == 0, rerun.stderr
        assert snapshot(wh) == complete, f"statement {n}: the re-run did not complete the day"
    assert failures > statements // 2


def statements_of_a_run(monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    """Run the CLI once in-process and return the statements its warehouse connection executed."""
    seen: list[list[str]] = []
    real_close = DuckDBWarehouse.close

    def close(self: DuckDBWarehouse) -> None:
        seen.append(list(self.statements_run))
        real_close(self)

    with monkeypatch.context() as patch:
        patch.setattr(DuckDBWarehouse, "close", close)
        result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return seen[-1]


def test_sigkill_mid_run_leaves_the_day_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, days = generated(tmp_path / "src", days=2)
    wh = tmp_path / "wh.duckdb"
    run(src, "--date", days[0])
    pristine = tmp_path / "pristine.duckdb"
    shutil.copy(wh, pristine)
    before = snapshot(wh)
    statements = statements_of_a_run(monkeypatch, "run", "--source", str(src), "--date", days[1])
    complete = snapshot(wh)
    begin = statements.index("BEGIN", 3)  # after the ledger's own first transaction
    commit = max(i for i, sql in enumerate(statements) if sql == "COMMIT")
    shutil.copy(pristine, wh)

    env = {**os.environ, "SPARKIFY_DUCKDB_PATH": str(wh)}
    # killed while staging, in the middle of the load, and right before the day's commit
    for n in (begin + 3, (begin + commit) // 2, commit):
        proc = subprocess.run(
            [sys.executable, str(faults.SCRIPT), f"{n + 1}:kill", "run", "--date", days[1], "--source", str(src)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == -9, (n, proc.stderr)
        assert snapshot(wh) == before, statements[n]
    run(src, "--date", days[1])
    assert snapshot(wh) == complete
    statuses = [r["status"] for r in invoke("runs", "--format", "json").json()]
    assert statuses.count("running") == 3  # the killed runs are visible as unfinished


def test_second_run_fails_fast_while_another_holds_the_warehouse(tmp_path: Path) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    wh = tmp_path / "wh.duckdb"
    run(src)
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
        assert time.monotonic() - started < 20  # fails fast instead of waiting (not a timing benchmark)
    finally:
        holder.kill()
        holder.wait()


def test_a_range_without_log_files_still_stages_a_changed_catalog(tmp_path: Path) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    result = invoke("stage", "--source", str(src), "--start", "2019-01-01", "--end", "2019-01-02", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert summary["missing_days"] == ["2019-01-01", "2019-01-02"]
    assert summary["songs"]["staged"] == 12 and not summary["songs"]["skipped"]
    assert "no log file for 2019-01-01" in result.stderr
