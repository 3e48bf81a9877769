"""The run ledger: which command ran when, on which files, with what result."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sparkify_cli.documents import Document
from sparkify_cli.errors import ChecksFailed
from sparkify_cli.sources import SourceFile
from sparkify_cli.warehouse import Warehouse

# The ledger's counts: a JSON document (numbers, and seconds per phase).
Counts = Document


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Entry:
    run_id: str
    command: str
    counts: Counts = field(default_factory=dict)
    finished: bool = False

    @property
    def seconds(self) -> dict[str, float]:
        """Wall time per phase (prepare_events, apply_songs, load_songplays, ...): the benchmark reads it."""
        seconds: dict[str, float] = self.counts.setdefault("seconds", {})
        return seconds

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = round(self.seconds.get(phase, 0.0) + time.perf_counter() - started, 4)

    def add(self, **counts: int) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


def note_files(wh: Warehouse, entry: Entry, files: list[SourceFile], kind: str) -> None:
    """Record the files a run read; call inside the transaction that stages them."""
    wh.insert_rows(
        f"{wh.schema}.run_files",
        ["run_id", "source_file", "kind", "size_bytes", "modified"],
        [(entry.run_id, f.key, kind, f.size, f.modified) for f in files],
    )


def save_counts(wh: Warehouse, entry: Entry) -> None:
    """Keep the counts so far; call inside each data transaction so they commit with the data."""
    wh.execute(f"UPDATE {wh.schema}.runs SET counts = ? WHERE run_id = ?", [json.dumps(entry.counts), entry.run_id])


@contextmanager
def record(wh: Warehouse, command: str, days: str) -> Iterator[Entry]:
    """A 'running' row now; 'ok', 'checks_failed' or 'failed' (with the error) at the end.
    A run killed outright stays 'running' in the ledger: that is what happened."""
    entry = Entry(uuid.uuid4().hex[:16], command)
    with wh.transaction():
        wh.execute(
            f"INSERT INTO {wh.schema}.runs (run_id, command, days, started_at, status) VALUES (?, ?, ?, ?, 'running')",
            [entry.run_id, command, days, _now()],
        )
    try:
        yield entry
    except BaseException as exc:
        status = "checks_failed" if isinstance(exc, ChecksFailed) else "failed"
        _finish(wh, entry, status, str(exc).splitlines()[0][:1000] if str(exc) else type(exc).__name__)
        raise
    if not entry.finished:
        _finish(wh, entry, "ok", None)


def finish_ok(wh: Warehouse, entry: Entry) -> None:
    """Mark the run done inside its last data transaction, so data and ledger commit together."""
    _finish(wh, entry, "ok", None)
    entry.finished = True


def _finish(wh: Warehouse, entry: Entry, status: str, error: str | None) -> None:
    counts = ", counts = ?" if entry.counts else ""
    params = [_now(), status, error] + ([json.dumps(entry.counts)] if entry.counts else []) + [entry.run_id]
    try:
        wh.execute(
            f"UPDATE {wh.schema}.runs SET finished_at = ?, status = ?, error = ?{counts} WHERE run_id = ?", params
        )
    except Exception:
        if error is None:
            raise
        # Already failing: the original error is the one to report.


@contextmanager
def reopen(wh: Warehouse, run_id: str) -> Iterator[None]:
    """A later phase of a finished run (the checks of `run`): a failure there marks the run."""
    try:
        yield
    except BaseException as exc:
        status = "checks_failed" if isinstance(exc, ChecksFailed) else "failed"
        _finish(wh, Entry(run_id, ""), status, str(exc).splitlines()[0][:1000] if str(exc) else type(exc).__name__)
        raise


def mark(wh: Warehouse, run_id: str, status: str, error: str | None) -> None:
    """Set a finished run's status (e.g. checks_failed after its data committed)."""
    _finish(wh, Entry(run_id, ""), status, error)
