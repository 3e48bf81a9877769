"""The conformance suite: the same tests on every registered warehouse that can run here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.harness import EXECUTING, Harness, open_harness


@pytest.fixture(params=EXECUTING)
def harness(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    opened = open_harness(request.param, tmp_path, monkeypatch)
    try:
        yield opened
    finally:
        opened.close()
