"""Terminal output, one rule for every command:

- stdout holds the result and nothing else: the summary (a table, a summary line), a JSON document
  (`--format json`: exactly one), SQL, rows. It is what a pipe, a script or a cron log file keeps.
  A result written to a file (`--output`, `--junit`) leaves stdout empty.
- stderr holds everything about the work: progress, notes ("dry run: …", "wrote FILE"), warnings,
  errors and questions.

`summary` and `out` write to stdout; `info`, `warn`, `error` and `progress_bar` to stderr. Rich
formats both on a TTY; piped, output is plain (no colour, no progress bars) and tables are never
cut to a width: a long run id or path is printed whole. Counts read the same everywhere: `count`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sparkify_cli.documents import count as count

if TYPE_CHECKING:
    from rich.console import Console

    from sparkify_cli.progress import OnProgress
    from sparkify_cli.progress import Progress as Step

# Off a terminal nothing is cut to fit a screen: rich lays tables out at their natural width up to
# this many columns (a number, since rich needs one; no table of sparkify's comes near it).
UNLIMITED = 100_000


def _console(stderr: bool) -> Console:
    from rich.console import Console

    # Built per call so redirected streams (tests, pipes) are honoured; rich itself honours NO_COLOR.
    console = Console(stderr=stderr, highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ or None)
    if not console.is_terminal:
        console.width = UNLIMITED
    return console


def out() -> Console:
    """stdout: the result."""
    return _console(stderr=False)


def err() -> Console:
    """stderr: notes, warnings, errors, progress."""
    return _console(stderr=True)


def summary(message: str) -> None:
    """A line of the result (stdout): what the command did or found."""
    out().print(escape(message))


def error(message: str) -> None:
    err().print(f"[bold red]error:[/] {escape(message)}")


def warn(message: str) -> None:
    err().print(f"[yellow]warning:[/] {escape(message)}")


def info(message: str) -> None:
    """A note about the work (stderr), so stdout stays the result alone."""
    err().print(escape(message))


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


def is_interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar() -> Iterator[OnProgress]:
    """A rich progress bar on a TTY; a no-op reporter otherwise. Yields an OnProgress callback."""
    if not is_interactive():
        from sparkify_cli.progress import silent

        yield silent
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err(),
        transient=False,
    ) as bar:

        def report(p: Step) -> None:
            if p.task not in tasks:
                tasks[p.task] = bar.add_task(p.task, total=p.total)
            bar.update(tasks[p.task], completed=p.done, total=p.total)

        yield report
