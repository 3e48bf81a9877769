"""The real redshift-connector, connected by sparkify to a server on 127.0.0.1 that speaks just enough
of Redshift's wire protocol (TLS, start-up, the extended query messages) and stays silent before
answering a statement -- as Redshift does while a LOCK waits behind another run.

redshift-connector's `timeout` is the socket's timeout for the connection's whole life (core.py
calls settimeout once, before connecting): the statement below, silent for longer than
SPARKIFY_REDSHIFT_CONNECT_TIMEOUT, must still complete.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    """One client at a time; it answers every statement after SILENCE_S seconds of silence."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.statements: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            raw, _ = self.listener.accept()
        except OSError:
            return
        with raw:
            length, code = struct.unpack("!ii", self._exactly(raw, 8))
            assert (length, code) == (8, 80877103)  # SSLRequest
            raw.sendall(b"S")
            with self.tls.wrap_socket(raw, server_side=True) as conn:
                (length,) = struct.unpack("!i", self._exactly(conn, 4))
                self._exactly(conn, length - 4)  # start-up parameters
                conn.sendall(_message(b"R", struct.pack("!i", 0)) + _message(b"Z", b"I"))
                self._answer(conn)

    def _answer(self, conn: ssl.SSLSocket) -> None:
        while True:
            head = self._exactly(conn, 5)
            if not head:
                return
            kind, length = head[:1], struct.unpack("!i", head[1:])[0]
            body = self._exactly(conn, length - 4)
            if kind == b"P":  # Parse: name, query, parameter types
                self.statements.append(body.split(b"\x00")[1].decode())
                conn.sendall(_message(b"1"))
            elif kind == b"D":
                conn.sendall(_message(b"t", struct.pack("!h", 0)) + _message(b"n"))
            elif kind == b"B":
                conn.sendall(_message(b"2"))
            elif kind == b"E":
                time.sleep(SILENCE_S)  # a LOCK waiting behind another run says nothing meanwhile
                conn.sendall(_message(b"C", b"LOCK TABLE\x00"))
            elif kind == b"S":
                conn.sendall(_message(b"Z", b"I"))
            elif kind == b"C":
                conn.sendall(_message(b"3"))
            elif kind == b"X":
                return

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
        self.thread.join(timeout=SILENCE_S + 5)


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
    assert server.statements == ['LOCK songs."songplays"']
