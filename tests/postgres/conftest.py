"""PostgreSQL's own tests: they need the server of SPARKIFY_TEST_POSTGRES_DSN (.ci/run starts one);
skipped without it, failed without it in CI (SPARKIFY_TEST_POSTGRES_REQUIRED=1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.harness import Harness, open_harness


@pytest.fixture
def postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """A fresh database on the test server, the one plain invoke() calls reach."""
    opened = open_harness("postgres", tmp_path / "postgres", monkeypatch)
    try:
        yield opened
    finally:
        opened.close()
