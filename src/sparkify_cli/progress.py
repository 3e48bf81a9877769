"""How services report progress without printing: a plain callback the CLI renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    task: str  # "download", "copy events", "load", ...
    done: int
    total: int | None  # None when unknown; done == total ends the task


OnProgress = Callable[[Progress], None]


def silent(progress: Progress) -> None:
    """The default reporter: services stay quiet unless the caller listens."""
