"""The interface both warehouses offer to the services."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sparkify_cli import sql

Params = Sequence[Any] | None


class Warehouse:
    """A connection to one warehouse. SQL uses `?` placeholders on both dialects."""

    dialect: str = ""
    # May a step read files it writes for itself (gone when it ends)? Not when its SQL is a script to replay.
    may_use_temp_files: bool = True

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.statements_run: list[str] = []  # for --dry-run style introspection and tests

    # --- implemented by each dialect ---------------------------------------------------------
    def execute(self, statement: str, params: Params = None) -> None:
        raise NotImplementedError

    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        raise NotImplementedError

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows at once (row-by-row executemany is far too slow on both engines)."""
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            one = "(" + ", ".join("?" for _ in columns) + ")"
            self.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(one for _ in chunk),
                [value for row in chunk for value in row],
            )

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def close(self) -> None:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------
    def scalar(self, statement: str, params: Params = None) -> Any:
        _, rows = self.query(statement, params)
        return rows[0][0] if rows else None

    def render(self, template: str, **context: Any) -> list[str]:
        return sql.render_statements(template, self.dialect, schema=self.schema, **context)

    def run_template(self, template: str, params: Params = None, **context: Any) -> None:
        for statement in self.render(template, **context):
            self.execute(statement, params if "?" in statement else None)

    @contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """All or nothing: any exception rolls the whole block back."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def table_exists(self, table: str) -> bool:
        """information_schema answers the same way on DuckDB and Redshift."""
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                [self.schema, table],
            )
        )

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
