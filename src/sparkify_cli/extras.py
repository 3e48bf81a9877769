"""Which optional extra installs which module, and the one-line error when one is missing.

The core install runs the embedded path (DuckDB, local folders); S3, `sparkify infra` and the server
warehouses need an extra (pyproject.toml, [project.optional-dependencies]). Their modules are
imported lazily; where that import fails, it is turned into MissingExtra here, so the user reads
the command that installs what is missing instead of a traceback.
"""

from __future__ import annotations

import json
import shlex
from importlib import metadata
from urllib.parse import unquote, urlparse

from sparkify_cli import DISTRIBUTION
from sparkify_cli.errors import ConfigError

# The top-level module -> the extra that installs it, and what needs it (for the message).
EXTRAS: dict[str, tuple[str, str]] = {
    "boto3": ("aws", "S3 sources and `sparkify infra` need"),
    "botocore": ("aws", "S3 sources and `sparkify infra` need"),
    "redshift_connector": ("redshift", "the Amazon Redshift warehouse needs"),
    "keyring": ("redshift", "the stored Redshift password needs"),
    "psycopg": ("postgres", "the PostgreSQL warehouse needs"),
}


class MissingExtra(ConfigError, ImportError):
    """A module of an optional extra is not installed (exit 2). Also an ImportError, so code that
    tells an installed module from a missing one with `except ImportError` keeps working."""

    def __init__(self, module: str, extra: str, needs: str) -> None:
        super().__init__(f"{needs} {module}: {install_command(extra)}")
        self.module = module
        self.extra = extra


def missing(exc: ImportError, *, extra: str | None = None, needs: str | None = None) -> MissingExtra | None:
    """The MissingExtra a failed import means when the missing module belongs to an extra (`extra`
    and `needs` override the module's own, e.g. for a warehouse naming its extra), else None."""
    if isinstance(exc, MissingExtra):
        module = exc.module
    elif isinstance(exc, ModuleNotFoundError) and exc.name:
        module = exc.name.split(".")[0]
    else:
        return None
    if module not in EXTRAS:
        return None
    own_extra, own_needs = EXTRAS[module]
    return MissingExtra(module, extra or own_extra, needs or own_needs)


def install_command(extra: str) -> str:
    """The pip command that adds `extra` to this installation: from the folder (or file) it was
    installed from when pip recorded one (a clone), else by its name."""
    origin = _installed_from()
    if origin is None:
        return f"pip install {shlex.quote(f'{DISTRIBUTION}[{extra}]')}"
    path, editable = origin
    return "pip install " + ("-e " if editable else "") + shlex.quote(f"{path}[{extra}]")


def _installed_from() -> tuple[str, bool] | None:
    """(local path, editable) from pip's direct_url.json (PEP 610), or None."""
    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        found = json.loads(text) if text else {}
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return None
    url = urlparse(str(found.get("url", "")))
    if url.scheme != "file" or not url.path:
        return None
    editable = bool(found.get("dir_info", {}).get("editable", False))
    return unquote(url.path), editable
