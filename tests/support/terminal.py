"""A person at a terminal, for the in-process CLI: questions are asked only when standard input is a
terminal, and Typer's CliRunner gives the command a plain stream. This fixture makes that stream
say it is a terminal (stdout and stderr stay plain, so the output is the same as off a terminal)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer.testing


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    wrapper = typer.testing._NamedTextIOWrapper  # the streams CliRunner puts in place of sys.std*

    def isatty(self: typer.testing._NamedTextIOWrapper) -> bool:
        return self.name == "<stdin>"

    monkeypatch.setattr(wrapper, "isatty", isatty)
    yield
