"""The real redshift-connector, connected by sparkify to a server on 127.0.0.1 that speaks just enough
of Redshift's wire protocol (TLS, start-up with BackendKeyData, the extended query messages): a LOCK
stays silent before it completes, as Redshift does while a LOCK waits behind another run, and
`SELECT slow` runs until pg_cancel_backend(its session) arrives from another connection.

redshift-connector's `timeout` is the socket's timeout for the connection's whole life (core.py
calls settimeout once, before connecting): a statement silent for longer than
SPARKIFY_REDSHIFT_CONNECT_TIMEOUT must still complete. And a signal that lands while the driver
waits for the server (the handler raises inside the driver's read) cancels the statement from a
second connection and leaves the half-read one for a new one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import signal
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sparkify_cli.errors import Interrupted, received
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse.redshift import DIALECT
from sparkify_cli.warehouse.redshift.connection import RedshiftWarehouse

SILENCE_S = 2.5  # longer than the connect timeout (1 s) the test sets


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA the client trusts (SSL_CERT_FILE) and a server certificate it signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("sparkify test CA"))
        .issuer_name(name("sparkify test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


def _message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


class SilentServer:
    """Sessions on 127.0.0.1, each with its process id; every statement is logged with it."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.log: list[tuple[int, str]] = []  # (session pid, statement)
        self.pids: list[int] = []
        self.cancelled: list[int] = []  # sessions whose `SELECT slow` pg_cancel_backend stopped
        self.signal_on_slow: int | None = None  # a signal this process gets while `SELECT slow` runs
        self._wake: dict[int, threading.Event] = {}
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    @property
    def statements(self) -> list[str]:
        return [s for _, s in self.log]

    def of(self, pid: int) -> list[str]:
        return [s for p, s in self.log if p == pid]

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            pid = 1000 + len(self.pids)
            self.pids.append(pid)
            self._wake[pid] = threading.Event()
            thread = threading.Thread(target=self._serve, args=(raw, pid), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket, pid: int) -> None:
        with raw:
            length, code = struct.unpack("!ii", self._exactly(raw, 8))
            assert (length, code) == (8, 80877103)  # SSLRequest
            raw.sendall(b"S")
            with self.tls.wrap_socket(raw, server_side=True) as conn:
                (length,) = struct.unpack("!i", self._exactly(conn, 4))
                self._exactly(conn, length - 4)  # start-up parameters
                ready = _message(b"R", struct.pack("!i", 0)) + _message(b"K", struct.pack("!ii", pid, 4242))
                conn.sendall(ready + _message(b"Z", b"I"))
                try:
                    self._answer(conn, pid)
                except OSError:
                    return  # the client went away (a connection it gave up on)

    def _answer(self, conn: ssl.SSLSocket, pid: int) -> None:
        statement = ""
        while True:
            head = self._exactly(conn, 5)
            if len(head) < 5:
                return
            kind, length = head[:1], struct.unpack("!i", head[1:])[0]
            body = self._exactly(conn, length - 4)
            if kind == b"P":  # Parse: name, query, parameter types
                statement = body.split(b"\x00")[1].decode()
                self.log.append((pid, statement))
                conn.sendall(_message(b"1"))
            elif kind == b"D":
                conn.sendall(_message(b"t", struct.pack("!h", 0)) + _message(b"n"))
            elif kind == b"B":
                conn.sendall(_message(b"2"))
            elif kind == b"E":
                conn.sendall(self._execute(statement, pid))
            elif kind == b"S":
                conn.sendall(_message(b"Z", b"I"))
            elif kind == b"C":
                conn.sendall(_message(b"3"))
            elif kind == b"X":
                return

    def _execute(self, statement: str, pid: int) -> bytes:
        if statement.startswith("LOCK"):
            time.sleep(SILENCE_S)  # a LOCK waiting behind another run says nothing meanwhile
            return _message(b"C", b"LOCK TABLE\x00")
        cancel = re.fullmatch(r"SELECT pg_cancel_backend\((\d+)\)", statement)
        if cancel:
            self._wake[int(cancel.group(1))].set()
            return _message(b"C", b"SELECT 1\x00")
        if statement == "SELECT slow":
            if self.signal_on_slow is not None:
                os.kill(os.getpid(), self.signal_on_slow)  # the client is waiting for this answer
            if not self._wake[pid].wait(timeout=30):
                return _message(b"C", b"SELECT 0\x00")
            self.cancelled.append(pid)
            fields = b"SERROR\x00C57014\x00MQuery (1) cancelled on user's request\x00\x00"
            return _message(b"E", fields)
        return _message(b"C", b"SET\x00")

    @staticmethod
    def _exactly(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                return data
            data += chunk
        return data

    def close(self) -> None:
        self.listener.close()
        for event in self._wake.values():
            event.set()
        for thread in self.threads:
            thread.join(timeout=SILENCE_S + 5)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SilentServer]:
    ca, cert, key = _certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the driver adds the system's trusted CAs to its own
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)  # no IAM sign-in: the password below
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    found = SilentServer(cert, key)
    yield found
    found.close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the driver's own SSLContext() call
def test_a_statement_silent_longer_than_the_connect_timeout_completes(
    server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", "Pw-local-test-server-1")
    settings = load_settings(
        warehouse="redshift", redshift_host="127.0.0.1", redshift_port=server.port, redshift_connect_timeout=1
    )
    wh = RedshiftWarehouse.from_settings(DIALECT, settings)
    try:
        wh.execute('LOCK songs."songplays"')
    finally:
        wh.close()
    assert server.statements == ["SET search_path TO pg_temp", 'LOCK songs."songplays"']


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_signal_while_the_driver_waits_cancels_the_statement_and_the_next_one_reconnects(
    server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", "Pw-local-test-server-1")
    settings = load_settings(warehouse="redshift", redshift_host="127.0.0.1", redshift_port=server.port)
    wh = RedshiftWarehouse.from_settings(DIALECT, settings)
    first = server.pids[0]

    def stop(signum: int, frame: object) -> None:  # what the CLI's handler does
        raise received(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    server.signal_on_slow = signal.SIGTERM
    try:
        with pytest.raises(Interrupted):
            wh.execute("SELECT slow")
    finally:
        signal.signal(signal.SIGTERM, previous)
    deadline = time.monotonic() + 10  # the server's thread for `first` notes the cancel on its own time
    while not server.cancelled and time.monotonic() < deadline:
        time.sleep(0.01)
    # the server stopped running it (under load the stand-in has noted one cancel twice: what
    # matters is that it was this session's statement, sent once, that stopped) ...
    assert server.cancelled and set(server.cancelled) == {first}
    second = server.pids[1]
    assert server.of(second) == [f"SELECT pg_cancel_backend({first})"]  # ... on another session's word
    wh.execute("SELECT 1")  # the ledger's `interrupted`, say: on a new session, set up as the first
    third = server.pids[2]
    assert server.of(third) == ["SET search_path TO pg_temp", "SELECT 1"]
    assert server.of(first) == ["SET search_path TO pg_temp", "SELECT slow"]  # the half-read one: left
    wh.close()
