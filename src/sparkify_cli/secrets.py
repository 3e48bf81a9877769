"""The Redshift password: SPARKIFY_REDSHIFT_PASSWORD (environment, then .env), else the OS keyring.

The keyring is the only place sparkify itself stores a secret; nothing here ever prints one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from sparkify_cli.errors import ConfigError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from sparkify_cli.settings import Settings

SERVICE = "sparkify-redshift"
NO_BACKEND_HINT = "set SPARKIFY_REDSHIFT_PASSWORD in the environment (or in .env) instead"


def keyring_user(settings: Settings) -> str:
    """One keyring entry per cluster and user, so several clusters can coexist."""
    return f"{settings.cluster_identifier}/{settings.redshift_user}"


def keyring_backend() -> KeyringBackend:
    """The OS keyring a password would be stored in. ConfigError when there is none that keeps one:
    keyring's fail backend (none found) and its null backend (`keyring --disable`, or
    PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring) would lose it, one loudly, one silently."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ModuleNotFoundError as exc:  # keyring comes with the [redshift] extra
        from sparkify_cli import extras

        found = extras.missing(exc)
        if found is None:
            raise
        raise found from None

    backend = keyring.get_keyring()
    chained = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    if not [b for b in chained if not isinstance(b, fail.Keyring | null.Keyring)]:
        raise ConfigError("no OS keyring is available on this machine", hint=NO_BACKEND_HINT)
    return backend


def store_password(settings: Settings, password: str, backend: KeyringBackend | None = None) -> str:
    """Put the password in the OS keyring (`backend`, default: keyring_backend()); returns the
    backend's name for the user."""
    if not password:
        raise ConfigError("the password is empty")
    backend = backend or keyring_backend()
    try:
        backend.set_password(SERVICE, keyring_user(settings), password)
    except Exception as exc:  # backends raise their own types (dbus, secretstorage, ...): all mean "no keyring"
        raise ConfigError(f"the OS keyring refused the password ({type(exc).__name__})", hint=NO_BACKEND_HINT) from None
    return type(backend).__name__


def lookup_password(settings: Settings) -> SecretStr | None:
    """The environment or .env value first, then the keyring; None when neither has one."""
    if settings.redshift_password is not None and settings.redshift_password.get_secret_value():
        return settings.redshift_password
    try:
        value = keyring_backend().get_password(SERVICE, keyring_user(settings))
    except Exception:  # no or broken keyring: the keyring is only a fallback here
        return None
    return SecretStr(value) if value else None


def require_password(settings: Settings) -> SecretStr:
    found = lookup_password(settings)
    if found is None:
        raise ConfigError(
            f"no Redshift password for {settings.redshift_user}",
            hint="set SPARKIFY_REDSHIFT_PASSWORD or run `sparkify config set-password`",
        )
    return found
