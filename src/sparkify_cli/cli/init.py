"""`sparkify init`: write a commented settings file (.env) from the settings model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.errors import ConfigError


def init(
    path: Annotated[Path, typer.Option("--path", help="The settings file to write.")] = Path(".env"),
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a settings file: every setting with its description, commented out at its default.

    Secrets are never written, and the file is readable by you only. An existing file is kept
    unless --force (exit 2). It reads no settings, so it works beside a broken .env too.

    Example: sparkify init --path prod.env
    """
    from sparkify_cli.settings import env_template

    write(path, env_template(), force=force)
    console.info(f"wrote {path}: every setting is commented out at its default; remove the # of those you set")


def write(path: Path, text: str, *, force: bool) -> None:
    """`text` into `path` whole (a temporary file beside it, renamed over it), mode 0600: the file is
    meant to hold secrets. A symbolic link is followed, so the file it points to is the one written."""
    from sparkify_cli.services.outputs import is_duckdb_file, whole

    target = path.expanduser().resolve()
    if target.is_dir():
        raise ConfigError(f"{path} is a folder", hint="name a file with --path")
    if target.exists():
        if not force:
            raise ConfigError(f"{path} exists: refusing to replace it", hint="pass --force to replace it")
        if not target.is_file():
            raise ConfigError(f"refusing to replace {path}: it is not a regular file")
        if is_duckdb_file(target):
            raise ConfigError(f"refusing to replace {path}: it is a DuckDB database")
    with whole(target, path, 0o600) as handle:
        handle.write(text)
