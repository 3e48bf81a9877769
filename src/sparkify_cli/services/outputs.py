"""Files a user names (report --output, check --junit): never a database, always written whole.

An output must not replace the warehouse file or its write-ahead log, any other DuckDB database
(known by its header, whatever its name) or its log, a file the command reads, a folder or a device.
It is written to a temporary file beside the target and renamed over it, so a failure or Ctrl-C
leaves the old file (or none), never half a report. Missing parent folders are created.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sparkify_cli.errors import ConfigError

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

# Every DuckDB database file starts with an 8-byte checksum, then these magic bytes (its main header).
DUCKDB_MAGIC = b"DUCK"
WAL = ".wal"  # DuckDB's write-ahead log sits beside the database as <file>.wal and is replayed on open


def is_duckdb_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def _refuse(path: Path, why: str) -> ConfigError:
    return ConfigError(f"refusing to write {path}: {why}", hint="name another output file")


def check_output(path: Path, settings: Settings, *inputs: Path | None) -> Path:
    """The file `path` names (symbolic links followed); a usage error when it must not be written."""
    target = path.expanduser().resolve()
    warehouse = settings.duckdb_path.expanduser().resolve()
    if target == warehouse:
        raise _refuse(path, "it is the warehouse file (SPARKIFY_DUCKDB_PATH)")
    if target == warehouse.with_name(warehouse.name + WAL):
        raise _refuse(path, "it is the warehouse's write-ahead log")
    for read in (*inputs, settings.checks_file):
        if read is not None and target == read.expanduser().resolve():
            raise _refuse(path, "this command reads it")
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            raise _refuse(path, "it is a folder")
        if not stat.S_ISREG(mode):
            raise _refuse(path, "it is not a regular file")
        if is_duckdb_file(target):
            raise _refuse(path, "it is a DuckDB database")
    if target.name.endswith(WAL) and is_duckdb_file(target.with_name(target.name.removesuffix(WAL))):
        raise _refuse(path, "it is the write-ahead log of a DuckDB database")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise _refuse(path, f"{parent} is not a folder")
            break
    return target


@contextmanager
def replacing(path: Path, settings: Settings, *inputs: Path | None) -> Iterator[TextIO]:
    """A text file to write `path`'s new content into; it replaces `path` only when the block ends
    without an error."""
    target = check_output(path, settings, *inputs)
    # checked again before the rename: the work in the block may have taken a while
    with whole(target, path, _mode(target), lambda: check_output(path, settings, *inputs)) as handle:
        yield handle


@contextmanager
def whole(target: Path, shown: Path, mode: int, before_replace: Callable[[], object] | None = None) -> Iterator[TextIO]:
    """A temporary file beside `target` (parents made) that is renamed over it, with `mode`, only
    when the block ends without an error; otherwise removed. `shown`: the path errors name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)  # 0600
    except OSError as exc:
        raise ConfigError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(part, mode)
        if before_replace is not None:
            before_replace()
        os.replace(part, target)
    except OSError as exc:
        raise ConfigError(f"cannot write {shown}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(part):
            os.unlink(part)


def write_output(path: Path, text: str, settings: Settings, *inputs: Path | None) -> Path:
    """Write `text` to `path` whole (see replacing); the file written."""
    with replacing(path, settings, *inputs) as handle:
        handle.write(text)
    return path


def _mode(target: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual ones (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
