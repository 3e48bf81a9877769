"""`sparkify runs show RUN_ID` through the real CLI: one run whole (files read, rows, rejects,
seconds per phase, error); an unknown id is one line, exit 2. And a group that also runs on its own
(`runs`, `report`) refuses its own options placed before a subcommand instead of ignoring them."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import Result, invoke
from support.data import event, write_source


def one_error_line(result: Result, exit_code: int) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def source(root: Path) -> Path:
    return write_source(
        root, {"2018-11-01": [event()], "2018-11-02": json.dumps(event(ts=1541190000796)) + "\nnot json\n"}
    )


def test_runs_show_gives_one_run_whole(tmp_path: Path) -> None:
    src = source(tmp_path / "src")
    ran = invoke("run", "--source", str(src), "--max-errors", "1", "--format", "json")
    assert ran.exit_code == 0, ran.stderr
    summary = ran.json()

    shown = invoke("runs", "show", summary["run_id"], "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    run = shown.json()
    assert (run["run_id"], run["command"], run["status"], run["error"]) == (summary["run_id"], "run", "ok", None)
    assert run["rows"] == summary["rows"] and run["loaded_files"] == 2
    assert run["events"] == {"staged": 2, "rejected": 1} and run["songs"] == {"staged": 1, "rejected": 0}
    assert {"prepare_events", "load_songplays"} <= set(run["seconds"])
    logs = [f for f in run["files"] if f["kind"] == "event"]
    assert [f["source_file"] for f in logs] == [
        "log_data/2018/11/2018-11-01-events.json",
        "log_data/2018/11/2018-11-02-events.json",
    ]
    day = src / "log_data/2018/11/2018-11-02-events.json"
    assert logs[1]["size_bytes"] == day.stat().st_size
    assert [f["kind"] for f in run["files"]].count("song") == 1

    table = invoke("runs", "show", summary["run_id"])
    assert table.exit_code == 0, table.stderr
    assert f"run {summary['run_id']}: run of all days, ok" in table.stdout
    assert "read 2 log files, 1 song file" in table.stdout
    assert "staged 2 events (1 rejected), 1 song record (0 rejected); loaded 2 log files" in table.stdout
    assert "2018-11-02-events.json" in table.stdout and "load_songplays" in table.stdout


def test_runs_show_names_the_error_of_a_failed_run(tmp_path: Path) -> None:
    src = source(tmp_path / "src")
    failed = invoke("run", "--source", str(src), "--format", "json")
    assert failed.exit_code == 4
    run_id = failed.json()["run_id"]
    run = invoke("runs", "show", run_id, "--format", "json").json()
    assert run["status"] == "failed" and "2018-11-02-events.json:2" in run["error"]
    assert "error: " in invoke("runs", "show", run_id).stdout


def test_an_unknown_run_id_is_one_line_exit_2(tmp_path: Path) -> None:
    write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(tmp_path / "src")).exit_code == 0
    unknown = invoke("runs", "show", "0123456789abcdef")
    assert "no run '0123456789abcdef'" in one_error_line(unknown, 2) and unknown.stdout == ""
    document = invoke("runs", "show", "nope", "--format", "json")
    assert document.exit_code == 2 and document.json()["exit_code"] == 2


def test_options_before_a_subcommand_are_refused_not_ignored(tmp_path: Path) -> None:
    write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(tmp_path / "src")).exit_code == 0
    line = one_error_line(invoke("report", "--format", "json", "matches"), 2)
    assert "--format before `matches`" in line and "sparkify report matches --format" in line
    assert "has no --top" in one_error_line(invoke("report", "--top", "3", "matches"), 2)
    assert "has no --limit" in one_error_line(invoke("runs", "--limit", "3", "show", "x"), 2)
    # after the subcommand they apply; the global options work anywhere
    assert invoke("report", "matches", "--format", "json").json()["plays"] == 1
    assert invoke("report", "--debug", "matches").exit_code == 0
