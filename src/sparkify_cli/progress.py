"""How services report progress without printing: a plain callback the CLI renders."""

from __future__ import annotations

from collections.abc import Callable

# on_progress(task, done, total): `total` is None when unknown; done == total ends the task.
OnProgress = Callable[[str, int, int | None], None]


def silent(task: str, done: int, total: int | None) -> None:
    """The default reporter: services stay quiet unless the caller listens."""
