"""sparkify: JSON song metadata and listening logs into a checked star schema."""

from __future__ import annotations

import functools
from pathlib import Path

DISTRIBUTION = "sparkify-cli"


@functools.cache
def version() -> str:
    """pyproject.toml's version as installed (the package metadata); a source tree on sys.path that
    was never installed reads its pyproject.toml."""
    from importlib import metadata  # not at import time: it costs `sparkify --help` about 25 ms

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    import tomllib

    try:
        project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
        return str(project["project"]["version"])
    except (OSError, ValueError, KeyError):
        return "0+unknown"


def __getattr__(name: str) -> str:
    """`__version__` is read from the metadata when first asked for."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
