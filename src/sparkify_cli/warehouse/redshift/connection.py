"""Amazon Redshift through redshift-connector: SSL always, IAM credentials when AWS has them.

Every write transaction first LOCKs sparkify's own tables in the schema, so two runs queue instead
of failing; a serializable-isolation conflict (error 1023) that still happens is retried with
backoff by replaying the transaction's statements, which is safe because a sparkify transaction only
writes (its decisions are taken from queries run before it begins).

Scratch tables (batch_plays, match_repairs, copy_events, ...) are named plainly by the SQL: a
pipeline session's search_path is `pg_temp` alone, so such a name never reaches a table of `public`
or of the schema. Redshift has no session-wide read-only mode (default_transaction_read_only is no
Redshift setting), so a read-only session runs each statement alone in BEGIN READ ONLY ... COMMIT;
its own scratch tables (report matches) are made in a read-write transaction that sees only pg_temp.
The driver sends every text as one prepared statement, so a second statement in it is refused.

Time limits: redshift-connector's `timeout` is the socket's timeout for the whole connection (its
core.py calls settimeout once, before connecting), so a statement silent for that long -- a LOCK
queued behind another run, a long COPY -- would raise while the server carries on. It bounds the
connecting only (SPARKIFY_REDSHIFT_CONNECT_TIMEOUT) and is lifted once connected; how long a
statement may run is the server's `statement_timeout` (SPARKIFY_REDSHIFT_STATEMENT_TIMEOUT). The
driver has no cancel of its own: a statement is cancelled with pg_cancel_backend(pid) from a second
connection -- the check time limit's timer does it (interrupt()), and so does a SIGINT or SIGTERM
that lands while the driver waits for the server. Such a signal leaves the connection half way
through a response: it is closed (the server rolls back its transaction) and the next statement --
the ledger's `interrupted` -- opens a new one.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from sparkify_cli import sql
from sparkify_cli.errors import NotAllowed, SerializationConflict, WarehouseError, WarehouseFailure
from sparkify_cli.sources.formats import EVENT_FIELDS, SONG_FIELDS
from sparkify_cli.warehouse.base import Dialect, Params, Row, Warehouse
from sparkify_cli.warehouse.redshift.session import (
    LOST_HINT,
    READ_ONLY,
    Connection,
    Opener,
    backend_pid,
    cluster_endpoint,
    error,
    without_socket_timeout,
)

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

RETRIES = 4
# The templates that define sparkify's tables (services/pipeline/schema.py runs them).
DDL = ("ddl/staging.sql", "ddl/star.sql", "ddl/ledger.sql", "ddl/version.sql")
_CREATED = re.compile(r'^CREATE TABLE IF NOT EXISTS \S+?\."?(\w+)"? \(', re.M)


@cache
def own_tables() -> frozenset[str]:
    """The tables sparkify's DDL creates: the only ones a transaction locks."""
    found: set[str] = set()
    for template in DDL:
        text = sql.render(
            template, ("redshift", "default"), schema="s", event_fields=EVENT_FIELDS, song_fields=SONG_FIELDS
        )
        found.update(_CREATED.findall(text))
    return frozenset(found)


Result = tuple[list[str], list[Row]]


class RedshiftWarehouse(Warehouse):
    def __init__(
        self,
        dialect: Dialect,
        connection: Connection,
        schema: str,
        *,
        lock: bool = True,
        retries: int = RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        read_only: bool = False,
        reconnect: Callable[[], Connection] | None = None,
        statement_timeout: float = 0,
    ) -> None:
        super().__init__(dialect, schema)
        self.lock = lock and not read_only
        self.retries = retries
        self.sleep = sleep
        self.read_only = read_only
        # Opens another connection like this one (fresh credentials; its socket keeps the connect
        # timeout): to cancel a statement, and to go on after this one was lost or left half way
        # through a response.
        self.reconnect = reconnect
        self.statement_timeout = statement_timeout
        # The open transaction's statements, with what each read returned (None for writes).
        self._txn: list[tuple[str, Params, list[Row] | None]] | None = None
        self._broken = False  # the connection is gone or unusable: the next statement opens another
        self._guard = threading.Lock()  # a statement's start and end against interrupt()'s cancel
        self._busy = 0  # statements (or read-only transactions) under way
        self._cancelled = False  # interrupt() cancelled this time limit's statement
        self._adopt(connection)

    def _adopt(self, connection: Connection) -> None:
        self.con = connection
        # Transactions are explicit (BEGIN ... COMMIT); otherwise the driver opens one on its own.
        self.con.autocommit = True
        self.cur = self.con.cursor()
        self.cur.paramstyle = "qmark"  # the `?` placeholders both warehouses share
        self.pid = backend_pid(connection)

    # --- connecting -----------------------------------------------------------------------------
    @classmethod
    def from_settings(
        cls,
        dialect: Dialect,
        settings: Settings,
        *,
        connect: Callable[..., Connection] | None = None,
        read_only: bool = False,
    ) -> RedshiftWarehouse:
        """Connect to SPARKIFY_REDSHIFT_HOST, or to the endpoint of the cluster `infra up` made."""
        host, port = settings.redshift_host, settings.redshift_port
        if not host:
            host, port = cluster_endpoint(settings)
        opener = Opener(settings, host, port, connect)
        con = opener()
        without_socket_timeout(con)
        wh = cls(
            dialect,
            con,
            settings.schema,
            read_only=read_only,
            reconnect=opener,
            statement_timeout=settings.redshift_statement_timeout,
        )
        wh._start_session()
        return wh

    def _start_session(self) -> None:
        """What every session of sparkify's sets first: its statement time limit, and for a pipeline
        session a search_path where a plain name finds the session's temp tables only."""
        if self.statement_timeout:
            self._raw(f"SET statement_timeout TO {int(self.statement_timeout) * 1000}")
        if not self.read_only:
            self._raw("SET search_path TO pg_temp")

    # --- the Warehouse interface ----------------------------------------------------------------
    def execute(self, statement: str, params: Params = None) -> None:
        self._not_cancelled()
        self.statements_run.append(statement)
        if self.read_only and self._txn is None:
            self._alone(statement, params)
            return
        if self._txn is not None:
            self._txn.append((statement, params, None))
        self._run(statement, params, logged=self._txn is not None)

    def query(self, statement: str, params: Params = None) -> Result:
        self._not_cancelled()
        if self.read_only and self._txn is None:
            return self._alone(statement, params)
        self._run(statement, params)
        cols, rows = self._fetch()
        if self._txn is not None:
            self._txn.append((statement, params, rows))
        return cols, rows

    def begin(self) -> None:
        tables = self._schema_tables() if self.lock else []
        self._raw("BEGIN READ ONLY" if self.read_only else "BEGIN")
        self._txn = []
        if tables:
            assert self.dialect.lock is not None
            try:
                self.execute(self.dialect.lock(self.schema, tables))
            except BaseException:  # e.g. statement_timeout while queued: no transaction is left open
                self.rollback()
                raise

    def commit(self) -> None:
        try:
            self._run("COMMIT")
        finally:
            self._txn = None

    def rollback(self) -> None:
        self._txn = None
        if self._broken:
            return  # the server rolls back the transaction of a session that is gone
        try:
            self._raw("ROLLBACK")
        except WarehouseFailure:
            pass  # lost just now: rolled back with the session; the error that got us here is the one

    def close(self) -> None:
        try:
            self.con.close()
        except Exception:  # closing a dead connection is not an error worth reporting
            pass

    def interrupt(self) -> bool:
        """Cancel the running statement from another thread (time_limit's timer): the server ends it
        with 57014, and this connection stays usable. A time limit that runs out between two of its
        statements stops the next one from starting."""
        with self._guard:
            if self._busy and not self._cancel():
                return False
            self._cancelled = True
            return True

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        self._cancelled = False
        try:
            with super().time_limit(seconds):
                yield
        finally:
            self._cancelled = False

    # --- internals ------------------------------------------------------------------------------
    def _schema_tables(self) -> list[str]:
        """sparkify's tables that the schema has (none before the first `schema create`): a
        transaction locks them all, so concurrent runs queue up instead of conflicting. Another
        program's tables in the same schema are not sparkify's to lock."""
        _, rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY 1", [self.schema])
        own = own_tables()
        return [name for name in (str(r[0]).strip() for r in rows) if name in own]

    def _raw(self, statement: str, params: Params = None) -> None:
        """Send one statement. A signal landing while the driver waits for the answer cancels the
        statement and drops the connection (see the module's note)."""
        if self._broken:
            self._revive()
        with self._guard:
            self._busy += 1
        try:
            self.cur.execute(statement, params)
        except KeyboardInterrupt:  # errors.Interrupted (SIGINT, SIGTERM) in the middle of the protocol
            self._abandon()
            raise
        except Exception as exc:
            failure = error(exc, self.read_only)
            if isinstance(failure, WarehouseFailure):
                self._abandon(cancel=False)
            raise failure from None
        finally:
            with self._guard:
                self._busy -= 1

    def _alone(self, statement: str, params: Params) -> Result:
        """A read-only session's statement, in a read-only transaction of its own; a scratch table of
        its own (report matches) in a read-write one whose search_path is pg_temp alone."""
        scratch = bool(_SCRATCH.match(statement))
        if not scratch and _first_word(statement) == "UNLOAD":
            raise NotAllowed(f"{READ_ONLY}: UNLOAD writes to S3")
        with self._guard:
            self._busy += 1
        try:
            self._raw("BEGIN" if scratch else "BEGIN READ ONLY")
            try:
                if scratch:
                    self._raw("SET LOCAL search_path TO pg_temp")
                self._not_cancelled()
                self._raw(statement, params)
                found = self._fetch()
            except BaseException:
                self.rollback()
                raise
            self._raw("COMMIT")
            return found
        finally:
            with self._guard:
                self._busy -= 1

    def _not_cancelled(self) -> None:
        if self._cancelled:
            raise WarehouseError("Redshift: cancelled: the time limit ran out")

    def _cancel(self) -> bool:
        """pg_cancel_backend(this session) from a second connection: Redshift cancels what it runs."""
        if self.reconnect is None or self.pid is None:
            return False
        try:
            other = self.reconnect()
        except Exception:  # no connection to cancel with (a SparkifyError from credentials too)
            return False
        try:
            other.autocommit = True  # else the driver sends `begin transaction` first
            cur = other.cursor()
            cur.execute(f"SELECT pg_cancel_backend({int(self.pid)})")
            return True
        except Exception:
            return False
        finally:
            try:
                other.close()
            except Exception:
                pass

    def _abandon(self, *, cancel: bool = True) -> None:
        """This connection is gone, or half way through a response (a signal landed while the
        driver read it): cancel what it runs, close it; its transaction is rolled back with it."""
        self._broken = True
        if cancel:
            self._cancel()
        self.close()

    def _revive(self) -> None:
        """A new connection after the last one was lost or abandoned -- never inside a transaction
        (until its rollback), whose statements died with the old session."""
        if self._txn is not None or self.reconnect is None:
            raise WarehouseFailure("Redshift: the connection was lost", hint=LOST_HINT)
        found = self.reconnect()
        without_socket_timeout(found)
        self._broken = False
        self._adopt(found)
        self._start_session()

    def _run(self, statement: str, params: Params = None, *, logged: bool = False) -> None:
        """Run one statement; on a serialization conflict, restart the transaction and replay it.
        `logged`: the statement is already in the transaction's log, so the replay runs it."""
        for attempt in range(self.retries + 1):
            try:
                if attempt == 0 or self._txn is None:
                    self._raw(statement, params)
                else:
                    self._replay()
                    if not logged:
                        self._raw(statement, params)
                return
            except SerializationConflict:
                if attempt == self.retries:
                    raise
                self._backoff(attempt)

    def _replay(self) -> None:
        """ROLLBACK, BEGIN again and rerun the transaction's statements (its LOCK first). The caller
        may have acted on what it read, so every read must return the same rows again; if one does
        not, the conflict is reported instead."""
        assert self._txn is not None
        try:
            self._raw("ROLLBACK")
        except WarehouseError:
            pass  # Redshift may already have ended it
        self._raw("BEGIN")
        for statement, params, seen in list(self._txn):
            self._raw(statement, params)
            if seen is not None and self._fetch()[1] != seen:
                raise WarehouseError(
                    "Redshift: another run changed the data this transaction read (error 1023)",
                    hint="run the same command again",
                )

    def _fetch(self) -> tuple[list[str], list[Row]]:
        try:
            cols = [d[0] for d in self.cur.description or []]
            return cols, [tuple(r) for r in (self.cur.fetchall() or [])]
        except Exception as exc:
            raise error(exc) from None

    def _backoff(self, attempt: int) -> None:
        self.sleep(min(30.0, 0.5 * 2**attempt) * (1 + random.random()))


# A scratch table of sparkify's own SQL, by plain name: made, dropped or filled (never read into).
_SCRATCH = re.compile(
    r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE\s+TEMP(?:ORARY)?\s+TABLE\s+[a-z_][a-z0-9_]*\s*\((?![^;]*\bAS\s+SELECT\b)"
    r"|DROP\s+TABLE\s+IF\s+EXISTS\s+[a-z_][a-z0-9_]*\s*;?\s*$"
    r"|INSERT\s+INTO\s+[a-z_][a-z0-9_]*\s*\()",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)


def _first_word(statement: str) -> str:
    comments = _COMMENTS.match(statement)  # matches "" at least
    found = re.match(r"[A-Za-z]+", statement[comments.end() if comments else 0 :])
    return found.group(0).upper() if found else ""
