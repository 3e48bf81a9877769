"""Under --format json a failed command prints one document on stdout too (status, error, exit code,
whether a rerun may work, the run id), so a cron job that keeps stdout keeps a record of every run;
`check --junit` writes its report when the checks cannot run at all. Through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from support.cli import Result, invoke
from support.data import event, write_source

FIELDS = {"schema_version", "status", "exit_code", "error", "transient", "run_id"}


def failure(result: Result, exit_code: int) -> dict[str, Any]:
    """The one document on stdout of a command that failed with `exit_code`; its error is the line
    on stderr."""
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    document = json.loads(result.stdout)  # one document, nothing before or after it
    assert set(document) == FIELDS
    assert (document["schema_version"], document["exit_code"]) == (1, exit_code)
    errors = [line for line in result.stderr.splitlines() if line.startswith(("error: ", "Error: "))]
    assert len(errors) == 1 and document["error"] in errors[0], (document, result.stderr)
    return document


def bad_source(root: Path) -> Path:
    """A day whose second line is not JSON: rejected, and beyond the default --max-errors 0."""
    src = write_source(root, {"2018-11-01": [event()]})
    day = src / "log_data/2018/11/2018-11-02-events.json"
    day.write_text(json.dumps(event(ts=1541190000796)) + '\n{"artist": "x",\n', encoding="utf-8")
    return src


@pytest.mark.parametrize("command", ["run", "stage"])
def test_rejected_lines_beyond_max_errors_are_a_failure_document(tmp_path: Path, command: str) -> None:
    src = bad_source(tmp_path / "src")
    document = failure(invoke(command, "--source", str(src), "--format", "json"), 4)
    assert document["status"] == "failed" and document["transient"] is False
    assert "2018-11-02-events.json:2" in document["error"]
    assert document["run_id"] is None or isinstance(document["run_id"], str)


def test_the_failure_document_names_the_run_the_ledger_recorded(tmp_path: Path) -> None:
    src = bad_source(tmp_path / "src")
    document = failure(invoke("run", "--source", str(src), "--format", "json"), 4)
    runs = invoke("runs", "--format", "json").json()["runs"]
    assert runs[0]["status"] == "failed" and document["run_id"] == runs[0]["run_id"]


def test_load_on_a_broken_warehouse_file_is_a_failure_document(tmp_path: Path) -> None:
    Path(os.environ["SPARKIFY_DUCKDB_PATH"]).write_bytes(b"not a DuckDB file, and long enough to be read" * 100)
    document = failure(invoke("load", "--format", "json"), 4)
    assert document["status"] == "failed" and "cannot open DuckDB file" in document["error"]
    assert document["run_id"] is None  # the ledger is in the warehouse that could not be opened


def test_check_on_a_missing_warehouse_is_a_failure_document(tmp_path: Path) -> None:
    document = failure(invoke("check", "--format", "json"), 4)
    assert document["status"] == "failed" and document["run_id"] is None
    assert document["error"].startswith(f"no DuckDB warehouse at {tmp_path / 'wh.duckdb'}")


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["run", "--format", "json", "--date", "2018-02-30"], {}, "2018-02-30"),  # in the command
        (["run", "--format=json"], {"SPARKIFY_SCHEMA": "select"}, "SPARKIFY_SCHEMA"),  # in the settings
        (["run", "--no-such-option", "--format", "json"], {}, "No such option"),  # before the command runs
        (["stage", "--format", "json", "--max-errors", "-1"], {}, "--max-errors"),
    ],
)
def test_usage_and_settings_errors_are_failure_documents(args: list[str], env: dict[str, str], says: str) -> None:
    document = failure(invoke(*args, env=env), 2)
    assert document["status"] == "failed" and says in document["error"]


def test_a_busy_warehouse_is_a_transient_failure(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); input()",
        ]
        + [os.environ["SPARKIFY_DUCKDB_PATH"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        document = failure(invoke("run", "--source", str(src), "--format", "json"), 4)
        assert document["transient"] is True and "another run holds the warehouse" in document["error"]
    finally:
        holder.kill()
        holder.wait()


def test_failed_checks_keep_their_own_document(tmp_path: Path) -> None:
    """Checks that ran and failed are a result, not a failure to run: the command's document (with
    `ok` false) is the only one on stdout."""
    src = write_source(tmp_path / "src", {"2018-11-01": [event(song="Not In The Catalog")]})
    result = invoke("run", "--source", str(src), "--format", "json", env={"SPARKIFY_CHECK_MIN_SONG_MATCH_RATE": "1"})
    assert result.exit_code == 1, result.stderr
    assert result.json()["checks"]["ok"] is False  # the whole stdout is that one document
    checked = invoke("check", "--format", "json", env={"SPARKIFY_CHECK_MIN_SONG_MATCH_RATE": "1"})
    assert checked.exit_code == 1 and checked.json()["ok"] is False


def test_without_json_a_failure_leaves_stdout_empty() -> None:
    result = invoke("check")
    assert result.exit_code == 4 and result.stdout == ""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_an_interrupted_command_is_a_failure_document(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    forever = "SELECT count(*) FROM range(1000000000000000) t(i) WHERE i * i = -1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sparkify_cli", "query", forever, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not handles_sigterm(proc.pid):  # the CLI's handler is in place: the query is about to run
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    time.sleep(1.0)  # into the query; it would run for days
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    document = failure(Result(proc.returncode, stdout, stderr), 143)
    assert document == {
        "schema_version": 1,
        "status": "interrupted",
        "exit_code": 143,
        "error": "interrupted by SIGTERM",
        "transient": False,
        "run_id": None,
    }


def handles_sigterm(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


# --- check --junit when the checks cannot run ---------------------------------------------------


def junit_error(path: Path) -> ET.Element:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "1")
    cases = list(suite.iter("testcase"))
    assert len(cases) == 1 and cases[0].get("name") == "sparkify check"
    error = cases[0].find("error")
    assert error is not None
    return error


def test_junit_is_written_when_the_warehouse_is_missing(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "checks.xml"
    result = invoke("check", "--junit", str(report), "--format", "json")
    document = failure(result, 4)
    error = junit_error(report)
    assert error.get("message") == document["error"] and error.get("type") == "WarehouseError"


def test_junit_is_written_when_the_warehouse_file_is_broken(tmp_path: Path) -> None:
    Path(os.environ["SPARKIFY_DUCKDB_PATH"]).write_bytes(b"\0garbage" * 1000)
    report = tmp_path / "checks.xml"
    result = invoke("check", "--junit", str(report))
    assert result.exit_code == 4
    assert "cannot open DuckDB file" in (junit_error(report).get("message") or "")


def test_junit_is_written_for_a_malformed_checks_file(tmp_path: Path) -> None:
    checks = tmp_path / "checks.toml"
    checks.write_text('[checks.x]\nseverity = "fatal"\nsql = "SELECT 1"\n')
    report = tmp_path / "checks.xml"
    result = invoke("check", "--checks", str(checks), "--junit", str(report))
    assert result.exit_code == 2
    assert "severity 'fatal'" in (junit_error(report).get("message") or "")


def test_a_refused_junit_path_is_not_written(tmp_path: Path) -> None:
    """--junit over the warehouse file is refused before anything runs: no report replaces it."""
    warehouse = Path(os.environ["SPARKIFY_DUCKDB_PATH"])
    result = invoke("check", "--junit", str(warehouse))
    assert result.exit_code == 2 and not warehouse.exists()
