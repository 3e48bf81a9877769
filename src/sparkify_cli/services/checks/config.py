"""User-defined checks: a TOML file of SQL queries that return failing rows.

    [checks.plays_have_a_session]
    table = "songplays"                 # optional, for grouping in reports
    severity = "warn"                   # error (default) or warn
    description = "every play has a session"
    sql = "SELECT songplay_id FROM {{ schema }}.songplays WHERE session_id IS NULL"

The SQL is a Jinja template with `schema`, `dialect`, and `day`, `day_start`, `day_end` (the
`--date` day and its bounds as 'YYYY-MM-DD HH:MM:SS' text, or none), rendered in Jinja's immutable
sandbox with nothing else: a checks file cannot run code. What it renders must be one read-only
SELECT or WITH query.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from pathlib import Path

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from sparkify_cli.documents import JSON, Document, TemplateValue
from sparkify_cli.errors import ConfigError
from sparkify_cli.services.checks.specs import CheckSpec

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
KEYS = ("sql", "severity", "description", "table")
SEVERITIES = ("error", "warn")
_QUOTED_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)
# Words of statements that change something or reach outside the warehouse's tables; none belongs in
# a read-only query (outside quotes: a column named so is written "load").
_NOT_READ_ONLY = re.compile(
    r"\b(insert|update|delete|merge|upsert|copy|unload|create|drop|alter|truncate|grant|revoke|attach|detach|"
    r"install|load|export|import|pragma|call|vacuum|checkpoint|into)\b",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z_]+)")
MAX_SQL_CHARS = 1_000_000  # a rendered check
MAX_REPEAT = 100_000  # the longest string or list `*` may make while rendering


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox (no attribute starting with _, no method that mutates, str.format
    checked) with no globals at all (no range, dict, lipsum, cycler, joiner, namespace) and bounded
    `*` and `**`, so rendering a template cannot run code or allocate without limit."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.globals.clear()

    def call_binop(self, context: Context, operator: str, left: TemplateValue, right: TemplateValue) -> TemplateValue:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("exponent larger than 64")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"repetition longer than {MAX_REPEAT:,}")
        return super().call_binop(context, operator, left, right)


def render_check(query: str, context: Document) -> str:
    """Render one check's SQL in the sandbox; any failure (a sandbox violation, an undefined name,
    a syntax error) raises, for the caller to name the check."""
    rendered = Sandbox().from_string(query).render(**context)
    if len(rendered) > MAX_SQL_CHARS:
        raise SecurityError(f"the rendered SQL is longer than {MAX_SQL_CHARS:,} characters")
    return str(rendered)


def read_only_problem(statement: str) -> str | None:
    """Why `statement` is not one read-only SELECT/WITH query, or None when it is."""
    bare = _QUOTED_OR_COMMENT.sub(" ", statement)
    if ";" in bare:
        return "it holds more than one statement"
    first = _FIRST_WORD.match(bare)
    if first is None or first[1].lower() not in ("select", "with"):
        return f"it starts with {first[1].upper() if first else 'no keyword'}"
    found = _NOT_READ_ONLY.search(bare)
    return f"it holds {found[1].upper()}" if found else None


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
        rendered = render_check(query, context)
    except Exception as exc:  # the sandbox, Jinja or the template's own arithmetic: never run as SQL
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{where}: `sql` is not a valid template: {detail}") from None
    statement = rendered.strip().rstrip(";").rstrip()
    # It runs wrapped in SELECT COUNT(*) FROM (...), before anything else of the check runs.
    problem = read_only_problem(statement) if statement else "it is empty"
    if problem:
        raise ConfigError(f"{where}: `sql` must be one read-only SELECT or WITH query; {problem}")
    return CheckSpec(name, entry.get("table", ""), severity, entry.get("description", ""), statement)
