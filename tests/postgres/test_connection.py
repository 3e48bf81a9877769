"""Connecting by libpq's own conventions: SPARKIFY_POSTGRES_DSN, or PGHOST/PGPORT/PGDATABASE/PGUSER
with PGPASSWORD or a password file; TLS as sslmode says (prefer: whenever the server offers it); the
password never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from support.cli import invoke, query
from support.data import generated
from support.harness import POSTGRES_TLS, Harness

SECRET = "not-the-password-7f3a9c"


def dsn_of(harness: Harness, **changes: str) -> str:
    return make_conninfo(harness.env()["SPARKIFY_POSTGRES_DSN"], **changes)


def libpq_env(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The test database as PG* variables only (no SPARKIFY_POSTGRES_DSN)."""
    params = conninfo_to_dict(harness.env()["SPARKIFY_POSTGRES_DSN"])
    monkeypatch.delenv("SPARKIFY_POSTGRES_DSN")
    for key, name in (("host", "PGHOST"), ("port", "PGPORT"), ("dbname", "PGDATABASE"), ("user", "PGUSER")):
        if params.get(key):
            monkeypatch.setenv(name, str(params[key]))
    return {k: str(v) for k, v in params.items()}


def test_libpq_environment_and_pgpassword(postgres: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = libpq_env(postgres, monkeypatch)
    monkeypatch.setenv("PGPASSWORD", params.get("password", ""))
    src, _ = generated(tmp_path / "src", days=1)
    result = invoke("run", "--warehouse", "postgres", "--source", str(src))
    assert result.exit_code == 0, result.stderr
    assert query("SELECT current_database() AS db")[0]["db"] == params["dbname"]


def test_password_file(postgres: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = libpq_env(postgres, monkeypatch)
    if not params.get("password"):
        pytest.skip("the test server takes no password")
    passfile = tmp_path / "pgpass"
    passfile.write_text(
        f"{params.get('host', '*')}:{params.get('port', '*')}:*:{params['user']}:{params['password']}\n"
    )
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    result = invoke("schema", "create", "--warehouse", "postgres")
    assert result.exit_code == 0, result.stderr
    assert f"{params['user']}@" in result.stdout + result.stderr


@pytest.mark.parametrize("how", ["dsn", "PGPASSWORD"])
def test_a_wrong_password_is_never_printed(postgres: Harness, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "dsn":
        monkeypatch.setenv("SPARKIFY_POSTGRES_DSN", dsn_of(postgres, password=SECRET))
    else:
        params = libpq_env(postgres, monkeypatch)
        monkeypatch.setenv("PGPASSWORD", SECRET)
        if params.get("password") is None:
            pytest.skip("the test server takes no password")
    for command in (["run", "--source", "."], ["status"], ["query", "SELECT 1"], ["schema", "create"]):
        result = invoke(*command)
        assert result.exit_code == 4, (command, result.stderr)
        assert "cannot connect to PostgreSQL" in result.stderr
        assert SECRET not in result.stdout + result.stderr
    assert SECRET not in invoke("config", "show").stdout


def test_a_malformed_dsn_is_a_settings_error_that_does_not_echo_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_POSTGRES_DSN", f"host=127.0.0.1 password={SECRET} port")
    result = invoke("status", "--warehouse", "postgres")
    assert result.exit_code == 2
    assert "SPARKIFY_POSTGRES_DSN" in result.stderr and SECRET not in result.stderr


def test_tls_whenever_the_server_offers_it(postgres: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    if not POSTGRES_TLS:
        pytest.skip("the test server offers no TLS (.ci/run turns it on where openssl is installed)")
    assert invoke("schema", "create").exit_code == 0
    tls = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    assert query(tls) == [{"ssl": True}]  # libpq's default sslmode, prefer
    monkeypatch.setenv("SPARKIFY_POSTGRES_DSN", dsn_of(postgres, sslmode="disable"))
    assert query(tls) == [{"ssl": False}]


def test_sslmode_from_the_dsn_is_obeyed(postgres: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify-full with no CA to verify against: refused, not quietly connected."""
    monkeypatch.setenv("SPARKIFY_POSTGRES_DSN", dsn_of(postgres, sslmode="verify-full", sslrootcert="/nonexistent"))
    result = invoke("query", "SELECT 1")
    assert result.exit_code == 4
    assert "cannot connect to PostgreSQL" in result.stderr
