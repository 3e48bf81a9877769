"""A stand-in for redshift_connector, for runs of the real CLI "on Redshift" without a cluster.

It records every (statement, params) pair the driver is asked to send, answers the few reads a run
needs, and behaves like Redshift where the tests look: a parameter bound in LIMIT or OFFSET is
refused ("Not implemented"), a COPY reads S3 (the manifest it names, or every key under a FROM
prefix), and load errors live in an stl_load_errors of its own, by session and query id, where a
COPY that fails before loading adds nothing and leaves pg_last_copy_id() where it was.

Each connection is a session with its own process id (BackendKeyData, as the driver keeps it), its
transaction (BEGIN [READ ONLY], an error aborts it until ROLLBACK; a READ ONLY one refuses writes
but to the session's temp tables, 25006), its search_path (SET, SET LOCAL: a plain name that is no
temp table of the session reaches `public` through the default path) and one statement per text
(42601, the driver's prepared statements). A statement may be made to run until cancelled
(`slow`), to have a signal land while the driver waits for it (`signal_on`: the driver's connection
is then unusable, as one left mid-protocol is), or to lose the connection (`lose_on`);
pg_cancel_backend(pid) from another session cancels what that session runs (57014).

Install it with `fake.install(monkeypatch)`: the real `RedshiftWarehouse.from_settings` then
connects to it. Only the driver is replaced; every sparkify module runs as in production.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from sparkify_cli.services.pipeline.schema import VERSION
from support.s3_fixtures import REGION, SOURCE, fake_aws, make_bucket, make_role, upload, write_fixture

SESSION = 4242
PASSWORD = "Pw-fake-redshift-9f3"


class ProgrammingError(Exception):
    """What redshift-connector raises for a server error: the protocol's fields as a dict."""


def server_error(message: str, code: str = "XX000") -> ProgrammingError:
    return ProgrammingError({"S": "ERROR", "C": code, "M": message})


def _driver_error(name: str, message: str) -> Exception:
    """The driver's own InterfaceError (a socket closed, a connection the driver knows is gone)."""
    import redshift_connector

    error: type[Exception] = getattr(redshift_connector, name)
    return error(message)


_WRITES = re.compile(r"^(INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE|DROP|ALTER|COPY|TRUNCATE|GRANT|REVOKE)\b", re.I)
_TARGET = re.compile(
    r"^(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|"
    r"CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?)\s+([\w.\"]+)",
    re.I,
)


def _several(body: str) -> bool:
    """More than one statement in the text (a `;` outside quotes, other than a final one)."""
    quote = ""
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ";" and body[i + 1 :].strip():
            return True
    return False


@dataclass
class LoadError:
    query: int
    filename: str
    line_number: int
    colname: str
    err_reason: str
    raw_line: str = ""
    session: int = SESSION


@dataclass
class Copy:
    """One COPY as Redshift would run it: the objects it read, and the CSV rows of sparkify's lines."""

    statement: str
    objects: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)


_BOUND_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+(\?|%s|\$\d+)", re.I)
_S3 = re.compile(r"^s3://([^/]+)/?(.*)$")


def _s3() -> Any:
    return boto3.client("s3", region_name=REGION)


class FakeRedshift:
    def __init__(
        self,
        tables: list[str] | None = None,
        *,
        schema_version: int | None = VERSION,
        stl: bool = True,
        answers: dict[str, list[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.sent: list[tuple[str, tuple[Any, ...] | None]] = []
        self.stl = stl  # False: no STL views (Redshift Serverless)
        self.answers = answers or {}  # statement prefix -> rows
        # (statement prefix, server message[, SQLSTATE]), each used once
        self.fail_on: list[tuple[str, ...]] = []
        self.kwargs: dict[str, Any] = {}
        self.tables = tables if tables is not None else []  # what pg_tables lists in the schema
        self.schema_version = schema_version  # None: the schema has no sparkify table
        self.copies: list[Copy] = []
        self.load_errors: list[LoadError] = []
        self.last_copy_id = 0  # pg_last_copy_id(): the last COPY that loaded
        self.next_query = 100
        self.fail_copy: list[tuple[str, list[LoadError]]] = []  # (message, its load errors), one per COPY
        # The bad rows each COPY meets, in order: it fails once they reach its MAXERROR, as Redshift's does.
        self.bad_rows: list[list[LoadError]] = []
        self.rejects: dict[str, int] = {}  # temp rejects table -> rows inserted from load errors
        self.rejected: dict[str, list[tuple[str, int, str]]] = {}  # ... and those rows (file, line, reason)
        self.sockets: list[socket.socket] = []
        # sessions
        self.connections: list[Connection] = []
        self.log: list[tuple[int, str]] = []  # (session pid, statement), every session
        self.public_tables: set[str] = set()  # tables of `public` a plain name may reach
        self.touched_public: list[str] = []  # statements that reached one of them
        self.slow: list[str] = []  # statement prefixes that run until cancelled
        self.signal_on: dict[str, int] = {}  # statement prefix -> signal the process gets meanwhile
        self.lose_on: list[str] = []  # statement prefixes on which the connection is lost
        self.cancelled: list[tuple[int, str]] = []  # (pid, statement) pg_cancel_backend stopped
        self.misused: list[str] = []  # statements sent on a connection left mid-protocol

    # --- installing ---------------------------------------------------------------------------
    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeRedshift:
        import redshift_connector

        monkeypatch.setattr(redshift_connector, "connect", self.connect)
        return self

    def connect(self, **kwargs: Any) -> Connection:
        self.kwargs = kwargs
        # What redshift-connector does with `timeout` (core.py): the socket it then talks through
        # keeps it for the connection's whole life.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if kwargs.get("timeout") is not None:
            sock.settimeout(kwargs["timeout"])
        self.sockets.append(sock)
        found = Connection(self, sock, SESSION + len(self.connections))
        self.connections.append(found)
        return found

    def session(self, pid: int) -> Connection:
        return next(c for c in self.connections if c.pid == pid)

    def by(self, pid: int) -> list[str]:
        """The statements one session was sent."""
        return [s for p, s in self.log if p == pid]

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()

    # --- what was sent ------------------------------------------------------------------------
    @property
    def statements(self) -> list[str]:
        return [s for s, _ in self.sent]

    # --- answering ----------------------------------------------------------------------------
    def run(
        self, statement: str, params: tuple[Any, ...] | None, session: Connection | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        self.sent.append((statement, params))
        self.next_query += 1
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if session is not None:
            self.log.append((session.pid, statement))
            handled = session.run(body)
            if handled is not None:
                return handled[0] or None
        try:
            return self._answer(statement, params, body)
        except ProgrammingError:
            if session is not None and session.txn is not None:
                session.txn = "aborted"  # until ROLLBACK, as Redshift keeps it
            raise

    def _answer(
        self, statement: str, params: tuple[Any, ...] | None, body: str
    ) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        if params and _BOUND_LIMIT.search(statement):
            raise server_error("Not implemented", "0A000")
        for i, (prefix, message, *code) in enumerate(self.fail_on):
            if body.startswith(prefix):
                del self.fail_on[i]
                raise server_error(message, *code)
        for prefix, rows in self.answers.items():
            if body.startswith(prefix):
                return ["?"] * (len(rows[0]) if rows else 1), rows
        if body.startswith("COPY "):
            return self._copy(body)
        if "stl_load_errors" in body and not self.stl:
            raise server_error('relation "stl_load_errors" does not exist', "42P01")
        if "FROM stl_load_errors" in body or "FROM sys_load_error_detail" in body:
            return self._load_errors(body)
        if body.startswith("SELECT tablename FROM pg_tables"):
            return ["tablename"], [(t,) for t in self.tables]
        if body.startswith("SELECT count(*) FROM information_schema.tables"):
            return ["count"], [(1 if self.schema_version is not None else 0,)]
        if re.match(r"SELECT max\(version\) FROM \S+\.sparkify_schema", body):
            return ["max"], [(self.schema_version,)]
        if body.startswith("SELECT (SELECT COUNT(*)"):
            rejects = re.findall(r"FROM (\w+)\)", body)[-1]
            return ["staged", "rejected"], [(0, self.rejects.get(rejects, 0))]
        first = re.match(r"SELECT source_file, line_no, reason FROM (\w+) ORDER BY source_file, line_no LIMIT 1$", body)
        if first:
            return ["source_file", "line_no", "reason"], sorted(self.rejected.get(first.group(1), []))[:1]
        counted = re.match(r"SELECT COUNT\(\*\) FROM (\w+)$", body)
        if counted:
            return ["count"], [(self.rejects.get(counted.group(1), 0),)]
        if body.startswith("SELECT COUNT(*) AS plays,"):  # the report's totals, over no plays
            return ["plays", "matched", "users", "sessions", "first_play", "last_play"], [(0, 0, 0, 0, None, None)]
        if re.match(r"SELECT count\(\*\)", body, re.I):
            return ["count"], [(0,)]
        if body.startswith("SELECT"):
            return ["?"], []
        return None

    def _copy(self, body: str) -> None:
        source = re.search(r"^FROM '([^']*)'", body, re.M)
        assert source, body
        uri = source.group(1)
        bucket, key = _S3.match(uri).groups()  # type: ignore[union-attr]
        if re.search(r"^MANIFEST$", body, re.M):
            entries = json.loads(_s3().get_object(Bucket=bucket, Key=key)["Body"].read())["entries"]
            objects = [e["url"] for e in entries]
        else:  # Redshift loads every object whose key starts with the FROM text
            listed = _s3().list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
            objects = [f"s3://{bucket}/{o['Key']}" for o in listed]
        copy = Copy(body, objects)
        if "FORMAT AS CSV" in body:
            for url in objects:
                b, k = _S3.match(url).groups()  # type: ignore[union-attr]
                data = gzip.decompress(_s3().get_object(Bucket=b, Key=k)["Body"].read()).decode("utf-8")
                names = re.search(r"^COPY \w+ \(([^)]*)\)", body, re.M).group(1).split(", ")  # type: ignore[union-attr]
                copy.rows += [dict(zip(names, row, strict=True)) for row in csv.reader(io.StringIO(data))]
        self.copies.append(copy)
        query = self.next_query
        bad = self.bad_rows.pop(0) if self.bad_rows else []
        for error in bad:
            error.query = query
        self.load_errors += bad
        found = re.search(r"^MAXERROR (\d+)$", body, re.M)
        maxerror = int(found.group(1)) if found else 0
        if bad and len(bad) >= max(maxerror, 1):
            table = body.split()[1]
            raise server_error(f"Load into table '{table}' failed. Check 'stl_load_errors' system table for details.")
        if self.fail_copy:
            message, errors = self.fail_copy.pop(0)
            for error in errors:
                error.query = query
            self.load_errors += errors
            raise server_error(message)
        self.last_copy_id = query
        return None

    def _load_errors(self, body: str) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        mine = [e for e in self.load_errors if e.session == SESSION]
        if body.startswith("SELECT COALESCE(MAX("):
            return ["max"], [(max((e.query for e in mine), default=0),)]
        target = re.match(r"INSERT INTO (\w+)", body)
        assert target, body
        if "pg_last_copy_id()" in body:
            chosen = [e for e in mine if e.query == self.last_copy_id]
        else:
            newer = re.search(r"(?:query|query_id) > (\d+)", body)
            assert newer, body
            chosen = [e for e in mine if e.query > int(newer.group(1))]
        self.rejects[target.group(1)] = self.rejects.get(target.group(1), 0) + len(chosen)
        root = re.search(r"= '(s3://[^']*)' THEN SUBSTRING", body)
        for e in chosen:
            name = e.filename.removeprefix(root.group(1)) if root else e.filename
            self.rejected.setdefault(target.group(1), []).append(
                (name, e.line_number, f"column {e.colname}: {e.err_reason}")
            )
        return None


Answer = tuple[list[str], list[tuple[Any, ...]]]


class Connection:
    """One session: the driver's connection object and what the server keeps for it."""

    def __init__(self, fake: FakeRedshift, sock: socket.socket, pid: int) -> None:
        self.fake = fake
        self._usock = sock  # redshift-connector's name for the socket it reads and writes through
        # redshift-connector keeps the server's BackendKeyData as it came: process id, secret key
        self._backend_key_data = struct.pack("!ii", pid, 77)
        self.pid = pid
        self.autocommit = False
        self.state = "ready"  # "mid-protocol" after a signal landed in a read, "lost", "closed"
        self.txn: str | None = None  # None, "rw", "ro" or "aborted"
        self.path = ["$user", "public"]  # search_path
        self.local_path: list[str] | None = None  # SET LOCAL: until the transaction ends
        self.temp: set[str] = set()
        self.running = threading.Event()  # set by pg_cancel_backend while a slow statement runs
        self.current: str | None = None  # the slow statement the server runs for this session

    def cursor(self) -> Cursor:
        return Cursor(self.fake, self)

    def close(self) -> None:
        self.state = "closed"
        self.txn = None  # the server ends the session: its transaction is rolled back
        self._usock.close()

    # --- the session, as the server keeps it ----------------------------------------------------
    def run(self, body: str) -> tuple[Answer | None] | None:
        """What the session itself answers (wrapped: (None,) is "done, no rows"); None: the fake's
        shared answers apply."""
        fake = self.fake
        if self.state == "mid-protocol":
            fake.misused.append(body)
            raise _driver_error("InterfaceError", "protocol out of sync: a response was left half read")
        if self.state in ("lost", "closed"):
            raise _driver_error("InterfaceError", "connection is closed")
        if _several(body):
            raise server_error("cannot insert multiple commands into a prepared statement", "42601")
        word = body.split(None, 1)[0].upper() if body else ""
        if word in ("COMMIT", "END", "ROLLBACK", "ABORT"):
            self.txn, self.local_path = None, None
            return (None,)
        if self.txn == "aborted":
            raise server_error(
                "current transaction is aborted, commands ignored until end of transaction block", "25P02"
            )
        try:
            return self._run(body, word)
        except ProgrammingError:
            if self.txn is not None:
                self.txn = "aborted"
            raise

    def _run(self, body: str, word: str) -> tuple[Answer | None] | None:
        fake = self.fake
        if word in ("BEGIN", "START"):
            self.txn = "ro" if re.search(r"\bREAD\s+ONLY\b", body, re.I) else "rw"
            return (None,)
        setting = re.match(r"SET\s+(LOCAL\s+)?search_path\s+(?:TO|=)\s+(.+)$", body, re.I)
        if setting:
            path = [p.strip().strip('"') for p in setting.group(2).split(",")]
            if setting.group(1):
                self.local_path = path
            else:
                self.path = path
            return (None,)
        cancel = re.match(r"SELECT pg_cancel_backend\((\d+)\)$", body)
        if cancel:
            fake.session(int(cancel.group(1))).cancel()
            return ((["pg_cancel_backend"], [(1,)]),)
        if self.txn == "ro" and _WRITES.match(body) and not self._temp_target(body):
            raise server_error("transaction is read-only", "25006")
        self._resolve(body)
        for prefix in fake.lose_on:
            if body.startswith(prefix):
                fake.lose_on.remove(prefix)
                self.state = "lost"
                raise _driver_error(
                    "InterfaceError", "BrokenPipe: server socket closed. Please check that client side networking"
                )
        for prefix, signum in list(fake.signal_on.items()):
            if body.startswith(prefix):
                del fake.signal_on[prefix]
                self._wait(body, signum)
        for prefix in fake.slow:
            if body.startswith(prefix):
                fake.slow.remove(prefix)
                self._wait(body, None)
        return None

    def _wait(self, body: str, signum: int | None) -> None:
        """Run until pg_cancel_backend(pid) (then 57014); with `signum`, the process gets the signal
        while the driver waits for the answer: the handler raises in here, the driver's connection
        is left half way through a response, and the server goes on running the statement."""
        self.running.clear()
        self.current = body
        try:
            if signum is not None:
                os.kill(os.getpid(), signum)
            if not self.running.wait(timeout=30):
                raise AssertionError(f"nobody cancelled {body[:60]!r}")
        except KeyboardInterrupt:
            self.state = "mid-protocol"
            raise
        raise server_error(f"Query ({self.fake.next_query}) cancelled on user's request", "57014")

    def cancel(self) -> None:
        """pg_cancel_backend(this session's pid), from another session."""
        if self.current is not None:
            self.fake.cancelled.append((self.pid, self.current))
            self.current = None
        self.running.set()

    def _temp_target(self, body: str) -> bool:
        found = _TARGET.match(body)
        name = found.group(1) if found else ""
        if re.match(r"CREATE\s+TEMP", body, re.I) or re.match(r"DROP\b", body, re.I):
            return False  # DDL: refused in a read-only transaction, temp or not
        return name in self.temp

    def _resolve(self, body: str) -> None:
        """Temp tables by name; a plain name that is not one reaches public through the path."""
        found = _TARGET.match(body)
        if not found or "." in found.group(1):
            return
        name = found.group(1).strip('"')
        if re.match(r"CREATE\s+TEMP", body, re.I):
            self.temp.add(name)
            return
        if name in self.temp:
            if re.match(r"DROP\b", body, re.I):
                self.temp.discard(name)
            return
        path = self.local_path if self.local_path is not None else self.path
        if "public" in path and name in self.fake.public_tables:
            self.fake.touched_public.append(body)
            if re.match(r"DROP\b", body, re.I):
                self.fake.public_tables.discard(name)


class Cursor:
    def __init__(self, fake: FakeRedshift, connection: Connection) -> None:
        self.fake = fake
        self.connection = connection
        self.paramstyle = "format"
        self.description: list[tuple[str]] | None = None
        self.rows: list[tuple[Any, ...]] = []

    def execute(self, statement: str, params: Any = None) -> None:
        if not self.connection.autocommit and self.connection.txn is None:
            self.fake.run("begin transaction", None, self.connection)  # what redshift-connector does then
        found = self.fake.run(statement, tuple(params) if params is not None else None, self.connection)
        if found is None:
            self.description, self.rows = None, []
        else:
            self.description = [(c,) for c in found[0]]
            self.rows = found[1]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


@contextmanager
def redshift_world(
    root: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeRedshift | None = None
) -> Iterator[FakeRedshift]:
    """moto (in-process) with the fixture bucket and the COPY role, SPARKIFY_* set for Redshift, and
    the driver replaced by `fake`: the real CLI runs against it."""
    from moto import mock_aws

    fake_aws(monkeypatch, root)
    fake = fake or FakeRedshift(tables=["songplays", "users"])
    with mock_aws():
        make_role()
        make_bucket()
        upload(write_fixture(root / "source"))
        monkeypatch.setenv("SPARKIFY_WAREHOUSE", "redshift")
        monkeypatch.setenv("SPARKIFY_SOURCE", SOURCE)
        monkeypatch.setenv("SPARKIFY_REDSHIFT_HOST", "redshift.invalid")
        monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", PASSWORD)
        fake.install(monkeypatch)
        try:
            yield fake
        finally:
            fake.close()
