"""The Redshift password: environment first, then the OS keyring; `sparkify config set-password`."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from typer.testing import CliRunner

from sparkify_cli import secrets
from sparkify_cli.cli.app import app
from sparkify_cli.errors import ConfigError
from sparkify_cli.settings import load_settings

PASSWORD = "Kr-9f2c-never-echoed"


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def sparkify(*args: str, input: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    output = result.stdout + result.stderr
    assert PASSWORD not in output
    return result.exit_code, output


def test_set_password_from_stdin_goes_to_the_keyring_and_is_never_printed(memory_keyring: MemoryKeyring) -> None:
    code, output = sparkify("config", "set-password", "--stdin", input=PASSWORD + "\n")
    assert code == 0, output
    assert "stored" in output and "MemoryKeyring" in output
    assert memory_keyring.entries == {("sparkify-redshift", "sparkify/sparkify_admin"): PASSWORD}
    found = secrets.lookup_password(load_settings())
    assert found is not None and found.get_secret_value() == PASSWORD
    assert PASSWORD not in repr(found)


def test_set_password_prompts_hidden_twice(memory_keyring: MemoryKeyring) -> None:
    code, output = sparkify("config", "set-password", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, output
    assert list(memory_keyring.entries.values()) == [PASSWORD]


def test_the_environment_wins_over_the_keyring(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    memory_keyring.set_password("sparkify-redshift", "sparkify/sparkify_admin", "from-keyring")
    monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", "from-env")
    assert secrets.require_password(load_settings()).get_secret_value() == "from-env"


@pytest.mark.usefixtures("no_keyring")
def test_no_keyring_backend_is_a_clear_one_line_error_pointing_to_the_environment() -> None:
    code, output = sparkify("config", "set-password", "--stdin", input=PASSWORD + "\n")
    assert code == 2
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert "no OS keyring" in line and "SPARKIFY_REDSHIFT_PASSWORD" in line


@pytest.mark.usefixtures("no_keyring")
def test_without_any_password_the_error_says_where_to_put_one() -> None:
    assert secrets.lookup_password(load_settings()) is None
    with pytest.raises(ConfigError, match="SPARKIFY_REDSHIFT_PASSWORD"):
        secrets.require_password(load_settings())


@pytest.mark.usefixtures("memory_keyring")
def test_an_empty_password_is_refused() -> None:
    code, output = sparkify("config", "set-password", "--stdin", input="\n")
    assert code == 2 and "empty" in output
