"""Shared fixtures: an isolated working folder and environment, the real sample, the warehouses."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.cli import Result, invoke
from support.data import REAL_DATA


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads the developer's .env or SPARKIFY_* variables; each gets its own warehouse file."""
    for key in list(os.environ):
        if key.startswith("SPARKIFY_") and key != "SPARKIFY_TEST_REAL_DATA":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPARKIFY_DUCKDB_PATH", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("SPARKIFY_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "log_data").is_dir():
        pytest.skip("real Sparkify data (../shared/data/sparkify) is not present")
    return REAL_DATA


@pytest.fixture
def cli() -> Callable[..., Result]:
    return invoke
