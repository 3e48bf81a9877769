"""One request object for stage, load and run: what the user asked for, already validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sparkify_cli.days import Days

Command = Literal["stage", "load", "run"]


@dataclass(frozen=True)
class RunRequest:
    command: Command
    days: Days = field(default_factory=lambda: Days(None))
    source: str | None = None  # None: SPARKIFY_SOURCE
    songs: bool | None = None  # re-stage the catalog: always, never, or when it changed (None)
    strict: bool = False  # a day of a range without a log file is an error
    no_sign_request: bool = False  # read a public bucket anonymously

    @property
    def stages(self) -> bool:
        return self.command != "load"

    @property
    def loads(self) -> bool:
        return self.command != "stage"

    @property
    def checks(self) -> bool:
        return self.command == "run"
