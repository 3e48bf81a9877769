"""S3 for warehouses that read local files: copy the objects a run needs into a local cache.

DuckDB then reads the cache like any local folder (its httpfs extension is not assumed). Objects
whose ETag and size match the last sync are not fetched again; downloads run in parallel and land
under a temporary name first, so an interrupted sync never leaves a half-written file behind. On
Ctrl-C or the first failure the pending downloads are cancelled and the running ones stop at their
next chunk (sources/downloads.py); the index then records exactly the objects that fully arrived.

The cache folder is the sync's own: every path it writes or deletes is checked to lie inside it
(links followed), whatever the keys, the index or SPARKIFY_LOG_KEY_TEMPLATE say.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sparkify_cli import aws
from sparkify_cli.errors import SourceError
from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.sources.base import SourceFile
from sparkify_cli.sources.downloads import fetch_all

if TYPE_CHECKING:
    from sparkify_cli.sources.plan import FilePlan
    from sparkify_cli.sources.s3 import S3Source

INDEX = ".sparkify-sync.json"  # key -> {"etag", "size"} of what the cache holds
WORKERS = 8


@dataclass
class SyncResult:
    root: Path
    listed: int = 0
    downloaded: int = 0
    skipped: int = 0  # unchanged since the last sync
    removed: int = 0  # gone from the bucket, so gone from the cache
    bytes_downloaded: int = 0


def fetch(source: S3Source, plan: FilePlan, *, everything: bool, on_progress: OnProgress = silent) -> SyncResult:
    """Download what `plan` reads into the cache (unchanged objects are kept), and drop from the
    cache what the bucket no longer has: the catalog when it is synced, all logs on a full run,
    and the days asked for that have no file."""
    # A template without a fixed folder ({date}.json) shares the root with song_data/: logs gone from
    # the bucket then stay in the cache (harmless: a run reads only the files its plan names).
    logs = source.layout.folder
    stale_scopes = (["song_data/"] if plan.songs else []) + ([logs] if everything and logs else [])
    stale_keys = {source.layout.key(day) for day in plan.missing_days}
    return sync(
        source, plan.songs + plan.logs, stale_scopes=stale_scopes, stale_keys=stale_keys, on_progress=on_progress
    )


def sync(
    source: S3Source,
    files: list[SourceFile],
    *,
    stale_scopes: Iterable[str] = (),
    stale_keys: Iterable[str] = (),
    workers: int = WORKERS,
    on_progress: OnProgress = silent,
) -> SyncResult:
    """Make source.cache_root hold exactly `files` (within the stale scopes) as the bucket has them."""
    root = source.cache_root
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(
            f"cannot use the cache folder {root}: {exc.strerror or exc}", hint="check SPARKIFY_CACHE_DIR"
        ) from None
    index = _read_index(root)
    result = SyncResult(root, listed=len(files))
    todo = [f for f in files if not _fresh(f, index)]
    result.skipped = len(files) - len(todo)
    result.removed = _remove_stale(root, index, {f.key for f in files}, tuple(stale_scopes), set(stale_keys))
    on_progress(Progress("download", 0, len(todo)))

    def arrived(f: SourceFile) -> None:
        index[f.key] = {"etag": f.modified, "size": f.size}
        result.downloaded += 1
        result.bytes_downloaded += f.size
        on_progress(Progress("download", result.downloaded, len(todo)))

    def get(f: SourceFile, out: BinaryIO, stopped: Callable[[], bool]) -> bool:
        return aws.download_file(source.s3, source.location.bucket, source.location.key(f.key), out, stopped)

    try:
        fetch_all(
            todo,
            get,
            place=lambda f: inside(root, f.path),
            workers=max(1, min(workers, len(todo))),
            on_arrived=arrived,
        )
    except aws.AwsCallError as exc:
        if exc.code in ("403", "AccessDenied"):
            exc.hint = exc.hint or source.access_hint
        raise
    finally:
        _write_index(root, index)  # exactly what did arrive: it is not fetched again
    return result


def inside(root: Path, path: Path) -> Path:
    """`path`, when it lies inside the cache folder `root` (resolved, links followed); else an error."""
    if root not in path.resolve().parents:
        raise SourceError(f"refusing {path}: it is outside the cache folder {root}")
    return path


def _fresh(f: SourceFile, index: dict[str, dict[str, object]]) -> bool:
    known = index.get(f.key)
    return (
        known is not None
        and known.get("etag") == f.modified
        and known.get("size") == f.size
        and f.path.is_file()
        and f.path.stat().st_size == f.size
    )


def _remove_stale(
    root: Path, index: dict[str, dict[str, object]], keep: set[str], scopes: tuple[str, ...], keys: set[str]
) -> int:
    removed = 0
    for scope in scopes:
        base = root / scope
        if not base.is_dir():
            continue
        inside(root, base)  # a scope folder that is a link out of the cache is not followed
        for path in sorted(base.rglob("*")):  # rglob does not enter linked folders
            key = path.relative_to(root).as_posix()
            if path.is_file() and key not in keep:
                keys.add(key)
    for key in keys - keep:
        path = inside(root, root / key)
        index.pop(key, None)
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def _read_index(root: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((root / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no index (or a damaged one): every file counts as changed
    return data if isinstance(data, dict) else {}


def _write_index(root: Path, index: dict[str, dict[str, object]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=INDEX, dir=root)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(index, out, sort_keys=True)
    os.replace(tmp, root / INDEX)
