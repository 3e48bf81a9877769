"""Amazon Redshift through redshift-connector: SSL always, IAM credentials when AWS has them.

Every write transaction first LOCKs sparkify's own tables in the schema, so two runs queue instead
of failing; a serializable-isolation conflict (error 1023) that still happens is retried with
backoff by replaying the transaction's statements, which is safe because a sparkify transaction only
writes (its decisions are taken from queries run before it begins).

Time limits: redshift-connector's `timeout` is the socket's timeout for the whole connection (its
core.py calls settimeout once, before connecting), so a statement silent for that long -- a LOCK
queued behind another run, a long COPY -- would raise while the server carries on. It bounds the
connecting only (SPARKIFY_REDSHIFT_CONNECT_TIMEOUT) and is lifted once connected; how long a
statement may run is the server's `statement_timeout` (SPARKIFY_REDSHIFT_STATEMENT_TIMEOUT).
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from sparkify_cli import sql
from sparkify_cli.errors import ConfigError, MissingRelation, SerializationConflict, WarehouseError
from sparkify_cli.sources.formats import EVENT_FIELDS, SONG_FIELDS
from sparkify_cli.warehouse.base import Dialect, Params, Row, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

RETRIES = 4
IAM_DURATION_S = 900
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


# The driver's connection: redshift_connector ships no type information.
Connection = Any


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
    ) -> None:
        super().__init__(dialect, schema)
        self.con = connection
        # Transactions are explicit (BEGIN ... COMMIT); otherwise the driver opens one on its own.
        self.con.autocommit = True
        self.cur = self.con.cursor()
        self.cur.paramstyle = "qmark"  # the `?` placeholders both warehouses share
        self.lock = lock
        self.retries = retries
        self.sleep = sleep
        # The open transaction's statements, with what each read returned (None for writes).
        self._txn: list[tuple[str, Params, list[Row] | None]] | None = None

    # --- connecting -----------------------------------------------------------------------------
    @classmethod
    def from_settings(
        cls, dialect: Dialect, settings: Settings, *, connect: Callable[..., Connection] | None = None
    ) -> RedshiftWarehouse:
        """Connect to SPARKIFY_REDSHIFT_HOST, or to the endpoint of the cluster `infra up` made."""
        host, port = settings.redshift_host, settings.redshift_port
        if not host:
            host, port = _cluster_endpoint(settings)
        user, password = credentials(settings)
        if connect is None:
            import redshift_connector

            connect = redshift_connector.connect
        try:
            con = connect(
                host=host,
                port=port,
                database=settings.redshift_database,
                user=user,
                password=password,
                ssl=True,
                sslmode="verify-ca",
                timeout=math.ceil(settings.redshift_connect_timeout),  # the socket's, for now: see the module's note
                application_name="sparkify",
            )
        except Exception as exc:  # the driver raises its own, socket and SSL errors alike
            raise WarehouseError(
                f"cannot connect to Redshift at {host}:{port}/{settings.redshift_database}: {_message(exc)}",
                hint="is the cluster available and your IP allowed? (`sparkify infra status`)",
            ) from None
        _without_socket_timeout(con)
        wh = cls(dialect, con, settings.schema)
        if settings.redshift_statement_timeout:
            wh._raw(f"SET statement_timeout TO {int(settings.redshift_statement_timeout) * 1000}")
        return wh

    # --- the Warehouse interface ----------------------------------------------------------------
    def execute(self, statement: str, params: Params = None) -> None:
        if self._txn is not None:
            self._txn.append((statement, params, None))
        self.statements_run.append(statement)
        self._run(statement, params, logged=self._txn is not None)

    def query(self, statement: str, params: Params = None) -> tuple[list[str], list[Row]]:
        self._run(statement, params)
        cols, rows = self._fetch()
        if self._txn is not None:
            self._txn.append((statement, params, rows))
        return cols, rows

    def begin(self) -> None:
        tables = self._schema_tables() if self.lock else []
        self._raw("BEGIN")
        self._txn = []
        if tables:
            assert self.dialect.lock is not None
            self.execute(self.dialect.lock(self.schema, tables))

    def commit(self) -> None:
        try:
            self._run("COMMIT")
        finally:
            self._txn = None

    def rollback(self) -> None:
        self._txn = None
        self._raw("ROLLBACK")

    def close(self) -> None:
        try:
            self.con.close()
        except Exception:  # closing a dead connection is not an error worth reporting
            pass

    # --- internals ------------------------------------------------------------------------------
    def _schema_tables(self) -> list[str]:
        """sparkify's tables that the schema has (none before the first `schema create`): a
        transaction locks them all, so concurrent runs queue up instead of conflicting. Another
        program's tables in the same schema are not sparkify's to lock."""
        _, rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY 1", [self.schema])
        own = own_tables()
        return [name for name in (str(r[0]).strip() for r in rows) if name in own]

    def _raw(self, statement: str, params: Params = None) -> None:
        try:
            self.cur.execute(statement, params)
        except Exception as exc:
            raise _error(exc) from None

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
            raise _error(exc) from None

    def _backoff(self, attempt: int) -> None:
        self.sleep(min(30.0, 0.5 * 2**attempt) * (1 + random.random()))


def _without_socket_timeout(con: Connection) -> None:
    """Lift the socket timeout redshift-connector set for connecting (its `_usock`, the socket it
    reads and writes through): from now on the server's statement_timeout bounds a statement."""
    sock = getattr(con, "_usock", None)
    if sock is not None and hasattr(sock, "settimeout"):
        sock.settimeout(None)


def _error(exc: BaseException) -> WarehouseError:
    """The narrowest error for the driver's exception; callers act on the class, never on the text."""
    text = _message(exc)
    if text.startswith("1023") or "serializable isolation violation" in text.lower():
        return SerializationConflict(f"Redshift: {text}", hint="another run changed the same tables; run again")
    fields = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    if fields.get("C") == "42P01":  # undefined_table
        return MissingRelation(f"Redshift: {text}")
    return WarehouseError(f"Redshift: {text}")


def _message(exc: BaseException) -> str:
    """One line from the driver's error (a dict of protocol fields for server errors)."""
    first = exc.args[0] if exc.args else exc
    if isinstance(first, dict):
        parts = [str(first.get("M", "")).strip(), str(first.get("D", "")).strip()]
        text = " ".join(p for p in parts if p)
    else:
        text = str(first)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines)[:500] if lines else type(exc).__name__


def _cluster_endpoint(settings: Settings) -> tuple[str, int]:
    from sparkify_cli import aws

    info = aws.describe_cluster(settings)
    if info is None:
        raise ConfigError(
            f"no Redshift cluster {settings.cluster_identifier!r}",
            hint="run `sparkify infra up`, or set SPARKIFY_REDSHIFT_HOST",
        )
    if not info.endpoint:
        raise WarehouseError(
            f"cluster {info.identifier} is {info.status}, it has no endpoint yet",
            hint="wait for `sparkify infra status` to say available",
        )
    return info.endpoint, int(info.port or settings.redshift_port)


def credentials(settings: Settings) -> tuple[str, str]:
    """(user, password): IAM temporary credentials when AWS credentials are at hand, else the
    password from the environment, .env or the OS keyring."""
    from sparkify_cli import aws, secrets

    iam_error = None
    if aws.has_credentials(settings):
        try:
            found = aws.call(
                aws.client(settings, "redshift"),
                "get_cluster_credentials",
                DbUser=settings.redshift_user,
                DbName=settings.redshift_database,
                ClusterIdentifier=settings.cluster_identifier,
                DurationSeconds=IAM_DURATION_S,
                AutoCreate=False,
            )
            return str(found["DbUser"]), str(found["DbPassword"])
        except aws.AwsCallError as exc:
            iam_error = exc
    password = secrets.lookup_password(settings)
    if password is None:
        if iam_error is not None:
            raise iam_error
        return settings.redshift_user, secrets.require_password(settings).get_secret_value()
    return settings.redshift_user, password.get_secret_value()
