"""DuckDB draws its own progress bar on stdout when a statement runs longer than two seconds: in
`run --format json` it landed in the middle of the JSON document (seen on a 1M-event run whose
lines all went to the exact validator). sparkify draws its own progress on stderr, so DuckDB's is
off on every connection, writing or read-only. DuckDB's Python client turns it off by itself under
pytest, so these look from a real `sparkify` process; and since the symptom needs a statement
slower than DuckDB's two-second wait, they look at the setting each connection is opened with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.cli import invoke
from support.data import event, write_source

# The setting as the connection of `run` (writing) and of `query` (read-only) have it.
WRITING = (
    "import sys; from sparkify_cli.settings import load_settings; from sparkify_cli.warehouse import connect; "
    "wh = connect(load_settings(), must_exist=True); "
    "print(wh.scalar(\"SELECT current_setting('enable_progress_bar')\")); wh.close()"
)

PLAIN = (
    "import duckdb; print(duckdb.connect().execute(\"SELECT current_setting('enable_progress_bar')\").fetchall()[0][0])"
)


def test_no_connection_draws_duckdbs_progress_bar(tmp_path: Path) -> None:
    assert invoke("run", "--source", str(write_source(tmp_path / "src", {"2018-11-01": [event()]}))).exit_code == 0
    env = dict(os.environ)
    read_only = subprocess.run(
        [sys.executable, "-m", "sparkify_cli", "query", "SELECT current_setting('enable_progress_bar') AS bar",
         "--format", "json"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert json.loads(read_only.stdout)["rows"] == [{"bar": False}]
    writing = subprocess.run([sys.executable, "-c", WRITING], capture_output=True, text=True, env=env, check=True)
    assert writing.stdout.strip() == "False"
    # the same, from a plain DuckDB connection in a process like these: DuckDB's own default is on
    plain = subprocess.run([sys.executable, "-c", PLAIN], capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "True"
