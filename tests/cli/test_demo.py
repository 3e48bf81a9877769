"""`sparkify demo` as a newcomer runs it, in a real process: nothing in its output looks broken (no
warning, every check passes on the data it just made), and every `next:` command it prints runs as
printed, in a shell, from where the demo ran, with the sparkify that ran it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SMALL = ["--events", "600", "--songs", "60"]
SCRIPT = Path(sys.executable).parent / "sparkify"  # the console script pip installed beside this Python


@pytest.mark.parametrize(
    ("sparkify", "on_path"),
    [([str(SCRIPT)], False), (["sparkify"], True), ([sys.executable, "-m", "sparkify_cli"], False)],
    ids=["by-its-path", "found-on-PATH", "python-m"],
)
def test_the_demo_is_clean_and_its_next_commands_run_as_printed(
    tmp_path: Path, sparkify: list[str], on_path: bool
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SPARKIFY_DUCKDB_PATH"}  # a newcomer's shell,
    env["SPARKIFY_WAREHOUSE"] = "postgres"  # set up for the team's warehouse: the demo is local all the same
    if on_path:  # an activated virtual environment, or pipx
        env["PATH"] = f"{SCRIPT.parent}{os.pathsep}{env.get('PATH', '')}"
    assert shutil.which(sparkify[0], path=env.get("PATH")) is not None
    demo = subprocess.run([*sparkify, "demo", *SMALL], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr
    output = demo.stdout + demo.stderr
    assert "warning" not in output.lower() and "songplays.freshness" not in output, output

    warehouse = tmp_path / "sparkify-demo" / "sparkify.duckdb"
    checks = subprocess.run(
        [*sparkify, "check", "--format", "json"],
        cwd=tmp_path,
        env={**env, "SPARKIFY_WAREHOUSE": "duckdb", "SPARKIFY_DUCKDB_PATH": str(warehouse)},
        capture_output=True,
        text=True,
    )
    assert checks.returncode == 0, checks.stderr
    assert json.loads(checks.stdout)["summary"]["warn"] == 0  # fresh data: the freshness check passes too

    commands = [line.strip() for line in demo.stdout.split("\nnext:\n", 1)[1].splitlines() if line.strip()]
    assert len(commands) == 3, demo.stdout
    for command in commands:
        words = [w for w in shlex.split(command) if not w.startswith("SPARKIFY_")]  # after the settings
        if sparkify[0] != sys.executable:  # the very sparkify that ran the demo, by its path or found by its name
            found = shutil.which(words[0], path=env.get("PATH")) if "/" not in words[0] else words[0]
            assert found is not None and Path(found).resolve() == SCRIPT.resolve(), command
        else:
            assert words[:3] == sparkify, command
        ran = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert ran.returncode == 0, (command, ran.stderr)
    assert (tmp_path / "sparkify-demo" / "report.html").is_file()  # the report command wrote into the demo's folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sparkify-demo"]  # and nothing went elsewhere
