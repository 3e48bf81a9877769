"""One convention for the shapes of the --format json documents, through the real CLI: timestamps
ISO 8601 in UTC with `Z`, days as data, the same count names in `run` and `runs`, settings typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.cli import invoke
from support.data import event, write_source

ZULU = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def recent(text: str) -> bool:
    """An ISO 8601 UTC timestamp with Z, within the last hour (it is the run's own time)."""
    assert ZULU.fullmatch(text), text
    return datetime.now(UTC) - timedelta(hours=1) <= datetime.fromisoformat(text) <= datetime.now(UTC)


def test_run_and_runs_name_days_counts_and_times_alike(tmp_path: Path) -> None:
    src = write_source(
        tmp_path / "src",
        {"2018-11-01": [event()], "2018-11-02": [event(ts=1541190000796)] * 2 + ["not json"]},
    )
    one_day = invoke("run", "--source", str(src), "--date", "2018-11-01", "--format", "json").json()
    assert one_day["days"] == {"start": "2018-11-01", "end": "2018-11-01"}
    every = invoke("run", "--source", str(src), "--max-errors", "1", "--format", "json").json()
    assert every["days"] is None
    assert every["events"] == {"files": 2, "staged": 3, "rejected": 1}  # day 2: the same event twice, a bad line

    newest, oldest = invoke("runs", "--format", "json").json()["runs"]
    assert (newest["run_id"], newest["days"], oldest["days"]) == (
        every["run_id"],
        None,
        {"start": "2018-11-01", "end": "2018-11-01"},
    )
    assert newest["rows"] == every["rows"] and newest["rows"]["songplays"] == 2
    assert newest["events"] == {"staged": 3, "rejected": 1} and newest["loaded_files"] == every["loaded_files"] == 2
    assert newest["seconds"] and set(newest["seconds"]) <= set(every["seconds"])
    assert recent(newest["started_at"]) and recent(newest["finished_at"])
    assert newest["started_at"] <= newest["finished_at"]

    status = invoke("status", "--source", str(src), "--format", "json").json()
    assert recent(status["last_success"])
    (rejected,) = invoke("rejects", "--format", "json").json()["rejects"]
    assert recent(rejected["rejected_at"]) and rejected["line_no"] == 3


def test_config_show_json_values_are_typed_and_secrets_still_masked() -> None:
    env = {"SPARKIFY_MAX_ERRORS": "5", "SPARKIFY_REDSHIFT_PASSWORD": "Hunter2-secret", "SPARKIFY_SCHEMA": "analytics"}
    result = invoke("config", "show", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    values = {s["key"]: s["value"] for s in result.json()["settings"]}
    assert values["SPARKIFY_MAX_ERRORS"] == 5
    assert values["SPARKIFY_MATCH_TOLERANCE"] == 3.0 and isinstance(values["SPARKIFY_MATCH_TOLERANCE"], float)
    assert values["SPARKIFY_REDSHIFT_PORT"] == 5439
    assert values["SPARKIFY_SCHEMA"] == "analytics"
    assert values["SPARKIFY_REDSHIFT_PASSWORD"] == "********" and "Hunter2" not in result.stdout
    assert values["SPARKIFY_POSTGRES_DSN"] is None  # unset


def test_report_and_report_matches_give_their_days_as_data(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", {"2018-11-01": [event()], "2018-11-02": [event(ts=1541190000796)]})
    assert invoke("run", "--source", str(src)).exit_code == 0
    for command in (["report"], ["report", "matches"]):
        every = invoke(*command, "--format", "json").json()
        assert every["days"] is None and every["scope"] == "all days"
        chosen = invoke(*command, "--start", "2018-11-01", "--end", "2018-11-02", "--format", "json").json()
        assert chosen["days"] == {"start": "2018-11-01", "end": "2018-11-02"}
        one = invoke(*command, "--date", "2018-11-02", "--format", "json").json()
        assert one["days"] == {"start": "2018-11-02", "end": "2018-11-02"}
