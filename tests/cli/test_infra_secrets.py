"""The Redshift password: environment first, then the OS keyring; `sparkify config set-password`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from typer.testing import CliRunner

from sparkify_cli import secrets
from sparkify_cli.cli.app import app
from sparkify_cli.errors import ConfigError
from sparkify_cli.settings import load_settings
from support.terminal import terminal  # noqa: F401  (fixture)

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


@pytest.fixture(params=[fail.Keyring, null.Keyring])  # none found; disabled (`keyring --disable`)
def no_keyring(request: pytest.FixtureRequest) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(request.param())
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


@pytest.mark.usefixtures("terminal")
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


@pytest.mark.usefixtures("no_keyring", "terminal")
def test_no_keyring_is_said_before_the_password_is_asked_for() -> None:
    code, output = sparkify("config", "set-password", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 2
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert "no OS keyring" in line and "SPARKIFY_REDSHIFT_PASSWORD" in line
    assert "password for" not in output.lower()  # never prompted


@pytest.mark.usefixtures("memory_keyring")
def test_without_a_terminal_it_asks_for_stdin_in_one_line(memory_keyring: MemoryKeyring) -> None:
    code, output = sparkify("config", "set-password", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 2
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert "no terminal" in line and "--stdin" in line
    assert memory_keyring.entries == {}


def test_without_a_terminal_the_real_command_says_so_without_python_warnings(tmp_path: Path) -> None:
    """The installed command, no terminal at all (as under cron): getpass would warn and echo."""
    (tmp_path / "memory_keyring.py").write_text(
        "from keyring.backend import KeyringBackend\n"
        "class Keyring(KeyringBackend):\n"
        "    priority = 1\n"
        "    def get_password(self, service, username): return None\n"
        "    def set_password(self, service, username, password): raise AssertionError('stored')\n"
        "    def delete_password(self, service, username): pass\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SPARKIFY_")},
        "PYTHONPATH": str(tmp_path),
        "PYTHON_KEYRING_BACKEND": "memory_keyring.Keyring",
    }
    done = subprocess.run(
        [sys.executable, "-m", "sparkify_cli", "config", "set-password"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,  # no controlling terminal either
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.strip()]
    assert line.startswith("error:") and "--stdin" in line
    assert "Warning" not in done.stderr and done.stdout == ""


@pytest.mark.usefixtures("no_keyring")
def test_without_any_password_the_error_says_where_to_put_one() -> None:
    assert secrets.lookup_password(load_settings()) is None
    with pytest.raises(ConfigError, match="SPARKIFY_REDSHIFT_PASSWORD"):
        secrets.require_password(load_settings())


@pytest.mark.usefixtures("memory_keyring")
def test_an_empty_password_is_refused() -> None:
    code, output = sparkify("config", "set-password", "--stdin", input="\n")
    assert code == 2 and "empty" in output
