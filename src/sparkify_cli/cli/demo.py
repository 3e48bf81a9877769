"""`sparkify demo`: generate a realistic sample and run the whole pipeline on it, locally."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli.app import settings
from sparkify_cli.errors import ConfigError

MARKER = ".sparkify-demo.json"  # in --dir: the warehouse there is the demo's, as it left it
WAREHOUSE = "sparkify.duckdb"
DAYS = 30  # of logs, ending yesterday (UTC): fresh data, so the freshness check passes as it would in production


def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Option("--dir", help="Where the sample data and the warehouse file go.")] = Path(
        "sparkify-demo"
    ),
    events: Annotated[int, typer.Option("--events", min=1, help="Log events to generate.")] = 20_000,
    songs: Annotated[int, typer.Option("--songs", min=1, help="Catalog songs to generate.")] = 2_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same data, dated the 30 days before today).")
    ] = 42,
) -> None:
    """Generate a sample into ./sparkify-demo, load it into a local DuckDB file and check it.

    The sample's 30 days of logs end yesterday (UTC), so every check passes. Nothing outside --dir
    is touched, whatever SPARKIFY_DUCKDB_PATH says; a warehouse in --dir that the demo did not make
    (or that was loaded into since) is refused, never replaced.

    Example: sparkify demo --events 50000
    """
    from sparkify_cli.cli.pipeline import run_request
    from sparkify_cli.services.generate import generate

    warehouse_file = claim(directory)
    data = directory / "data"
    first_day = datetime.now(UTC).date() - timedelta(days=DAYS)
    with console.progress_bar() as progress:
        made = generate(
            data, events=events, songs=songs, seed=seed, days=DAYS, start_date=first_day, on_progress=progress
        )
    console.info(
        f"generated {console.count(made.events, 'event')} over {console.count(made.log_files, 'day')} "
        f"and {console.count(made.songs, 'song')} in {data}"
    )
    s = settings(ctx, warehouse="duckdb", source=str(data), duckdb_path=warehouse_file)
    _start_fresh(directory, warehouse_file)
    run_request(s, "run", None, None, None, songs=True)
    from sparkify_cli.cli.report import print_report
    from sparkify_cli.days import Days
    from sparkify_cli.services.reports.report import build

    console.out().print()
    print_report(build(s, Days(None), top=5), compact=True)
    _write_marker(directory, _identity(warehouse_file))
    # The printed commands name the demo's warehouse whatever this shell's SPARKIFY_* say (they win over .env).
    on = f"SPARKIFY_WAREHOUSE=duckdb SPARKIFY_DUCKDB_PATH={shlex.quote(str(warehouse_file))} "
    sparkify = program()
    sql = f"SELECT level, count(*) AS plays FROM {s.schema}.songplays GROUP BY level"
    report = shlex.quote(str(warehouse_file.with_name("report.html")))
    console.out().print(
        console.escape(
            f"\nwarehouse: {warehouse_file}\n"
            "next:\n"
            f"  {on}{sparkify} report --format html --output {report}\n"
            f"  {on}{sparkify} query {shlex.quote(sql)}\n"
            f"  {on}{sparkify} check"
        )
    )


def program() -> str:
    """How to run this sparkify again from the same shell: its name when the shell finds this very
    script by it, else its path as it was run (`.venv/bin/sparkify`), else `python -m sparkify_cli`
    with this interpreter (`python -m`, or not run as a script at all)."""
    script = Path(sys.argv[0])
    if not script.name.startswith("sparkify") or not script.is_file():
        return f"{shlex.quote(sys.executable)} -m sparkify_cli"
    found = shutil.which(script.name)
    if found is not None and Path(found).resolve() == script.resolve():
        return script.name
    return shlex.quote(str(script))


# --- the demo's own warehouse ---------------------------------------------------------------------
# The marker records the warehouse file as the demo left it (inode, size, mtime). A file without a
# marker, or one that changed since (someone loaded into it), belongs to someone else: refused.


def claim(directory: Path) -> Path:
    """The demo's warehouse file in `directory`; a usage error when a warehouse there is not the demo's."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"--dir {directory} is not a folder", hint="pass a folder for the demo")
    warehouse_file = (directory / WAREHOUSE).resolve()
    wal = warehouse_file.with_name(warehouse_file.name + ".wal")
    if (warehouse_file.exists() or wal.exists()) and not _is_ours(directory, warehouse_file):
        raise ConfigError(
            f"{warehouse_file} is a warehouse sparkify demo did not make (or one loaded into since): "
            "refusing to replace it",
            hint="pass another --dir, or move the file away",
        )
    return warehouse_file


def _identity(path: Path) -> dict[str, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"inode": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _is_ours(directory: Path, warehouse_file: Path) -> bool:
    try:
        marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("written_by") != "sparkify demo":
        return False
    if marker.get("warehouse") is None:  # a demo that stopped half-way: the file is still its own
        return True
    return bool(marker["warehouse"] == _identity(warehouse_file))


def _start_fresh(directory: Path, warehouse_file: Path) -> None:
    """Claim the path first (a demo stopped half-way may rerun), then drop the old demo warehouse."""
    _write_marker(directory, None)
    for path in (warehouse_file, warehouse_file.with_name(warehouse_file.name + ".wal")):
        path.unlink(missing_ok=True)


def _write_marker(directory: Path, identity: dict[str, int] | None) -> None:
    text = json.dumps({"written_by": "sparkify demo", "warehouse": identity}, indent=2, sort_keys=True) + "\n"
    target = directory / MARKER
    part = target.with_name(target.name + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, target)
