"""A stand-in for redshift_connector, for runs of the real CLI "on Redshift" without a cluster.

It records every (statement, params) pair the driver is asked to send, answers the few reads a run
needs, and behaves like Redshift where the tests look: a parameter bound in LIMIT or OFFSET is
refused ("Not implemented"), a COPY reads S3 (the manifest it names, or every key under a FROM
prefix), and load errors live in an stl_load_errors of its own, by session and query id, where a
COPY that fails before loading adds nothing and leaves pg_last_copy_id() where it was.
Install it with `fake.install(monkeypatch)`: the real `RedshiftWarehouse.from_settings` then
connects to it. Only the driver is replaced; every sparkify module runs as in production.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from support.s3_fixtures import REGION, SOURCE, fake_aws, make_bucket, make_role, upload, write_fixture

SESSION = 4242
PASSWORD = "Pw-fake-redshift-9f3"


class ProgrammingError(Exception):
    """What redshift-connector raises for a server error: the protocol's fields as a dict."""


def server_error(message: str, code: str = "XX000") -> ProgrammingError:
    return ProgrammingError({"S": "ERROR", "C": code, "M": message})


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
        schema_version: int | None = 3,
        stl: bool = True,
        answers: dict[str, list[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.sent: list[tuple[str, tuple[Any, ...] | None]] = []
        self.stl = stl  # False: no STL views (Redshift Serverless)
        self.answers = answers or {}  # statement prefix -> rows
        self.fail_on: list[tuple[str, str]] = []  # (statement prefix, server message), each used once
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
        return Connection(self, sock)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()

    # --- what was sent ------------------------------------------------------------------------
    @property
    def statements(self) -> list[str]:
        return [s for s, _ in self.sent]

    # --- answering ----------------------------------------------------------------------------
    def run(self, statement: str, params: tuple[Any, ...] | None) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        self.sent.append((statement, params))
        self.next_query += 1
        if params and _BOUND_LIMIT.search(statement):
            raise server_error("Not implemented", "0A000")
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        for i, (prefix, message) in enumerate(self.fail_on):
            if body.startswith(prefix):
                del self.fail_on[i]
                raise server_error(message)
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


class Connection:
    def __init__(self, fake: FakeRedshift, sock: socket.socket) -> None:
        self.fake = fake
        self._usock = sock  # redshift-connector's name for the socket it reads and writes through
        self.autocommit = False

    def cursor(self) -> Cursor:
        return Cursor(self.fake)

    def close(self) -> None:
        self._usock.close()


class Cursor:
    def __init__(self, fake: FakeRedshift) -> None:
        self.fake = fake
        self.paramstyle = "format"
        self.description: list[tuple[str]] | None = None
        self.rows: list[tuple[Any, ...]] = []

    def execute(self, statement: str, params: Any = None) -> None:
        found = self.fake.run(statement, tuple(params) if params is not None else None)
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
