"""--dry-run: a warehouse that records the SQL a step sends, and changes nothing.

With a `shadow` (a scratch copy of the DuckDB file) every statement also runs there, so steps whose
SQL depends on the data (DuckDB staging) record exactly what they would run. Without one (Redshift)
statements are only recorded and reads are answered by `reader` (a live connection, queries only)
or else as if the tables were empty. The script is SQL only: annotations are `--` comments, each
statement ends with `;`, bound values are written in as literals and credentials are masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from sparkify_cli.errors import WarehouseError
from sparkify_cli.warehouse.base import Dialect, Params, Row, Value, Warehouse

Result = tuple[list[str], list[Row]]
Answer = Callable[[str, Params], Result | None]
MASK = "********"
_CREDENTIAL_LITERAL = re.compile(
    r"(?i)\b(CREDENTIALS|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PASSWORD)(\s+)'(?:[^']|'')*'"
)


class DryRunWarehouse(Warehouse):
    may_use_temp_files = False  # the script must replay on its own

    def __init__(
        self,
        dialect: Dialect,
        schema: str,
        *,
        shadow: Warehouse | None = None,
        reader: Warehouse | None = None,
        answer: Answer | None = None,
        lock: str | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        super().__init__(dialect, schema)
        self.shadow = shadow
        self.reader = reader
        self.answer = answer
        self.lock = lock  # statement that opens every transaction (Redshift's LOCK)
        self.secrets = [s for s in secrets if s and len(s) >= 4]
        self.script_lines: list[str] = []
        # Planning without a connection: assume `schema create` ran (for every step but schema create).
        self.assume_schema = True

    # --- recording --------------------------------------------------------------------------
    def note(self, text: str) -> None:
        """An annotation, as SQL comment lines."""
        self.script_lines += [f"-- {line}".rstrip() for line in text.splitlines()]

    def record(self, statement: str, params: Params = None) -> None:
        self.statements_run.append(statement)
        self.script_lines.append(inline(statement, params).rstrip().rstrip(";") + ";")
        self.script_lines.append("")

    def script(self) -> str:
        return mask("\n".join(self.script_lines).rstrip() + "\n", self.secrets)

    # --- the Warehouse interface ------------------------------------------------------------
    def execute(self, statement: str, params: Params = None) -> None:
        self.record(statement, params)
        if self.shadow is not None:
            self.shadow.execute(statement, params)

    def query(self, statement: str, params: Params = None) -> Result:
        self.record(statement, params)
        if self.shadow is not None:
            return self.shadow.query(statement, params)
        if self.reader is not None:
            try:
                return self.reader.query(statement, params)
            except WarehouseError:
                pass  # e.g. a temp table this dry run never created: read it as empty
        found = self.answer(statement, params) if self.answer else None
        return found if found is not None else ([], [])

    def scalar(self, statement: str, params: Params = None) -> Value:
        found = super().scalar(statement, params)
        return 0 if found is None and self.shadow is None else found  # counts of nothing are 0

    def begin(self) -> None:
        self.execute("BEGIN")
        if self.lock:
            self.execute(self.lock)

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def table_exists(self, table: str) -> bool:
        for source in (self.shadow, self.reader):
            if source is not None:
                return source.table_exists(table)
        return self.assume_schema

    def peek(self, statement: str, params: Params = None) -> list[Row] | None:
        for source in (self.shadow, self.reader):
            if source is not None:
                return source.peek(statement, params)
        return None

    def close(self) -> None:
        for source in (self.shadow, self.reader):
            if source is not None:
                source.close()


def inline(statement: str, params: Params) -> str:
    """The statement with each `?` outside literals, identifiers and comments replaced by its value."""
    if not params:
        return statement
    values = iter(params)
    out, i, n = [], 0, len(statement)
    while i < n:
        ch = statement[i]
        if ch in "'\"":  # a literal or quoted identifier; a doubled quote stays inside it
            end = i + 1
            while end < n:
                if statement[end] == ch:
                    if statement[end + 1 : end + 2] != ch:
                        break
                    end += 1
                end += 1
            out.append(statement[i : end + 1])
            i = end + 1
        elif statement.startswith("--", i):
            end = statement.find("\n", i)
            end = n if end < 0 else end
            out.append(statement[i:end])
            i = end
        elif ch == "?":
            out.append(literal(next(values)))
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def literal(value: Value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return repr(value) if not isinstance(value, Decimal) else str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"  # str, Path, anything else: as text


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Credentials never reach the script: keyword literals and any known secret value."""
    text = _CREDENTIAL_LITERAL.sub(lambda m: f"{m.group(1)}{m.group(2)}'{MASK}'", text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text
