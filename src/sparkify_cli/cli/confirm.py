"""Asking before something that loses data or costs money, the same way for every command.

`--yes` answers for scripts. Without it, a person at a terminal is asked (no is the default);
without a terminal (cron, CI, a pipe) nobody can answer, so the command refuses in one line naming
--yes instead of reading an answer from whatever standard input happens to hold. Declining, or
refusing, exits 2 with nothing changed: scripts that mean it pass --yes.
"""

from __future__ import annotations

import sys

import typer

from sparkify_cli.cli import console
from sparkify_cli.errors import ConfigError


def can_ask() -> bool:
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool, unasked: str, hint: str, cancelled: str) -> None:
    """Return when the answer is yes; otherwise stop with exit code 2.

    unasked: what would happen, for the one-line error when there is no terminal ("3 resources to
    delete"); hint: what to pass instead ("pass --yes to delete them"); cancelled: what a no leaves
    ("nothing was deleted").
    """
    if yes:
        return
    if not can_ask():
        raise ConfigError(f"{unasked}, and there is no terminal to ask", hint=hint)
    try:
        agreed = typer.confirm(question, default=False, err=True)
    except typer.Abort:  # end of input or Ctrl-C at the question: the answer is no
        agreed = False
    if not agreed:
        console.info(f"cancelled; {cancelled} (pass --yes to skip the question)")
        raise typer.Exit(2)
