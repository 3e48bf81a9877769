"""Render the Jinja SQL templates in sql/ for one dialect, and split them into statements.

Macros (`m.<name>` in a template) come from sql/macros/default.sql unless a dialect overrides them:
a dialect names its macro files most specific first, e.g. ("redshift", "default"), and the first
file that defines a macro wins (dbt's `adapter.dispatch` with a `default__`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sparkify_cli.documents import TemplateValue
from sparkify_cli.errors import ConfigError

# The most rows a listing (`runs`, `rejects`) returns.
MAX_ROWS = 1_000_000

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


class Macros:
    """`m` in a template: each name from the first macro file in the chain that defines it."""

    def __init__(self, chain: Sequence[str]) -> None:
        self.chain = tuple(chain)
        # Each file is its own module, given `m` itself, so a default macro can call an override.
        self._modules = [_env().get_template(f"macros/{name}.sql").make_module({"m": self}) for name in self.chain]

    def __getattr__(self, name: str) -> TemplateValue:
        if name.startswith("_"):
            raise AttributeError(name)
        for module in self._modules:
            if name in module.__dict__:
                return module.__dict__[name]
        raise AttributeError(f"no SQL macro {name!r} in {', '.join(f'macros/{c}.sql' for c in self.chain)}")

    def defined(self) -> dict[str, str]:
        """Macro name -> the file that provides it (for tests and `Adding a warehouse`)."""
        found: dict[str, str] = {}
        for name, module in zip(self.chain, self._modules, strict=True):
            for key, value in module.__dict__.items():
                if callable(value) and not key.startswith("_"):
                    found.setdefault(key, name)
        return found


@cache
def macros(chain: tuple[str, ...]) -> Macros:
    return Macros(chain)


def render(template: str, chain: Sequence[str], **context: TemplateValue) -> str:
    """Render sql/<template> with the macros of `chain` (most specific dialect first) as `m`."""
    m = macros(tuple(chain))
    return _env().get_template(template).render(m=m, **context)


def statements(sql: str) -> list[str]:
    """Split rendered SQL into statements, dropping empty ones and comment-only ones."""
    out = []
    for part in _STATEMENT_END.split(sql):
        body = "\n".join(line for line in part.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            out.append(part.strip())
    return out


def render_statements(template: str, chain: Sequence[str], **context: TemplateValue) -> list[str]:
    return statements(render(template, chain, **context))


def limit(rows: int, option: str = "--limit") -> str:
    """`LIMIT n` with n written into the SQL, checked: redshift_connector sends a bound Python int
    as a binary int2, which Redshift answers with "Not implemented" in a LIMIT."""
    if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= MAX_ROWS:
        raise ConfigError(f"{option} {rows} is out of range", hint=f"use 1 to {MAX_ROWS:,}")
    return f"LIMIT {int(rows)}"
