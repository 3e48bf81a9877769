"""Sparkify on Airflow: every day, load that day's log file, then check the warehouse.

Two tasks per day (the `{{ ds }}` of the run, the day Airflow schedules):

    sparkify run --date <ds> --format json
    sparkify check --date <ds> --format json --junit <SPARKIFY_REPORTS_DIR>/checks-<ds>.xml

Airflow retries a task only when sparkify says a rerun can succeed as it is: its error line ends with
"[transient: safe to rerun as it is]" (a busy warehouse, a serialization conflict, a throttled AWS
call), or the process was stopped by SIGINT/SIGTERM (exit 130/143: rolled back, safe to rerun).
Anything else -- bad settings (exit 2), an AWS error (3), a load error (4), failed checks (1) -- fails
the task at once: a rerun would fail the same way. `run` exits 1 when checks fail after loading; the
day is loaded, so that task succeeds and the `check` task reports the failures (JUnit, JSON) and fails.

Setup (see README.md, "Running from Airflow"): install sparkify in its own virtual environment
(its pinned dependencies need not agree with Airflow's) and point SPARKIFY_BIN at its executable;
settings come from the worker's SPARKIFY_* environment or from SPARKIFY_ENV_FILE.

Airflow 2.4 or later (the TaskFlow API, `schedule=`), or Airflow 3.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.exceptions import AirflowException, AirflowFailException

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.4+
    from airflow.decorators import dag, task

SPARKIFY_BIN = os.environ.get("SPARKIFY_BIN", "sparkify")
ENV_FILE = os.environ.get("SPARKIFY_ENV_FILE")  # else the worker's SPARKIFY_* environment (and ./.env)
REPORTS_DIR = Path(os.environ.get("SPARKIFY_REPORTS_DIR", "sparkify-reports"))

TRANSIENT = "[transient: safe to rerun as it is]"  # sparkify's marker on errors worth retrying
STOPPED = {130, 143}  # SIGINT, SIGTERM: what was in progress was rolled back
CHECKS_FAILED = 1
STOP_GRACE_S = 120  # how long sparkify gets to roll back when this task is stopped


class Retry(AirflowException):
    """A failure Airflow retries (as any exception but AirflowFailException)."""


def sparkify(*args: str, ok: frozenset[int] = frozenset({0})) -> tuple[int, str]:
    """Run one sparkify command; (exit code, stdout) when the code is in `ok`. Otherwise Retry when
    rerunning can succeed, AirflowFailException when it cannot."""
    command = [SPARKIFY_BIN, *(["--env-file", ENV_FILE] if ENV_FILE else []), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate()
    except BaseException:  # Airflow's timeout or the task being killed: let sparkify roll back first
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    if stderr:
        print(stderr, end="")  # the task log keeps sparkify's own lines
    if process.returncode in ok:
        return process.returncode, stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    said = lines[-1] if lines else "(no message)"
    what = f"sparkify {args[0]} exited {process.returncode}: {said}"
    if TRANSIENT in stderr or process.returncode in STOPPED:
        raise Retry(what)
    raise AirflowFailException(what)


@dag(
    dag_id="sparkify_daily",
    schedule="@daily",
    start_date=datetime(2018, 11, 1),
    catchup=True,  # backfills each day in order; sparkify's loads are idempotent per day
    max_active_runs=1,  # one writer at a time (on DuckDB a second run would fail fast and retry)
    default_args={
        "retries": 3,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(hours=2),
    },
    tags=["sparkify"],
)
def sparkify_daily() -> None:
    @task
    def run(ds: str | None = None) -> dict[str, Any]:
        """Stage and load the day (its checks run too; their failures are the next task's to report)."""
        code, stdout = sparkify("run", "--date", str(ds), "--format", "json", ok=frozenset({0, CHECKS_FAILED}))
        summary: dict[str, Any] = json.loads(stdout)
        if code == CHECKS_FAILED:
            print("the day is loaded; checks failed: the check task reports them")
        return {"run_id": summary.get("run_id"), "rows": summary.get("rows"), "checks": summary.get("checks")}

    @task
    def check(ds: str | None = None) -> dict[str, Any]:
        """The day's checks as JSON (returned) and JUnit XML (for a CI-style report); fails when one does."""
        REPORTS_DIR.mkdir(parents=True, exist_ok=True)
        junit = REPORTS_DIR / f"checks-{ds}.xml"
        _, stdout = sparkify("check", "--date", str(ds), "--format", "json", "--junit", str(junit))
        summary: dict[str, Any] = json.loads(stdout)["summary"]
        return summary

    run() >> check()


sparkify_daily()
