"""User-defined checks: a TOML file of SQL queries that return failing rows.

    [checks.no_future_plays]
    table = "songplays"                 # optional, for grouping in reports
    severity = "error"                  # error (default) or warn
    description = "no play is in the future"
    sql = "SELECT songplay_id FROM {{ schema }}.songplays WHERE start_time > CURRENT_TIMESTAMP"

The SQL is a Jinja template with `schema`, `dialect`, and `day`, `day_start`, `day_end` (the
`--date` day and its bounds as 'YYYY-MM-DD HH:MM:SS' text, or none).
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, StrictUndefined, TemplateError

from sparkify_cli.documents import JSON, Document
from sparkify_cli.errors import ConfigError
from sparkify_cli.services.checks.specs import CheckSpec

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
KEYS = ("sql", "severity", "description", "table")
SEVERITIES = ("error", "warn")
_QUOTED_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)


def load_checks(path: Path, *, schema: str, dialect: str, day: date | None = None) -> list[CheckSpec]:
    """Parse and render every check in `path`; any mistake is a ConfigError naming the entry."""
    doc = _read(path)
    extra = sorted(set(doc) - {"checks"})
    if extra:
        raise ConfigError(
            f"checks file {path}: unknown top-level key {extra[0]!r}",
            hint="write each check as a [checks.<name>] table",
        )
    checks = doc.get("checks", {})
    if not isinstance(checks, dict):
        raise ConfigError(f"checks file {path}: `checks` must hold [checks.<name>] tables")
    context = {
        "schema": schema,
        "dialect": dialect,
        "day": day.isoformat() if day else None,
        "day_start": f"{day.isoformat()} 00:00:00" if day else None,
        "day_end": f"{(day + timedelta(days=1)).isoformat()} 00:00:00" if day else None,
    }
    return [_entry(path, name, entry, context) for name, entry in checks.items()]


def _read(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"checks file {path} does not exist", hint="pass --checks FILE or set SPARKIFY_CHECKS_FILE"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read checks file {path}: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"checks file {path} is not valid TOML: {exc}") from None


def _entry(path: Path, name: str, entry: JSON, context: Document) -> CheckSpec:
    where = f"checks file {path}, check {name!r}"
    if not NAME.match(name):
        raise ConfigError(f"{where}: a name may hold only letters, digits, _ . and - (max 100)")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table with a `sql` key, like [checks.{name}]")
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(KEYS)})")
    for key in KEYS:
        if key in entry and not isinstance(entry[key], str):
            raise ConfigError(f"{where}: `{key}` must be a string")
    query = entry.get("sql", "")
    if not query.strip():
        raise ConfigError(f"{where}: `sql` is missing or empty")
    severity = entry.get("severity", "error")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: severity {severity!r} must be error or warn")
    try:
        rendered = Environment(undefined=StrictUndefined, autoescape=False).from_string(query).render(**context)
    except TemplateError as exc:
        raise ConfigError(f"{where}: `sql` is not a valid template: {exc}") from None
    statement = rendered.strip().rstrip(";").rstrip()
    # It runs wrapped in SELECT COUNT(*) FROM (...): one statement, so no ';' outside quotes and comments.
    if not statement or ";" in _QUOTED_OR_COMMENT.sub("", statement):
        raise ConfigError(f"{where}: `sql` must be exactly one SELECT statement")
    return CheckSpec(name, entry.get("table", ""), severity, entry.get("description", ""), statement)
