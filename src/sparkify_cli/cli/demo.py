"""`sparkify demo`: generate a realistic sample and run the whole pipeline on it, locally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli.app import settings


def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Option("--dir", help="Where the sample data and the warehouse file go.")] = Path(
        "sparkify-demo"
    ),
    events: Annotated[int, typer.Option("--events", min=1, help="Log events to generate.")] = 20_000,
    songs: Annotated[int, typer.Option("--songs", min=1, help="Catalog songs to generate.")] = 2_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 42,
) -> None:
    """Generate a sample into ./sparkify-demo, load it into a local DuckDB file and check it.

    Nothing outside --dir is touched, whatever SPARKIFY_DUCKDB_PATH says.

    Example: sparkify demo --events 50000
    """
    from sparkify_cli.cli.pipeline import run_request
    from sparkify_cli.services.generate import generate

    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    with console.progress_bar() as progress:
        made = generate(data, events=events, songs=songs, seed=seed, on_progress=progress)
    console.info(f"generated {made.events:,} events over {made.log_files} days and {made.songs:,} songs in {data}")
    warehouse_file = (directory / "sparkify.duckdb").resolve()
    s = settings(ctx, warehouse="duckdb", source=str(data), duckdb_path=warehouse_file)
    run_request(s, "run", None, None, None, songs=True)
    from sparkify_cli.cli.report import print_report
    from sparkify_cli.days import Days
    from sparkify_cli.services.reports.report import build

    console.out().print()
    print_report(build(s, Days(None), top=5), compact=True)
    console.out().print(
        f"\nwarehouse: {warehouse_file}\n"
        "next:\n"
        f"  SPARKIFY_DUCKDB_PATH={warehouse_file} sparkify report --format html --output report.html\n"
        f"  SPARKIFY_DUCKDB_PATH={warehouse_file} sparkify query "
        '"SELECT level, count(*) FROM songs.songplays GROUP BY level"\n'
        "  sparkify run --source ../shared/data/sparkify   # the real sample, into ./sparkify.duckdb"
    )
