"""Render the Jinja SQL templates in sql/ for one dialect, and split them into statements."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

DIALECTS = ("duckdb", "redshift")
# A statement ends with ';' at the end of a line; templates keep ';' out of string literals.
_STATEMENT_END = re.compile(r";[ \t]*(?:\r?\n|$)")


def sql_dir() -> Path:
    """sql/ ships inside the wheel as sparkify_cli/sql; in a source checkout it is the top-level sql/."""
    packaged = Path(str(resources.files("sparkify_cli"))) / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "sql"


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(sql_dir())),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, dialect: str, **context: Any) -> str:
    """Render sql/<template> with the dialect's macros available as `m`."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    env = _env()
    macros = env.get_template(f"macros/{dialect}.sql").module
    return env.get_template(template).render(m=macros, dialect=dialect, **context)


def statements(sql: str) -> list[str]:
    """Split rendered SQL into statements, dropping empty ones and comment-only ones."""
    out = []
    for part in _STATEMENT_END.split(sql):
        body = "\n".join(line for line in part.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            out.append(part.strip())
    return out


def render_statements(template: str, dialect: str, **context: Any) -> list[str]:
    return statements(render(template, dialect, **context))
