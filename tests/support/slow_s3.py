"""Misbehaving S3 endpoints on 127.0.0.1, for the tests that a sync stops promptly.

`silent_endpoint` accepts connections and never answers. `SlowS3` is a tiny path-style S3
(ListObjectsV2 and GetObject only) whose objects either arrive at once, or (SLOW) stream 64 KiB
every 50 ms of a declared 1 GiB, for about 14 minutes, or (SILENT) never answer: a download that is
not stopped between chunks, or waited for while stuck, hangs the test."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

SLOW_SIZE = 1 << 30
TICK = 64 * 1024
SLOW, SILENT = "slow", "silent"
Body = bytes | str  # the content, or SLOW / SILENT


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """http://127.0.0.1:<port> that accepts every connection and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


class SlowS3:
    def __init__(self, bucket: str, objects: dict[str, Body]) -> None:
        """`objects`: key -> content, or SLOW / SILENT."""
        self.bucket = bucket
        self.objects = objects
        self.gets: list[str] = []  # the keys of every GetObject received, in order
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def in_flight(self) -> int:
        with self.lock:
            return sum(1 for key in self.gets if isinstance(self.objects[key], str))

    def __enter__(self) -> SlowS3:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        s3 = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                bucket, _, key = unquote(url.path).lstrip("/").partition("/")
                if bucket != s3.bucket:
                    self._send(404, b"<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>")
                elif not key:
                    self._send(200, s3._listing(parse_qs(url.query).get("prefix", [""])[0]))
                elif key not in s3.objects:
                    self._send(404, b"<Error><Code>NoSuchKey</Code><Message>no</Message></Error>")
                else:
                    with s3.lock:
                        s3.gets.append(key)
                    self._object(s3.objects[key])

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _object(self, content: Body) -> None:
                if content == SILENT:
                    s3.stopping.wait()
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content) if isinstance(content, bytes) else SLOW_SIZE))
                self.send_header("ETag", '"0123456789abcdef"')
                self.send_header("Last-Modified", formatdate(usegmt=True))
                self.end_headers()
                if isinstance(content, bytes):
                    self.wfile.write(content)
                    return
                sent = 0
                try:
                    while sent < SLOW_SIZE and not s3.stopping.wait(0.05):
                        self.wfile.write(b" " * TICK)
                        self.wfile.flush()
                        sent += TICK
                except OSError:  # the client hung up: what a stopped download does
                    self.close_connection = True

        return Handler

    def _listing(self, prefix: str) -> bytes:
        contents = "".join(
            f"<Contents><Key>{escape(key)}</Key><LastModified>2018-11-01T00:00:00.000Z</LastModified>"
            f'<ETag>"0123456789abcdef"</ETag><Size>{len(body) if isinstance(body, bytes) else SLOW_SIZE}</Size>'
            "<StorageClass>STANDARD</StorageClass></Contents>"
            for key, body in sorted(self.objects.items())
            if key.startswith(prefix)
        )
        count = sum(1 for key in self.objects if key.startswith(prefix))
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{self.bucket}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{count}</KeyCount>"
            f"<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
        ).encode()
