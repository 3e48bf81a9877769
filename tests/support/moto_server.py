"""One moto HTTP server on 127.0.0.1 for the tests that must reach AWS only via AWS_ENDPOINT_URL."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Start a fresh moto server on a free port, point AWS_ENDPOINT_URL at it, stop it after."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=5).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    try:
        yield url
    finally:
        server.stop()
