"""The --format json contract: every document carries `schema_version`, the JSON Schemas published in
schemas/ are exactly what the models of cli/contract.py generate, every command with a json format
names its schema in --help, and the REAL output of every such command (success and failure) is valid
against the published file, read from the repository as a user's tool would read it.

SPARKIFY_UPDATE_DOCS=1 pytest tests/cli/test_json_schemas.py rewrites schemas/ from the models."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sparkify_cli.cli import app
from sparkify_cli.cli.contract import COMMANDS, FAILURE, published
from sparkify_cli.cli.help import schema_file
from sparkify_cli.documents import SCHEMA_VERSION
from support.aws_fixtures import aws_env, moto_aws  # noqa: F401  (fixtures)
from support.cli import Result, invoke
from support.data import event, generated, write_source

ROOT = Path(__file__).resolve().parents[2]
UPDATE = os.environ.get("SPARKIFY_UPDATE_DOCS") == "1"


def validate(document: Any, command: str) -> None:
    """`document` against the published schema of `command` (FAILURE: the failure document)."""
    schema = json.loads((ROOT / schema_file(command)).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["schema_version"] == SCHEMA_VERSION


def ok(result: Result, command: str) -> dict[str, Any]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    document: dict[str, Any] = result.json()
    validate(document, command)
    return document


def failed(result: Result, exit_code: int) -> dict[str, Any]:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    document: dict[str, Any] = result.json()
    validate(document, FAILURE)
    return document


def test_the_published_schemas_are_what_the_models_generate() -> None:
    expected = published()
    if UPDATE:
        for old in (ROOT / "schemas").glob("*.schema.json"):
            old.unlink()
        for path, text in expected.items():
            (ROOT / path).parent.mkdir(exist_ok=True)
            (ROOT / path).write_text(text, encoding="utf-8")
    found = {f"schemas/{p.name}": p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.schema.json")}
    assert found == expected, "schemas/ differs from cli/contract.py: SPARKIFY_UPDATE_DOCS=1 pytest " + __file__


def _json_commands() -> set[str]:
    """Every command of the real app whose --format offers json."""
    import typer

    found: set[str] = set()

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            if "--format" in getattr(param, "opts", ()) and "json" in str(param.metavar).split("|"):
                found.add(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found


def test_every_command_with_a_json_format_has_a_model_and_names_its_schema_in_help() -> None:
    assert _json_commands() == set(COMMANDS)
    for command in COMMANDS:
        shown = invoke(*command.split(), "--help", env={"COLUMNS": "200"})
        assert shown.exit_code == 0 and schema_file(command) in shown.stdout, (command, shown.stdout)
        assert (ROOT / schema_file(command)).is_file()


def test_every_document_of_a_loaded_warehouse_is_valid_against_its_published_schema(tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src", days=3)
    bad = src / "log_data/2018/11/2018-11-03-events.json"
    bad.write_text(bad.read_text(encoding="utf-8") + "\nnot json\n", encoding="utf-8")

    staged = ok(invoke("stage", "--source", str(src), "--max-errors", "5", "--format", "json"), "stage")
    assert staged["days"] is None and staged["events"]["rejected"] == 1 and staged["checks"] is None
    ok(invoke("load", "--date", days[0], "--format", "json"), "load")
    run = ok(
        invoke(
            "run", "--source", str(src), "--max-errors", "5", "--start", days[0], "--end", days[-1], "--format", "json"
        ),
        "run",
    )
    assert run["days"] == {"start": days[0], "end": days[-1]}
    ok(invoke("check", "--format", "json"), "check")
    runs = ok(invoke("runs", "--format", "json"), "runs")["runs"]
    assert [r["command"] for r in runs] == ["run", "load", "stage"]
    assert ok(invoke("runs", "show", runs[0]["run_id"], "--format", "json"), "runs show")["files"]
    ok(invoke("status", "--source", str(src), "--format", "json"), "status")
    ok(invoke("prune", "--source", str(src), "--dry-run", "--format", "json"), "prune")
    rejects = ok(invoke("rejects", "--format", "json"), "rejects")["rejects"]
    assert [r["reason"] for r in rejects] and rejects[0]["raw_line"] == "not json"
    rows = ok(
        invoke("query", "SELECT level, count(*) AS n FROM songs.songplays GROUP BY level", "--format", "json"), "query"
    )
    assert rows["columns"] == ["level", "n"] and {r["level"] for r in rows["rows"]} <= {"free", "paid"}
    ok(invoke("report", "--format", "json"), "report")
    ok(invoke("report", "--date", days[1], "--format", "json"), "report")
    ok(invoke("report", "matches", "--format", "json"), "report matches")
    ok(invoke("config", "show", "--format", "json"), "config show")


def test_a_document_that_breaks_the_contract_is_refused_by_the_published_schema(tmp_path: Path) -> None:
    """The validation above can fail: a document without its version, with a field of the wrong
    type or one too many is invalid."""
    write_source(tmp_path / "src", {"2018-11-01": [event()]})
    document = ok(invoke("run", "--source", str(tmp_path / "src"), "--format", "json"), "run")
    for broken in (
        {k: v for k, v in document.items() if k != "schema_version"},
        {**document, "schema_version": SCHEMA_VERSION + 1},
        {**document, "rows": {"songplays": "1"}},
        {**document, "days": "all days"},
        {**document, "surprise": 1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken, "run")


def test_failure_documents_are_valid_against_the_published_schema(tmp_path: Path) -> None:
    failed(invoke("check", "--format", "json"), 4)  # no warehouse
    failed(invoke("query", "SELECT 1", "--format", "json"), 4)
    failed(invoke("run", "--source", str(tmp_path / "nowhere"), "--format", "json"), 2)
    write_source(tmp_path / "src", {"2018-11-01": [event()]})
    assert invoke("run", "--source", str(tmp_path / "src")).exit_code == 0
    failed(invoke("query", "SELECT * FROM songs.nothing_here", "--format", "json"), 4)
    failed(invoke("runs", "--limit", "0", "--format", "json"), 2)


@pytest.mark.usefixtures("moto_aws")
def test_infra_status_documents_are_valid_against_the_published_schema() -> None:
    absent = ok(invoke("infra", "status", "--format", "json"), "infra status")
    assert absent["cluster"] is None
    assert invoke("infra", "up", "--yes", "--cidr", "203.0.113.0/24").exit_code == 0
    present = ok(invoke("infra", "status", "--format", "json"), "infra status")
    assert isinstance(present["cluster"]["nodes"], int) and isinstance(present["estimated_hourly_usd"], float)
