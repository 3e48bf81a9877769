"""An S3 sync stops promptly: a silent endpoint fails after the configured timeouts (exit 3, one
line), and Ctrl-C cancels the pending downloads and stops the running ones (exit 130), leaving no
partial file and an index of exactly what arrived. The real CLI in a subprocess, against endpoints
on 127.0.0.1 (tests/support/slow_s3.py); the only time limits are bounds that fail on a hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.cli import invoke
from support.data import event, song
from support.slow_s3 import SILENT, SLOW, Body, SlowS3, silent_endpoint

BUCKET = "slow-bucket"
HANG = 120  # seconds: far beyond a prompt stop, far below the minutes a hang takes


def cli_env(tmp_path: Path, endpoint: str, **settings: str) -> dict[str, str]:
    """The environment of a sparkify process reaching AWS only at `endpoint`, with fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARKIFY_", "AWS_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="AKIAFAKEFORSLOWTESTS",
        AWS_SECRET_ACCESS_KEY="FAKEsecretKEY/slow+tests/0000",
        AWS_REGION="us-west-2",
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        SPARKIFY_DUCKDB_PATH=str(tmp_path / "wh.duckdb"),
        SPARKIFY_CACHE_DIR=str(tmp_path / "cache"),
        **settings,
    )
    return env


def sparkify(*args: str) -> list[str]:
    return [sys.executable, "-m", "sparkify_cli", *args]


def test_a_silent_endpoint_fails_after_the_timeouts_with_one_line(tmp_path: Path) -> None:
    with silent_endpoint() as url:
        env = cli_env(tmp_path, url, SPARKIFY_AWS_CONNECT_TIMEOUT="1", SPARKIFY_AWS_READ_TIMEOUT="1")
        proc = subprocess.run(
            sparkify("run", "--source", f"s3://{BUCKET}/data"),
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "timeout" in lines[0].lower(), lines
    runs = invoke("runs", "--format", "json", env={"SPARKIFY_DUCKDB_PATH": env["SPARKIFY_DUCKDB_PATH"]}).json()["runs"]
    assert [r["status"] for r in runs] == ["failed"]


@pytest.mark.parametrize("stuck", [SLOW, SILENT])
def test_ctrl_c_cancels_the_pending_downloads_and_stops_the_running_ones(tmp_path: Path, stuck: str) -> None:
    """SLOW: the running downloads stop at their next chunk. SILENT: they are abandoned, not waited
    for (the default read timeout, 60 s three times over, would far exceed the bound)."""
    fast = {f"data/song_data/A/A/A/TR{i:04d}.json": json.dumps(song(song_id=f"SO{i}")).encode() for i in range(5)}
    slow: dict[str, Body] = {f"data/song_data/B/B/B/TR{i:04d}.json": stuck for i in range(40)}
    logs = {"data/log_data/2018/11/2018-11-01-events.json": json.dumps(event()).encode()}
    with SlowS3(BUCKET, {**fast, **slow, **logs}) as s3:
        proc = subprocess.Popen(
            sparkify("run", "--source", f"s3://{BUCKET}/data"),
            env=cli_env(tmp_path, s3.url),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # a test runner may run with SIGINT ignored, which children inherit (and sparkify respects)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            # The five fast songs arrive, then all 8 workers are inside a slow download.
            deadline = time.monotonic() + HANG
            while s3.in_flight() < 8 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert s3.in_flight() == 8 and len(s3.gets) == 13, (s3.gets, proc.poll())
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=HANG)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 130, stderr
        assert stderr.strip().splitlines()[-1].startswith("error: interrupted by SIGINT")
        assert len(s3.gets) == 13  # the 32 pending downloads never started

    cache = tmp_path / "cache" / BUCKET / "data"
    assert not list(cache.rglob("*.part"))
    arrived = {k.removeprefix("data/") for k in fast}
    assert {p.relative_to(cache).as_posix() for p in cache.rglob("*.json") if p.name[0] != "."} == arrived
    for key in arrived:
        assert (cache / key).read_bytes() == fast[f"data/{key}"]
    assert set(json.loads((cache / ".sparkify-sync.json").read_text())) == arrived
