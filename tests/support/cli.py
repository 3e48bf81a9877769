"""The real CLI, in-process, and asking the warehouse through it the way a user would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from sparkify_cli.cli import app


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the real CLI in-process (the same Typer app the console script runs)."""
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def query(sql: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Ask the warehouse through `sparkify query`."""
    result = invoke("query", sql, "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return result.json()["rows"]  # type: ignore[no-any-return]


def count(table: str, env: dict[str, str] | None = None) -> int:
    return int(query(f'SELECT count(*) AS n FROM songs."{table}"', env)[0]["n"])
