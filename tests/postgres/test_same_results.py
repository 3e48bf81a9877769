"""The same source gives the same answers on PostgreSQL as on DuckDB: the report, the checks, the
run summary, the rejects (the shared SQL templates, run on both engines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import invoke
from support.data import event, generated
from support.harness import HARNESSES, Harness


def answers(harness: Harness, src: Path, tmp_path: Path) -> dict[str, Any]:
    env = harness.env("answers")
    ran = invoke("run", "--source", str(src), "--max-errors", "5", "--format", "json", env=env)
    assert ran.exit_code == 0, ran.stderr
    summary = ran.json()
    report = invoke("report", "--format", "json", "--top", "50", env=env)
    assert report.exit_code == 0, report.stderr
    checks = invoke("check", "--format", "json", env=env)
    assert checks.exit_code == 0, checks.stderr
    matches = invoke("report", "matches", "--format", "json", env=env)
    assert matches.exit_code == 0, matches.stderr
    rejects = invoke("rejects", "--format", "json", env=env)
    status = invoke("status", "--source", str(src), "--format", "json", env=env)
    return {
        "summary": {k: summary[k] for k in ("days", "events", "songs", "loaded_files", "rows")},
        "report": {k: v for k, v in report.json().items() if k not in ("generated_at", "warehouse", "provenance")},
        "checks": sorted(
            (c["name"], c["status"], c["failing_rows"], json.dumps(c["samples"])) for c in checks.json()["checks"]
        ),
        "matches": matches.json(),
        "rejects": [{k: r[k] for k in ("source_file", "line_no", "col", "reason")} for r in rejects.json()["rejects"]],
        "status": {k: v for k, v in status.json().items() if k != "last_success"},
    }


def test_report_checks_and_summary_equal_duckdbs(postgres: Harness, tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src", days=4)
    bad = src / "log_data" / "2018" / "11" / f"{days[1]}-events.json"
    bad.write_text(bad.read_text() + "\n{broken\n" + json.dumps(event(ts=5)))
    expected = answers(HARNESSES["duckdb"](tmp_path), src, tmp_path)
    found = answers(postgres, src, tmp_path)
    assert expected["summary"]["events"]["rejected"] == 2
    for key in expected:
        assert found[key] == expected[key], key
