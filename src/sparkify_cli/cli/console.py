"""Terminal output: rich on a TTY, plain and quiet when piped (cron logs stay clean)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sparkify_cli.progress import OnProgress
    from sparkify_cli.progress import Progress as Step


def _console(stderr: bool) -> Console:
    from rich.console import Console

    # Built per call so redirected streams (tests, pipes) are honoured; rich itself honours NO_COLOR.
    return Console(stderr=stderr, highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ or None)


def out() -> Console:
    return _console(stderr=False)


def err() -> Console:
    return _console(stderr=True)


def error(message: str) -> None:
    err().print(f"[bold red]error:[/] {escape(message)}")


def warn(message: str) -> None:
    err().print(f"[yellow]warning:[/] {escape(message)}")


def info(message: str) -> None:
    """Status lines go to stderr so stdout stays machine-readable."""
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
