"""`sparkify --help` stays fast by importing only the command line itself: no package metadata
(`--version` reads it when asked), no pydantic, no database driver, no service. Checked by what a
real `sparkify --help` process imports, not by timing it (speed is measured by benchmarks/)."""

from __future__ import annotations

import subprocess
import sys

import pytest

OURS = ("duckdb", "jinja2", "sparkify_cli.services", "sparkify_cli.warehouse", "sparkify_cli.cli.contract")
# A command's own --help goes through Typer's parameter adapters, which import pydantic (and with it
# the package metadata) themselves; `sparkify --help` does not.
HEAVY = ("importlib.metadata", "pydantic", *OURS)


def imported_by(*args: str) -> set[str]:
    """The modules a real `sparkify ARGS` process imported (python -X importtime lists each)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sparkify_cli", *args], capture_output=True, text=True, check=True
    )
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def test_help_imports_nothing_heavy() -> None:
    found = imported_by("--help")
    assert "sparkify_cli.cli.app" in found  # the listing is real
    heavy = sorted(m for m in found if m.startswith(HEAVY))
    assert not heavy, heavy


@pytest.mark.parametrize("args", [("query", "--help"), ("report", "--help"), ("runs", "show", "--help")])
def test_a_commands_help_imports_none_of_sparkifys_services(args: tuple[str, ...]) -> None:
    found = imported_by(*args)
    assert "sparkify_cli.cli.app" in found
    heavy = sorted(m for m in found if m.startswith(OURS))
    assert not heavy, heavy


def test_version_still_reads_the_metadata() -> None:
    assert "importlib.metadata" in imported_by("--version")
