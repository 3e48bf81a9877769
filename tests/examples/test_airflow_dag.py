"""examples/airflow/sparkify_dag.py: it compiles without Airflow; with a small stand-in for the
parts of Airflow it uses, its DAG is daily `run` then `check`, and its tasks drive the real CLI,
retrying only what sparkify calls transient."""

from __future__ import annotations

import importlib.util
import py_compile
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from support.cli import invoke

DAG_FILE = Path(__file__).resolve().parents[2] / "examples" / "airflow" / "sparkify_dag.py"
SPARKIFY = Path(sys.executable).parent / "sparkify"  # the console script of this environment

# Just what the DAG file imports from Airflow 2: the TaskFlow decorators record the DAG they build.
STUB = {
    "__init__.py": "",
    "exceptions.py": "class AirflowException(Exception): ...\nclass AirflowFailException(AirflowException): ...\n",
    "decorators.py": """
DAGS = []
_CALLED = []

class Task:
    def __init__(self, function):
        self.function, self.downstream = function, []
    def __call__(self):
        _CALLED.append(self)
        return self
    def __rshift__(self, other):
        self.downstream.append(other)
        return other

def task(function):
    return Task(function)

def dag(**kwargs):
    def decorate(function):
        def build():
            _CALLED.clear()
            function()
            DAGS.append({**kwargs, "tasks": list(_CALLED)})
        return build
    return decorate
""",
}


def test_the_dag_file_compiles_without_airflow(tmp_path: Path) -> None:
    py_compile.compile(str(DAG_FILE), cfile=str(tmp_path / "dag.pyc"), doraise=True)


@pytest.fixture
def load_dag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Import the DAG file against the stand-in Airflow, with the environment the test set first."""
    stub = tmp_path / "stub" / "airflow"
    stub.mkdir(parents=True)
    for name, text in STUB.items():
        (stub / name).write_text(text)
    monkeypatch.syspath_prepend(str(stub.parent))
    before = set(sys.modules)

    def load() -> ModuleType:
        spec = importlib.util.spec_from_file_location("sparkify_dag", DAG_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    yield load
    for name in set(sys.modules) - before:
        if name == "airflow" or name.startswith("airflow.") or name == "sparkify_dag":
            del sys.modules[name]


def test_the_dag_runs_each_day_then_checks_it(load_dag: Any) -> None:
    load_dag()
    from airflow.decorators import DAGS

    (built,) = DAGS
    assert built["schedule"] == "@daily" and built["max_active_runs"] == 1
    assert built["default_args"]["retries"] > 0
    run, check = built["tasks"]
    assert (run.function.__name__, check.function.__name__) == ("run", "check")
    assert run.downstream == [check] and check.downstream == []


@pytest.fixture
def source(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert invoke("generate", str(data), "--events", "600", "--songs", "60", "--days", "3").exit_code == 0
    return data


def test_the_tasks_load_and_check_a_day_through_the_cli(
    load_dag: Any, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARKIFY_BIN", str(SPARKIFY))
    monkeypatch.setenv("SPARKIFY_SOURCE", str(source))
    monkeypatch.setenv("SPARKIFY_REPORTS_DIR", str(tmp_path / "reports"))
    dag = load_dag()
    from airflow.decorators import DAGS

    run, check = DAGS[0]["tasks"]
    loaded = run.function(ds="2018-11-02")
    assert loaded["rows"]["songplays"] > 0 and loaded["checks"]["ok"] is True
    summary = check.function(ds="2018-11-02")
    assert summary["fail"] == 0 and summary["error"] == 0
    assert (tmp_path / "reports" / "checks-2018-11-02.xml").read_text().startswith("<?xml")
    assert dag.SPARKIFY_BIN == str(SPARKIFY)


def test_failed_checks_fail_the_check_task_without_a_retry(
    load_dag: Any, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARKIFY_BIN", str(SPARKIFY))
    monkeypatch.setenv("SPARKIFY_SOURCE", str(source))
    monkeypatch.setenv("SPARKIFY_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SPARKIFY_CHECK_MIN_SONG_MATCH_RATE", "1")  # generated plays match about 30%
    load_dag()
    from airflow.decorators import DAGS
    from airflow.exceptions import AirflowFailException

    run, check = DAGS[0]["tasks"]
    assert run.function(ds="2018-11-02")["checks"]["ok"] is False  # loaded: run's exit 1 is not its failure
    with pytest.raises(AirflowFailException, match="sparkify check exited 1"):
        check.function(ds="2018-11-02")
    assert "songplays.song_match_rate" in (tmp_path / "reports" / "checks-2018-11-02.xml").read_text()


def test_only_a_transient_failure_is_retried(
    load_dag: Any, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    monkeypatch.setenv("SPARKIFY_BIN", str(SPARKIFY))
    monkeypatch.setenv("SPARKIFY_SOURCE", str(source))
    dag = load_dag()
    from airflow.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="exited 2"):  # a bad date: a rerun fails the same way
        dag.sparkify("run", "--date", "2018-02-30")
    holder = duckdb.connect(str(tmp_path / "wh.duckdb"))  # another process holds the warehouse (conftest's file)
    try:
        with pytest.raises(dag.Retry) as busy:
            dag.sparkify("run", "--date", "2018-11-02")
    finally:
        holder.close()
    assert not isinstance(busy.value, AirflowFailException)
    assert "transient" in str(busy.value)
    assert dag.sparkify("run", "--date", "2018-11-02")[0] == 0  # and the retry goes through


def test_a_stopped_sparkify_is_retried(load_dag: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit 143 (SIGTERM: rolled back) is safe to rerun; a stand-in sparkify that was stopped."""
    stopped = tmp_path / "stopped-sparkify"
    stopped.write_text("#!/bin/sh\necho 'error: interrupted by SIGTERM' >&2\nexit 143\n")
    stopped.chmod(0o755)
    monkeypatch.setenv("SPARKIFY_BIN", str(stopped))
    dag = load_dag()
    with pytest.raises(dag.Retry, match="exited 143"):
        dag.sparkify("run", "--date", "2018-11-02")
