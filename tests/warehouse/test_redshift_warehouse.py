"""RedshiftWarehouse without a cluster: the connection it asks for (found through moto), and its
transaction discipline (LOCK first, replay on error 1023) against a scripted stand-in for the
driver's connection. The real-cluster suite is tests/redshift/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from sparkify_cli.errors import (
    ConfigError,
    NotAllowed,
    SerializationConflict,
    SparkifyError,
    WarehouseError,
    WarehouseFailure,
)
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse.redshift import DIALECT
from sparkify_cli.warehouse.redshift.connection import RedshiftWarehouse
from support.s3_fixtures import FAKE_SECRET_KEY, REGION, fake_aws

PASSWORD = "Pw-distinctive-never-shown-3e8"
CONFLICT = {"S": "ERROR", "C": "XX000", "M": "1023", "D": "Serializable isolation violation on table - 1256109"}


class ProgrammingError(Exception):
    """What redshift-connector raises for a server error: the protocol's fields as a dict."""


class Driver:
    """A stand-in for a redshift_connector connection: logs statements, answers a few reads, and
    raises the errors a test scripts (statement prefix -> error, each used once)."""

    def __init__(self, tables: list[str] | None = None, reads: dict[str, list[list[Any]]] | None = None) -> None:
        self.log: list[str] = []
        self.autocommit = False
        self.tables = tables if tables is not None else ["songplays", "users"]
        self.reads = reads or {}
        self.errors: list[tuple[str, dict[str, str]]] = []
        self.closed = False

    def cursor(self) -> Cursor:
        return Cursor(self)

    def close(self) -> None:
        self.closed = True


class Cursor:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.paramstyle = "format"
        self.description: list[tuple[str]] | None = None
        self.rows: list[list[Any]] = []

    def execute(self, statement: str, params: Any = None) -> None:
        assert self.paramstyle == "qmark" and self.driver.autocommit
        self.driver.log.append(statement if not params else f"{statement} {list(params)}")
        for i, (prefix, error) in enumerate(self.driver.errors):
            if statement.startswith(prefix):
                del self.driver.errors[i]
                raise ProgrammingError(error)
        if statement.startswith("SELECT tablename FROM pg_tables"):
            self.description, self.rows = [("tablename",)], [[t] for t in self.driver.tables]
        elif statement in self.driver.reads:
            self.description, self.rows = [("n",)], self.driver.reads[statement].pop(0)
        else:
            self.description, self.rows = None, []

    def fetchall(self) -> list[list[Any]]:
        return self.rows


def warehouse(driver: Driver) -> tuple[RedshiftWarehouse, list[float]]:
    slept: list[float] = []
    return RedshiftWarehouse(DIALECT, driver, "songs", sleep=slept.append), slept


def test_transactions_are_explicit_and_lock_every_table_first() -> None:
    driver = Driver(tables=["users", "songplays"])
    wh, _ = warehouse(driver)
    with wh.transaction():
        wh.execute("DELETE FROM songs.users WHERE user_id = ?", ["7"])
    assert driver.log == [
        "SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY 1 ['songs']",
        "BEGIN",
        'LOCK songs."songplays", songs."users"',
        "DELETE FROM songs.users WHERE user_id = ? ['7']",
        "COMMIT",
    ]


def test_before_schema_create_there_is_nothing_to_lock() -> None:
    driver = Driver(tables=[])
    wh, _ = warehouse(driver)
    with wh.transaction():
        wh.execute("CREATE SCHEMA IF NOT EXISTS songs")
    assert [s for s in driver.log if s.startswith("LOCK")] == []


def test_a_serialization_conflict_replays_the_transaction_after_a_backoff() -> None:
    driver = Driver()
    driver.errors = [("INSERT INTO songs.users", CONFLICT)]
    wh, slept = warehouse(driver)
    with wh.transaction():
        wh.execute("DELETE FROM songs.users")
        wh.execute("INSERT INTO songs.users VALUES (?)", ["7"])
        wh.execute("INSERT INTO songs.time VALUES (1)")
    lock = 'LOCK songs."songplays", songs."users"'
    body = [lock, "DELETE FROM songs.users", "INSERT INTO songs.users VALUES (?) ['7']"]
    assert driver.log[1:] == [
        "BEGIN",
        *body,
        "ROLLBACK",
        "BEGIN",
        *body,
        "INSERT INTO songs.time VALUES (1)",
        "COMMIT",
    ]
    assert len(slept) == 1 and slept[0] > 0


def test_a_conflict_at_commit_replays_then_commits() -> None:
    driver = Driver()
    driver.errors = [("COMMIT", CONFLICT)]
    wh, slept = warehouse(driver)
    with wh.transaction():
        wh.execute("DELETE FROM songs.users")
    assert driver.log[1:] == [
        "BEGIN",
        'LOCK songs."songplays", songs."users"',
        "DELETE FROM songs.users",
        "COMMIT",
        "ROLLBACK",
        "BEGIN",
        'LOCK songs."songplays", songs."users"',
        "DELETE FROM songs.users",
        "COMMIT",
    ]


def test_a_replay_whose_reads_differ_is_not_trusted() -> None:
    count = "SELECT count(*) FROM songs.users"
    driver = Driver(reads={count: [[[5]], [[6]]]})
    driver.errors = [("DELETE", CONFLICT)]
    wh, _ = warehouse(driver)
    with pytest.raises(WarehouseError, match="another run changed the data this transaction read"):
        with wh.transaction():
            assert wh.scalar(count) == 5
            wh.execute("DELETE FROM songs.users")
    assert driver.log[-1] == "ROLLBACK"


def test_conflicts_that_persist_give_up_after_the_retries() -> None:
    driver = Driver()
    driver.errors = [("DELETE", CONFLICT)] * 10
    wh, slept = warehouse(driver)
    with pytest.raises(SerializationConflict, match="1023 Serializable isolation violation"):
        with wh.transaction():
            wh.execute("DELETE FROM songs.users")
    assert len(slept) == wh.retries and slept == sorted(slept)  # backoff grows (jitter stays within each step)


def test_server_errors_become_one_line_warehouse_errors() -> None:
    driver = Driver()
    driver.errors = [("SELECT", {"S": "ERROR", "C": "42P01", "M": 'relation "songs.nope" does not exist'})]
    wh, _ = warehouse(driver)
    with pytest.raises(WarehouseError) as failed:
        wh.query("SELECT * FROM songs.nope")
    assert str(failed.value) == 'Redshift: relation "songs.nope" does not exist'
    assert not isinstance(failed.value, SerializationConflict)


# --- connecting ----------------------------------------------------------------------------------


class Connect:
    def __init__(self, fail: Exception | None = None) -> None:
        self.kwargs: dict[str, Any] = {}
        self.fail = fail

    def __call__(self, **kwargs: Any) -> Driver:
        self.kwargs = kwargs
        if self.fail:
            raise self.fail
        return Driver()


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The cluster `infra up` would make, in moto; yields its endpoint."""
    from moto import mock_aws

    fake_aws(monkeypatch, tmp_path)
    with mock_aws():
        found = boto3.client("redshift", region_name=REGION).create_cluster(
            ClusterIdentifier="sparkify",
            NodeType="ra3.large",
            MasterUsername="sparkify_admin",
            MasterUserPassword="Unused-Passw0rd",
            DBName="sparkify",
            ClusterType="multi-node",
            NumberOfNodes=2,
        )
        yield found["Cluster"]["Endpoint"]["Address"]


def test_connects_to_the_clusters_endpoint_with_iam_credentials_and_ssl(cluster: str) -> None:
    connect = Connect()
    wh = RedshiftWarehouse.from_settings(DIALECT, load_settings(warehouse="redshift"), connect=connect)
    args = connect.kwargs
    assert (args["host"], args["port"], args["database"]) == (cluster, 5439, "sparkify")
    assert args["user"] == "IAM:sparkify_admin" and len(args["password"]) >= 16  # GetClusterCredentials
    assert args["ssl"] is True and args["sslmode"] in ("verify-ca", "verify-full")
    assert wh.cur.paramstyle == "qmark" and wh.con.autocommit is True


def test_without_aws_credentials_the_password_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", PASSWORD)
    connect = Connect()
    settings = load_settings(warehouse="redshift", redshift_host="rs.example.com")
    RedshiftWarehouse.from_settings(DIALECT, settings, connect=connect)
    assert (connect.kwargs["host"], connect.kwargs["user"]) == ("rs.example.com", "sparkify_admin")
    assert connect.kwargs["password"] == PASSWORD and connect.kwargs["ssl"] is True


def test_no_password_and_no_aws_credentials_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(ConfigError, match="no Redshift password"):
        RedshiftWarehouse.from_settings(
            DIALECT, load_settings(warehouse="redshift", redshift_host="h"), connect=Connect()
        )


def test_a_missing_cluster_says_how_to_make_one(cluster: str) -> None:
    with pytest.raises(ConfigError, match="no Redshift cluster 'other'.*infra up"):
        settings = load_settings(warehouse="redshift", cluster_identifier="other")
        RedshiftWarehouse.from_settings(DIALECT, settings, connect=Connect())


def test_a_refused_connection_is_one_line_without_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", PASSWORD)
    refused = Connect(fail=OSError("[Errno 111] Connection refused"))
    settings = load_settings(warehouse="redshift", redshift_host="rs.example.com")
    expected = r"cannot connect to Redshift at rs.example.com:5439/sparkify: .*refused"
    with pytest.raises(WarehouseError, match=expected) as failed:
        RedshiftWarehouse.from_settings(DIALECT, settings, connect=refused)
    assert PASSWORD not in str(failed.value) and FAKE_SECRET_KEY not in str(failed.value)


def test_a_lock_that_fails_leaves_no_transaction_open() -> None:
    driver = Driver()
    driver.errors = [("LOCK", {"S": "ERROR", "C": "57014", "M": "canceling statement due to statement timeout"})]
    wh, _ = warehouse(driver)
    with pytest.raises(WarehouseError, match="statement timeout"):
        with wh.transaction():
            wh.execute("DELETE FROM songs.users")
    assert driver.log[-2:] == ['LOCK songs."songplays", songs."users"', "ROLLBACK"]
    wh.execute("UPDATE songs.runs SET status = 'failed'")  # the ledger's next word: on its own
    assert driver.log[-1] == "UPDATE songs.runs SET status = 'failed'"


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"S": "FATAL", "C": "57P01", "M": "terminating connection due to administrator command"}, WarehouseFailure),
        ({"S": "FATAL", "C": "08006", "M": "connection failure"}, WarehouseFailure),
        ({"S": "ERROR", "C": "42501", "M": "permission denied for relation users"}, NotAllowed),
        ({"S": "ERROR", "C": "25006", "M": "transaction is read-only"}, NotAllowed),
        ({"S": "ERROR", "C": "57014", "M": "Query (7) cancelled on user's request"}, WarehouseError),
    ],
)
def test_server_errors_are_told_apart_by_their_sqlstate(fields: dict[str, str], kind: type[Exception]) -> None:
    driver = Driver()
    driver.errors = [("SELECT", fields)]
    wh, _ = warehouse(driver)
    with pytest.raises(SparkifyError) as failed:
        wh.query("SELECT 1")
    assert type(failed.value) is kind and fields["M"] in str(failed.value)


def test_a_time_limit_that_runs_out_between_statements_stops_the_next_one() -> None:
    driver = Driver()
    wh, _ = warehouse(driver)
    with wh.time_limit(3600):
        wh.query("SELECT 1")
        assert wh.interrupt()  # what the timer does when the limit passes: no statement is running
        with pytest.raises(WarehouseError, match="the time limit ran out"):
            wh.query("SELECT 2")
    assert driver.log == ["SELECT 1"]
    wh.query("SELECT 3")  # a new limit, a new start
    assert driver.log == ["SELECT 1", "SELECT 3"]
