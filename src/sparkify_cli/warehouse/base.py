"""What every warehouse offers the services: a connection (Warehouse), its capabilities as data
(Dialect), and a Stager that turns source files into staged rows."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sparkify_cli import sql
from sparkify_cli.documents import TemplateValue, count
from sparkify_cli.errors import RejectedDataError, StatementTimeout, WarehouseError

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import Source, SourceFile
    from sparkify_cli.sources.formats import Field, SourceFormat

# The boundary with the database drivers: a bound value or a result cell may be of any SQL type.
Value = Any
Row = tuple[Value, ...]
Params = Sequence[Value] | None
Insert = tuple[str, list[Value]]  # one INSERT statement and its bound values


def values_inserts(table: str, columns: Sequence[str], rows: Sequence[Sequence[Value]]) -> list[Insert]:
    """Multi-row INSERT ... VALUES statements of at most 500 rows (row-by-row is far too slow)."""
    out = []
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        one = "(" + ", ".join("?" for _ in columns) + ")"
        out.append(
            (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(one for _ in chunk),
                [value for row in chunk for value in row],
            )
        )
    return out


@dataclass(frozen=True)
class Dialect:
    """A warehouse's capabilities as data: what the services need to know to drive it.

    The callables import their warehouse's modules when called, so the registry stays cheap to
    import (`sparkify --help` loads no driver)."""

    name: str  # the SPARKIFY_WAREHOUSE value; also sql/macros/<name>.sql and sql/stage/<name>/
    title: str  # for messages: "DuckDB", "Amazon Redshift"
    macros: tuple[str, ...]  # macro files, most specific first, ending in "default"
    reads_from: Literal["local", "s3"]  # local files (S3 is synced to a cache first), or S3 itself
    dry_run: Literal["rehearse", "plan"]  # replay on a scratch copy, or record without sending
    connect: Callable[[Settings, bool, bool], Warehouse]  # (settings, read_only, must_exist)
    stager: Callable[[Warehouse, Settings, Source], Stager]
    where: Callable[[Settings], str]  # where the warehouse is, for messages
    # Statement that opens every write transaction (schema, tables), or None when the engine
    # serialises writers itself.
    lock: Callable[[str, Sequence[str]], str] | None = None
    # How to insert many rows in as few statements as the engine allows.
    inserts: Callable[[str, Sequence[str], Sequence[Sequence[Value]]], list[Insert]] = values_inserts
    # dry_run == "rehearse": a scratch copy of the warehouse to rehearse on.
    rehearsal: Callable[[Settings], AbstractContextManager[Warehouse]] | None = None


@dataclass
class BatchResult:
    files: int = 0
    staged: int = 0
    rejected: int = 0


@dataclass
class Batch:
    """Source files read and validated by a stager, not yet applied to the warehouse."""

    fmt: SourceFormat
    files: list[SourceFile]
    staged: int
    rejected: int

    @property
    def kind(self) -> str:
        return self.fmt.kind

    @property
    def table(self) -> str:
        return self.fmt.table

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.fmt.fields

    @property
    def result(self) -> BatchResult:
        return BatchResult(len(self.files), self.staged, self.rejected)


def too_many_rejects(
    first: str, rejected: int, max_errors: int, *, unit: str = "line", look: str = "see `sparkify rejects`"
) -> RejectedDataError:
    """A step's rejects are over --max-errors: `first` (file:line: reason) and how many there are."""
    return RejectedDataError(
        f"{first} ({count(rejected, 'rejected ' + unit)}, --max-errors {max(max_errors, 0)})",
        hint=f"{look}; fix the source or raise --max-errors",
    )


class Stager(Protocol):
    """How one warehouse stages source files; the pipeline drives every stager the same way:
    prepare each batch (the warehouse's tables do not change), check the rejects against
    --max-errors, then apply the batches inside the caller's transaction."""

    def prepare(self, files: list[SourceFile], fmt: SourceFormat, *, max_errors: int) -> Batch: ...

    def check_rejects(self, batches: Sequence[Batch], max_errors: int) -> None:
        """More rejects than allowed: record them (`sparkify rejects`), stage nothing, raise."""
        ...

    def apply(self, batch: Batch) -> None:
        """Replace the staged rows of the batch's files (inside the caller's transaction)."""
        ...


class Warehouse(ABC):
    """A connection to one warehouse. SQL uses `?` placeholders on every dialect."""

    # May a step read files it writes for itself (gone when it ends)? Not when its SQL is a script to replay.
    may_use_temp_files: bool = True

    def __init__(self, dialect: Dialect, schema: str) -> None:
        self.dialect = dialect
        self.schema = schema
        self.statements_run: list[str] = []  # for --dry-run style introspection and tests

    # --- implemented by each warehouse -------------------------------------------------------
    @abstractmethod
    def execute(self, statement: str, params: Params = None) -> None: ...

    @abstractmethod
    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[Row]]: ...

    @abstractmethod
    def close(self) -> None: ...

    def interrupt(self) -> bool:
        """Cancel the statement running on this connection, from another thread (the default
        time_limit's timer); True when it could. This default cannot, so time_limit sets no limit:
        a warehouse whose driver has no cancel overrides time_limit instead (Redshift, PostgreSQL:
        SET statement_timeout around the block, its cancellation error raised as StatementTimeout)."""
        return False

    def lock_down(self) -> None:
        """From now on, this connection runs SQL over the warehouse's own tables only: no files,
        no network, no extensions, no changes of settings. One way; called before a connection
        opened for writing runs user-written SQL (the checks of `run`). Read-only connections are
        opened that way. The default does nothing: the warehouse's own permissions are the limit."""
        return None

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    # --- shared -----------------------------------------------------------------------------
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
        """Insert many rows at once, the way the dialect does it fastest."""
        if not rows:
            return
        for statement, params in self.dialect.inserts(table, columns, rows):
            self.execute(statement, params)

    def peek(self, statement: str, params: Params = None) -> list[Row] | None:
        """A read that is not part of a step's own SQL (what the schema looks like): a dry run does
        not record it, and answers None when it cannot know."""
        return self.query(statement, params)[1]

    def scalar(self, statement: str, params: Params = None) -> Value:
        _, rows = self.query(statement, params)
        return rows[0][0] if rows else None

    def render(self, template: str, **context: TemplateValue) -> list[str]:
        return sql.render_statements(template, self.dialect.macros, schema=self.schema, **context)

    def run_template(self, template: str, params: Params = None, **context: TemplateValue) -> None:
        for statement in self.render(template, **context):
            self.execute(statement, params if "?" in statement else None)

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        """The statements run inside take at most `seconds` together (0: no limit); past it, the
        running one is cancelled and StatementTimeout raised. This default cancels from a timer
        thread through interrupt(); the connection stays usable afterwards."""
        if not seconds:
            yield
            return
        fired = threading.Event()

        def cancel() -> None:
            if self.interrupt():
                fired.set()

        timer = threading.Timer(seconds, cancel)
        timer.daemon = True
        timer.start()
        try:
            yield
        except WarehouseError as exc:
            # The cancelled statement may fail before interrupt() returns (PostgreSQL's cancel
            # waits for the server): let the timer finish before asking whether it fired.
            timer.cancel()
            timer.join()
            if fired.is_set():
                raise StatementTimeout(seconds) from exc
            raise
        finally:
            timer.cancel()
            timer.join()

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
        """information_schema answers the same way on every warehouse."""
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
