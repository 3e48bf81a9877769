"""SPARKIFY_ keys that name no setting: a typo (SPARKIFY_SHEMA) would otherwise be ignored in silence."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

# Variables of sparkify's own test suite, benchmarks and CI: in the environment, never settings.
DEVELOPMENT = re.compile(r"SPARKIFY_(TEST|BENCH)_|SPARKIFY_(CI|UPDATE_GOLDEN)$")


def unknown_settings(env_file: Path | None) -> list[str]:
    """One line per SPARKIFY_ key in the environment or the env file that names no setting, with the
    closest setting (difflib) when there is one. Keys match without regard to case, as settings do."""
    from dotenv import dotenv_values

    from sparkify_cli.settings import ENV_PREFIX, Settings, env_name

    known = {env_name(field).upper() for field in Settings.model_fields}
    by_suffix = {k.removeprefix(ENV_PREFIX): k for k in known}  # compared without the prefix all share
    path = env_file or Path(".env")
    places = [("", list(os.environ)), (f" in {path}", list(dotenv_values(path)) if path.is_file() else [])]
    lines = []
    for where, keys in places:
        for key in sorted(keys):
            name = key.upper()
            if not name.startswith(ENV_PREFIX) or name in known or DEVELOPMENT.match(name):
                continue
            close = difflib.get_close_matches(name.removeprefix(ENV_PREFIX), list(by_suffix), n=1, cutoff=0.6)
            hint = f"did you mean {by_suffix[close[0]]}?" if close else "ignored"
            lines.append(f"unknown setting {key}{where} ({hint})")
    return lines
