"""`sparkify config ...`: inspect settings and store secrets."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings, state
from sparkify_cli.documents import JSON

config_app = typer.Typer(
    help="Show the effective settings, store the Redshift password.\n\nExample: sparkify config show",
    no_args_is_help=True,
)


@config_app.command("show")
def show(
    ctx: typer.Context,
    fmt: Annotated[opt.Output, typer.Option("--format", help="table or json.")] = opt.Output.table,
) -> None:
    """Print every setting, its effective value and where it came from; secrets are masked.

    Example: SPARKIFY_SCHEMA=analytics sparkify config show --format json
    """
    from sparkify_cli.settings import describe

    found = settings(ctx)
    rows = describe(found, state(ctx).env_file)
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import SettingsShown, emit

        values = [
            _typed(getattr(found, name), shown)
            for name, (_, shown, _) in zip(type(found).model_fields, rows, strict=True)
        ]
        emit(
            SettingsShown,
            {"settings": [{"key": k, "value": v, "origin": o} for (k, _, o), v in zip(rows, values, strict=True)]},
        )
        return
    from rich.table import Table

    table = Table("setting", "value", "from")
    for key, value, origin in rows:
        table.add_row(key, console.escape(value), origin)
    console.out().print(table)


def _typed(value: object, shown: str) -> JSON:
    """A setting's value as JSON has it: numbers as numbers, booleans as booleans, unset as null;
    anything else (paths, secrets: masked) as the text the table shows."""
    if value is None or shown == "":
        return None
    if isinstance(value, bool | int | float) and not isinstance(value, Enum):
        return value
    return shown


@config_app.command("set-password")
def set_password(
    ctx: typer.Context,
    stdin: Annotated[
        bool,
        typer.Option(
            "--stdin", help="Read the password from standard input (one line) instead of prompting; for scripts."
        ),
    ] = False,
) -> None:
    """Store the Redshift password in the OS keyring (never in a file, never printed). The environment
    (SPARKIFY_REDSHIFT_PASSWORD) and .env still win over the keyring.

    Prompts twice, hidden, on a terminal; without one it needs --stdin. On a machine without a keyring
    it says so before asking anything.

    Example: sparkify config set-password
    Example: pass show redshift | sparkify config set-password --stdin
    """
    import sys

    from sparkify_cli import secrets
    from sparkify_cli.errors import ConfigError

    cfg = settings(ctx)
    backend = secrets.keyring_backend()  # before asking: a password typed for nothing is no use
    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        # getpass would fall back to reading a pipe with a warning (or fail under cron): ask for --stdin.
        raise ConfigError(
            "no terminal to ask for the password",
            hint="pipe it in with --stdin: ... | sparkify config set-password --stdin",
        )
    else:
        password = typer.prompt(
            f"Redshift password for {cfg.redshift_user}", hide_input=True, confirmation_prompt=True, err=True
        )
    name = secrets.store_password(cfg, password, backend)
    console.summary(f"stored the password of {secrets.keyring_user(cfg)} in the OS keyring ({name})")
