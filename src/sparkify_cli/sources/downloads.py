"""Parallel downloads that stop promptly: daemon worker threads over a queue of files.

Each object is written to a temporary file beside its place and renamed there once whole. On Ctrl-C
or the first failure nothing new starts and running downloads stop at their next chunk; the caller
waits for them at most GRACE seconds, so a download stuck on a silent endpoint (up to 3 x
SPARKIFY_AWS_READ_TIMEOUT) is abandoned rather than waited for — its thread is a daemon, and its
temporary file is removed here, so nothing half-written is left behind either way.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sparkify_cli.sources.base import SourceFile

GRACE = 2.0  # seconds a stopped run waits for its running downloads to reach their next chunk

# Writes one object into an open file; False when `stopped()` said so between two chunks.
Get = Callable[[SourceFile, BinaryIO, Callable[[], bool]], bool]
_Result = tuple[SourceFile, bool, BaseException | None]


def fetch_all(
    files: list[SourceFile],
    get: Get,
    *,
    place: Callable[[SourceFile], Path],
    workers: int,
    on_arrived: Callable[[SourceFile], None],
) -> None:
    """Download `files` to `place(f)`, `workers` at a time; `on_arrived` runs in this thread for each
    object that fully arrived. The first failure (or Ctrl-C) stops the rest and is raised."""
    stop = threading.Event()
    parts = _Parts()
    jobs: queue.SimpleQueue[SourceFile] = queue.SimpleQueue()
    for f in files:
        jobs.put(f)
    results: queue.SimpleQueue[_Result] = queue.SimpleQueue()

    def work() -> None:
        while not stop.is_set():
            try:
                f = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                results.put((f, _fetch_one(f, get, place(f), stop, parts), None))
            except BaseException as exc:  # reported to the caller's thread, which raises it
                results.put((f, False, exc))

    threads = [threading.Thread(target=work, name=f"sparkify-download-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for _ in files:
            f, _arrived, error = results.get()
            if error is not None:
                raise error
            on_arrived(f)
    except BaseException:
        stop.set()
        deadline = time.monotonic() + GRACE
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        while not results.empty():  # finished while stopping: still whole, still worth keeping
            f, arrived, error = results.get()
            if arrived and error is None:
                on_arrived(f)
        parts.remove_all()  # those of downloads still stuck
        raise
    for thread in threads:
        thread.join()


def _fetch_one(f: SourceFile, get: Get, path: Path, stop: threading.Event, parts: _Parts) -> bool:
    """One object to `path` through a temporary file; False when stopped first (nothing is left)."""
    if stop.is_set():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    parts.add(part)
    try:
        with os.fdopen(fd, "wb") as out:  # an open file: a swept part is never created again
            if not get(f, out, stop.is_set) or stop.is_set():
                return False
        try:
            os.replace(part, path)
        except FileNotFoundError:
            if stop.is_set():  # swept by a stopping run meanwhile
                return False
            raise
        return True
    finally:
        parts.discard(part)


class _Parts:
    """The temporary files of running downloads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[str] = set()

    def add(self, path: str) -> None:
        with self._lock:
            self._paths.add(path)

    def discard(self, path: str) -> None:
        with self._lock:
            self._paths.discard(path)
        _unlink(path)

    def remove_all(self) -> None:
        with self._lock:
            paths, self._paths = self._paths, set()
        for path in paths:
            _unlink(path)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
