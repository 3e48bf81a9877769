"""Source paths as DuckDB must be given them: names it reads as exactly that file.

DuckDB takes every path it reads as a glob pattern (`*`, `?`, `[...]`, and `\\` separates folders
in a pattern) and has no escape for them; a pattern matching nothing falls back to the literal name.
So `2018-11-0[1]-events.json` would read `2018-11-01-events.json`, and a folder `sparkify[1]` the
files of `sparkify1` next to it. A path without those characters is read as itself; any other file
is given to DuckDB as a plainly named symbolic link to it, or, where links cannot be made (a dry
run's script must replay on its own), left for Python to read.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sparkify_cli.errors import SourceError

# `{` and `}` are not patterns to DuckDB 2.0, but brace expansion is a common glob extension.
_SPECIAL = re.compile(r"[*?\[\]{}\\]")


def plain(path: str) -> bool:
    """Does DuckDB read this path as exactly this file? (Absolute: a relative one is also looked
    for along DuckDB's file_search_path.)"""
    return path.startswith("/") and _SPECIAL.search(path) is None


def check_utf8(paths: list[str]) -> None:
    """A file name that is not UTF-8 (Python holds its bytes as surrogates) cannot be a source_file,
    nor be given to DuckDB: say so rather than fail on the first statement that carries it."""
    for path in paths:
        if path.isascii():
            continue
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(path).decode("utf-8", "backslashreplace")
            raise SourceError(f"{shown}: the file name is not UTF-8", hint="rename the file") from None


@contextmanager
def duckdb_names(paths: list[str], *, may_link: bool) -> Iterator[tuple[dict[str, str], list[str]]]:
    """({name DuckDB reads: the real path}, [paths only Python can read]), valid inside the block."""
    names = {path: path for path in paths if plain(path)}
    odd = [path for path in paths if path not in names]
    if not odd or not may_link or not plain(os.path.join(tempfile.gettempdir(), "x")):
        yield names, odd
        return
    careful: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sparkify-") as folder:
        for number, path in enumerate(odd):
            link = os.path.join(folder, f"{number}.json")
            try:
                os.symlink(os.path.abspath(path), link)
            except OSError:  # e.g. a file system without symbolic links
                careful.append(path)
                continue
            names[link] = path
        yield names, careful
