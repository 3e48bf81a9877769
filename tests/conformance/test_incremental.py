"""The invariants of daily loads, on every warehouse that runs here: order-independent, idempotent,
crash-safe. (DuckDB's file lock is tested in tests/warehouse/test_duckdb_lock.py.)"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support import faults
from support.cli import invoke, query
from support.data import generated
from support.faults import failing_at
from support.harness import Harness


def run(src: Path, *args: str, env: dict[str, str] | None = None) -> None:
    result = invoke("run", "--source", str(src), *args, env=env)
    assert result.exit_code == 0, result.stderr


def test_days_in_any_order_equal_one_full_load(harness: Harness, tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src")
    full = harness.env("full")
    run(src, env=full)
    for order in (days, list(reversed(days)), random.Random(3).sample(days, len(days))):
        daily = harness.env(f"{order[0]}-{order[1]}")
        for day in order:
            run(src, "--date", day, env=daily)
        assert harness.star(daily) == harness.star(full)
    # the level really changes over time in this data, so the latest-event rule was exercised
    levels = query("SELECT count(DISTINCT level) AS n FROM songs.staging_events GROUP BY user_id", full)
    assert any(r["n"] == 2 for r in levels)


def test_days_in_any_order_on_real_data(harness: Harness, real_data: Path) -> None:
    full = harness.env("full")
    run(real_data, env=full)
    days = [f"2018-11-{d:02d}" for d in range(1, 31)]
    daily = harness.env("daily")
    for day in random.Random(11).sample(days, len(days)):
        run(real_data, "--date", day, env=daily)
    assert harness.star(daily) == harness.star(full)


def test_running_a_day_again_changes_nothing(harness: Harness, tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src")
    wh = harness.env()
    run(src)
    before = harness.snapshot(wh)
    for day in (days[2], days[0]):
        run(src, "--date", day)
        assert harness.snapshot(wh) == before
    run(src, "--start", days[1], "--end", days[3])
    assert harness.snapshot(wh) == before


def test_failure_between_any_two_statements_leaves_the_day_out(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, days = generated(tmp_path / "src", days=3)
    wh, pristine = harness.env(), harness.env("pristine")
    run(src, "--date", days[0])
    harness.copy(wh, pristine)
    before = harness.snapshot(wh)

    executed = statements_of_a_run(harness, monkeypatch, "run", "--source", str(src), "--date", days[1])
    statements = len(executed)
    committed = max(i for i, sql in enumerate(executed, start=1) if sql == "COMMIT")
    complete = harness.snapshot(wh)
    assert statements > 20 and complete != before

    failures = 0
    for n in range(1, statements + 1):
        harness.copy(pristine, wh)
        with failing_at(str(n), harness.connection_class):
            result = invoke("run", "--source", str(src), "--date", days[1])
        if result.exit_code == 0:  # a failure the code recovers from (e.g. the careful read path)
            assert harness.snapshot(wh) == complete
            continue
        failures += 1
        assert result.exit_code == 4, result.stderr
        assert f"injected failure before statement {n}" in result.stderr
        # Up to the day's commit nothing may show; after it only the checks run, on loaded data.
        assert harness.snapshot(wh) == (before if n <= committed else complete), f"statement {n}: {executed[n - 1]}"
        rerun = invoke("run", "--source", str(src), "--date", days[1])
        assert rerun.exit_code == 0, rerun.stderr
        assert harness.snapshot(wh) == complete, f"statement {n}: the re-run did not complete the day"
    assert failures > statements // 2


def statements_of_a_run(harness: Harness, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    """Run the CLI once in-process and return the statements its warehouse connection executed."""
    cls = harness.connection_class
    assert cls is not None
    seen: list[list[str]] = []
    real_close = cls.close

    def close(self: Any) -> None:
        seen.append(list(self.statements_run))
        real_close(self)

    with monkeypatch.context() as patch:
        patch.setattr(cls, "close", close)
        result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return seen[-1]


def test_sigkill_mid_run_leaves_the_day_out(harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, days = generated(tmp_path / "src", days=2)
    wh, pristine = harness.env(), harness.env("pristine")
    run(src, "--date", days[0])
    harness.copy(wh, pristine)
    before = harness.snapshot(wh)
    statements = statements_of_a_run(harness, monkeypatch, "run", "--source", str(src), "--date", days[1])
    complete = harness.snapshot(wh)
    begin = statements.index("BEGIN", 3)  # after the ledger's own first transaction
    commit = max(i for i, sql in enumerate(statements) if sql == "COMMIT")
    harness.copy(pristine, wh)

    env = {**os.environ, **wh}
    # killed while staging, in the middle of the load, and right before the day's commit
    for n in (begin + 3, (begin + commit) // 2, commit):
        command = [str(faults.SCRIPT), harness.name, f"{n + 1}:kill", "run", "--date", days[1], "--source", str(src)]
        proc = subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == -9, (n, proc.stderr)
        assert harness.snapshot(wh) == before, statements[n]
    run(src, "--date", days[1])
    assert harness.snapshot(wh) == complete
    statuses = [r["status"] for r in invoke("runs", "--format", "json").json()["runs"]]
    assert statuses.count("running") == 3  # the killed runs are visible as unfinished


def test_a_range_without_log_files_still_stages_a_changed_catalog(harness: Harness, tmp_path: Path) -> None:
    src, _ = generated(tmp_path / "src", days=1)
    result = invoke("stage", "--source", str(src), "--start", "2019-01-01", "--end", "2019-01-02", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert summary["missing_days"] == ["2019-01-01", "2019-01-02"]
    assert summary["songs"]["staged"] == 12 and not summary["songs"]["skipped"]
    assert "no log file for 2019-01-01" in result.stderr
