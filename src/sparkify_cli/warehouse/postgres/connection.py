"""The PostgreSQL connection through psycopg 3, by libpq's own conventions.

Where to connect comes from SPARKIFY_POSTGRES_DSN (a libpq connection string or postgresql:// URI)
or, without it, from libpq's environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE,
PGSERVICE, ...) and ~/.pgpass. TLS follows `sslmode` (libpq's default, prefer: TLS whenever the
server offers it). The password is never printed: messages name user@host:port/database only.

Transactions are explicit (BEGIN ... COMMIT on an autocommit session) and every write transaction
first takes the schema's advisory lock (Dialect.lock), so two runs queue; readers never wait (MVCC).
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import psycopg
from psycopg import conninfo

from sparkify_cli.errors import (
    ConfigError,
    MissingRelation,
    NotAllowed,
    SerializationConflict,
    SparkifyError,
    WarehouseBusyError,
    WarehouseError,
    WarehouseFailure,
)
from sparkify_cli.warehouse.base import Dialect, Params, Row, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

CONNECT_TIMEOUT_S = 30  # unless the DSN or PGCONNECT_TIMEOUT says otherwise
DSN_SETTING = "SPARKIFY_POSTGRES_DSN"


class InvalidInput(WarehouseError):
    """A value the server could not take as its type (SQLSTATE class 22, or nesting too deep): in
    staging, a source line that is not valid JSON. The stager then validates line by line."""


class PostgresWarehouse(Warehouse):
    def __init__(self, dialect: Dialect, connection: psycopg.Connection[Row], schema: str, *, read_only: bool) -> None:
        super().__init__(dialect, schema)
        self.con = connection
        self.read_only = read_only

    # --- the Warehouse interface ----------------------------------------------------------------
    def execute(self, statement: str, params: Params = None) -> None:
        self.statements_run.append(statement)
        self._run(statement, params).close()

    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[Row]]:
        cur = self._run(statement, params)
        try:
            if cur.description is None:
                return [], []
            return [d.name for d in cur.description], cur.fetchall()
        except psycopg.Error as exc:
            raise _error(exc, self.read_only) from None
        finally:
            cur.close()

    def begin(self) -> None:
        self.execute("BEGIN")
        if not self.read_only and self.dialect.lock is not None:
            self.execute(self.dialect.lock(self.schema, ()))

    def rollback(self) -> None:
        try:
            self.execute("ROLLBACK")
        except WarehouseError:
            if not self.con.closed and not self.con.broken:
                raise  # a lost connection has rolled back already: keep the original error

    def close(self) -> None:
        self.con.close()

    def interrupt(self) -> bool:
        """Cancel the running statement from another thread (time_limit's timer): the server ends
        it with query_canceled, and the session stays usable."""
        try:
            self.con.cancel_safe()
        except psycopg.Error:
            return False
        return True

    # --- PostgreSQL's own -----------------------------------------------------------------------
    def copy_in(self, statement: str, data: Iterable[bytes]) -> None:
        """COPY ... FROM STDIN: the client sends `data` (COPY text format) as it is produced. (Not
        in statements_run, which lists what went through execute.)"""
        try:
            with self.con.cursor() as cur, cur.copy(statement) as copy:
                for chunk in data:
                    copy.write(chunk)
        except psycopg.Error as exc:
            raise _error(exc) from None

    def _run(self, statement: str, params: Params) -> psycopg.Cursor[Row]:
        if self.read_only and _SCRATCH.match(statement):
            return self._scratch(statement)
        cur = self.con.cursor()
        # Read-only sessions run each text as one prepared statement: a second statement smuggled in
        # ("...; COMMIT; SET ...") is refused instead of escaping the read-only transaction.
        prepare = True if self.read_only else None
        try:
            if params:
                cur.execute(_pyformat(statement), list(params), prepare=prepare)
            else:
                cur.execute(statement, prepare=prepare)
        except psycopg.Error as exc:
            cur.close()
            raise _error(exc, self.read_only) from None
        return cur

    def _scratch(self, statement: str) -> psycopg.Cursor[Row]:
        """A read-only session's own scratch table (`report matches` repairs texts in one): made or
        dropped in a read-write transaction that can see only the session's temp tables."""
        cur = self.con.cursor()
        try:
            with self.con.transaction():
                cur.execute("SET TRANSACTION READ WRITE")
                cur.execute("SET LOCAL search_path = pg_temp")
                cur.execute(statement)
        except psycopg.Error as exc:
            cur.close()
            raise _error(exc, self.read_only) from None
        return cur


# A scratch table of sparkify's own SQL: a temp table by plain name, with a column list (no query).
_SCRATCH = re.compile(
    r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE\s+TEMP(?:ORARY)?\s+TABLE\s+[a-z_][a-z0-9_]*\s*\((?![^;]*\bAS\s+SELECT\b)"
    r"|DROP\s+TABLE\s+IF\s+EXISTS\s+[a-z_][a-z0-9_]*\s*;?\s*$)",
    re.IGNORECASE,
)


@lru_cache(maxsize=512)
def _pyformat(statement: str) -> str:
    """The shared `?` placeholders as psycopg's %s (a literal % doubled), outside quotes and comments."""
    out, i, n = [], 0, len(statement)
    while i < n:
        ch = statement[i]
        if ch in "'\"":
            end = statement.find(ch, i + 1)
            end = n - 1 if end < 0 else end
            out.append(statement[i : end + 1].replace("%", "%%"))  # a doubled quote is two literals: same text
            i = end + 1
        elif statement.startswith("--", i):
            end = statement.find("\n", i)
            end = n if end < 0 else end
            out.append(statement[i:end].replace("%", "%%"))
            i = end
        else:
            out.append("%s" if ch == "?" else "%%" if ch == "%" else ch)
            i += 1
    return "".join(out)


def _error(exc: psycopg.Error, read_only: bool = False) -> SparkifyError:
    """The narrowest error for the driver's exception; callers act on the class, never on the text."""
    state = exc.sqlstate or ""
    message = f"PostgreSQL: {_first_line(str(exc)) or type(exc).__name__}"
    if read_only and (state == "25006" or (state == "42601" and "multiple commands" in str(exc))):
        # read_only_sql_transaction, or a second statement in the text (prepared: one at a time)
        return NotAllowed(f"not allowed on a read-only connection (one statement that only reads): {message}")
    if state == "42P01":  # undefined_table
        return MissingRelation(message)
    if state in ("40001", "40P01"):  # serialization_failure, deadlock_detected
        return SerializationConflict(message, hint="another session changed the same rows; run again")
    if state == "55P03":  # lock_not_available
        return WarehouseBusyError(message, hint="another run holds the warehouse; retry later")
    if state.startswith("22") or state == "54001":  # data_exception, statement_too_complex
        return InvalidInput(message)
    if (
        state.startswith("08")
        or state in ("57P01", "57P02", "57P03")
        or (isinstance(exc, psycopg.OperationalError) and not state)
    ):  # connection_exception, the server shutting down, a connection that is gone
        return WarehouseFailure(message, hint="the connection to the server was lost; run the same command again")
    return WarehouseError(message)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else ""


# --- connecting -------------------------------------------------------------------------------


def _dsn(settings: Settings) -> tuple[str, dict[str, str]]:
    """SPARKIFY_POSTGRES_DSN (empty: libpq's environment and defaults) and its parsed keywords."""
    dsn = settings.postgres_dsn.get_secret_value() if settings.postgres_dsn is not None else ""
    try:
        return dsn, {k: str(v) for k, v in conninfo.conninfo_to_dict(dsn).items() if v is not None}
    except psycopg.Error:
        # libpq's message may quote the string, password included: say what is wrong without it
        raise ConfigError(
            f"invalid setting {DSN_SETTING}: not a libpq connection string",
            hint="use key=value pairs (host=... dbname=...) or a postgresql://user@host:port/dbname URI",
        ) from None


def describe(settings: Settings) -> str:
    """Where the warehouse is, for messages: PostgreSQL user@host:port/database (no password)."""
    _, params = _dsn(settings)
    env = os.environ
    user = params.get("user") or env.get("PGUSER") or _login()
    host = params.get("host") or params.get("hostaddr") or env.get("PGHOST") or "localhost"
    port = params.get("port") or env.get("PGPORT") or "5432"
    database = params.get("dbname") or env.get("PGDATABASE") or user
    return f"PostgreSQL {user}@{host}:{port}/{database} (schema {settings.schema})"


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "?"


def _mask(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


def _connect_failure(exc: psycopg.Error) -> str:
    """libpq's reasons on one line, each once (sslmode=prefer tries with TLS, then without)."""
    seen: list[str] = []
    for line in str(exc).removeprefix("connection failed:").splitlines():
        line = " ".join(line.split())
        if line and line not in seen:
            seen.append(line)
    return "; ".join(seen)[:500] or type(exc).__name__


def open_database(dialect: Dialect, settings: Settings, *, read_only: bool) -> PostgresWarehouse:
    """Connect, check the database can hold sparkify's text (UTF8), and set the session up: UTC,
    shortest exact floats, and read-only transactions for commands that only look."""
    dsn, params = _dsn(settings)
    extra: dict[str, str | int] = {}
    if "connect_timeout" not in params and not os.environ.get("PGCONNECT_TIMEOUT"):
        extra["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in params and not os.environ.get("PGAPPNAME"):
        extra["application_name"] = "sparkify"
    where = describe(settings)
    secrets = [params.get("password", ""), os.environ.get("PGPASSWORD", "")]
    try:
        # Never prepared behind our back (temp tables are dropped and made again); read-only
        # sessions prepare every statement on purpose (see PostgresWarehouse._run).
        threshold = 1 << 30 if read_only else None
        con = psycopg.connect(conninfo.make_conninfo(dsn, **extra), autocommit=True, prepare_threshold=threshold)
    except psycopg.Error as exc:
        raise WarehouseError(
            f"cannot connect to {where}: {_mask(_connect_failure(exc), secrets)}",
            hint=f"is the server up, and are {DSN_SETTING} or PGHOST, PGPORT, PGDATABASE, PGUSER right?",
        ) from None
    try:
        encoding = con.execute("SELECT current_setting('server_encoding')").fetchone()
        if encoding is None or encoding[0] != "UTF8":
            raise ConfigError(
                f"database {con.info.dbname} is encoded {encoding[0] if encoding else '?'}; sparkify needs UTF8",
                hint="create it with ENCODING 'UTF8' (createdb -E UTF8 ...)",
            )
        con.execute("SET TIME ZONE 'UTC'")
        con.execute("SET extra_float_digits = 1")  # shortest text that reads back as the same double
        con.execute("SET client_encoding = 'UTF8'")
        # JIT-compiling staging's wide expressions took longer than running them (3 s of a 6 s check)
        con.execute("SET jit = off")
        if read_only:
            con.execute("SET default_transaction_read_only = on")
        else:
            # sparkify's SQL names its scratch tables plainly (DROP TABLE IF EXISTS batch_plays): on a
            # shared database that must never find another program's table in public
            con.execute(f"SET search_path = pg_temp, {settings.schema}")
    except psycopg.Error as exc:
        con.close()
        raise _error(exc) from None
    except BaseException:
        con.close()
        raise
    return PostgresWarehouse(dialect, con, settings.schema, read_only=read_only)
