"""Opening a Redshift connection, and reading the driver's errors: where and as whom to connect
(the cluster's endpoint, IAM or password credentials), the session's process id, and the narrowest
sparkify error for what redshift-connector raised."""

from __future__ import annotations

import math
import struct
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sparkify_cli.errors import (
    ConfigError,
    MissingRelation,
    NotAllowed,
    SerializationConflict,
    SparkifyError,
    WarehouseError,
    WarehouseFailure,
)

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

IAM_DURATION_S = 900
# The driver's connection: redshift_connector ships no type information.
Connection = Any
LOST_HINT = "the connection to Redshift was lost; run the same command again"
READ_ONLY = "not allowed on a read-only connection (one statement that only reads)"
_GRANT_HINT = "GRANT it, or connect as a user that has it"


class Opener:
    """Opens connections to one endpoint. IAM credentials are asked for again once those in hand
    are close to their end (GetClusterCredentials: IAM_DURATION_S)."""

    def __init__(self, settings: Settings, host: str, port: int, connect: Callable[..., Connection] | None) -> None:
        self.settings, self.host, self.port = settings, host, port
        self.connect = connect
        self._user_password: tuple[str, str] | None = None
        self._fetched = 0.0

    def __call__(self) -> Connection:
        s = self.settings
        if self._user_password is None or time.monotonic() - self._fetched > IAM_DURATION_S - 120:
            self._user_password, self._fetched = credentials(s), time.monotonic()
        user, password = self._user_password
        connect = self.connect
        if connect is None:
            import redshift_connector

            connect = redshift_connector.connect
        try:
            return connect(
                host=self.host,
                port=self.port,
                database=s.redshift_database,
                user=user,
                password=password,
                ssl=True,
                sslmode="verify-ca",
                timeout=math.ceil(s.redshift_connect_timeout),  # the socket's, for now: see connection.py's note
                application_name="sparkify",
            )
        except Exception as exc:  # the driver raises its own, socket and SSL errors alike
            raise WarehouseError(
                f"cannot connect to Redshift at {self.host}:{self.port}/{s.redshift_database}: {_message(exc)}",
                hint="is the cluster available and your IP allowed? (`sparkify infra status`)",
            ) from None


def backend_pid(con: Connection) -> int | None:
    """The session's process id, from the BackendKeyData the server sent at start-up (the driver
    keeps it as it came: process id, then secret key)."""
    data = getattr(con, "_backend_key_data", None)
    if isinstance(data, bytes | bytearray) and len(data) >= 4:
        return int(struct.unpack("!i", bytes(data[:4]))[0])
    return None


def without_socket_timeout(con: Connection) -> None:
    """Lift the socket timeout redshift-connector set for connecting (its `_usock`, the socket it
    reads and writes through): from now on the server's statement_timeout bounds a statement."""
    sock = getattr(con, "_usock", None)
    if sock is not None and hasattr(sock, "settimeout"):
        sock.settimeout(None)


def error(exc: BaseException, read_only: bool = False) -> SparkifyError:
    """The narrowest error for the driver's exception; callers act on the class, never on the text."""
    text = _message(exc)
    message = f"Redshift: {text}"
    if text.startswith("1023") or "serializable isolation violation" in text.lower():
        return SerializationConflict(message, hint="another run changed the same tables; run again")
    fields = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    state = str(fields.get("C", ""))
    if state == "42P01":  # undefined_table
        return MissingRelation(message)
    if state == "25006" or (read_only and state == "42601" and "multiple commands" in text):
        # read_only_sql_transaction, or a second statement in the text (the driver prepares each)
        return NotAllowed(f"{READ_ONLY}: {message}")
    if state == "42501":  # insufficient_privilege
        return NotAllowed(message, hint=f"the Redshift user needs this privilege; {_GRANT_HINT}")
    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or (not fields and _lost(exc)):
        # connection_exception, the server shutting down, a socket that is gone
        return WarehouseFailure(message, hint=LOST_HINT)
    return WarehouseError(message)


def _lost(exc: BaseException) -> bool:
    """The driver's own errors without a server's answer: the socket closed, broke or timed out."""
    from redshift_connector.error import InterfaceError, OperationalError

    return isinstance(exc, OSError | EOFError | InterfaceError | OperationalError)


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


def cluster_endpoint(settings: Settings) -> tuple[str, int]:
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
