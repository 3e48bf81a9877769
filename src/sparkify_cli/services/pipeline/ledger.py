"""The run ledger: which command ran when, on which files, with what result."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sparkify_cli import sql
from sparkify_cli.documents import Document
from sparkify_cli.errors import ChecksFailed, Interrupted, note_run
from sparkify_cli.sources import SourceFile, is_s3
from sparkify_cli.warehouse import Warehouse

# The ledger's counts: a JSON document (numbers, and seconds per phase).
Counts = Document
# runs.error is VARCHAR(1024), and Redshift counts VARCHAR lengths in bytes: room for the message
# in UTF-8 whatever its characters.
ERROR_BYTES = 1000


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


def source_of(uri: str) -> str:
    """The source as the ledger keeps it: an S3 URI as it is, a local folder as an absolute path (so
    `status` run from another folder finds it)."""
    return uri if is_s3(uri) else str(Path(uri).expanduser().resolve())


def last_source(wh: Warehouse) -> str | None:
    """The source of the newest run that read one (None: no run recorded one)."""
    found = wh.scalar(
        f"SELECT source FROM {wh.schema}.runs WHERE source IS NOT NULL ORDER BY started_at DESC {sql.limit(1)}"
    )
    return None if found is None else str(found)


@contextmanager
def record(wh: Warehouse, command: str, days: str, source: str | None = None) -> Iterator[Entry]:
    """A 'running' row now; 'ok', 'checks_failed', 'failed' (with the error) or 'interrupted'
    (SIGINT, SIGTERM) at the end. A run killed outright stays 'running': that is what happened.
    `source`: what the run reads (source_of), None for a run that reads no source (load)."""
    entry = Entry(uuid.uuid4().hex[:16], command)
    with wh.transaction():
        wh.execute(
            f"INSERT INTO {wh.schema}.runs (run_id, command, days, started_at, status, source) "
            "VALUES (?, ?, ?, ?, 'running', ?)",
            [entry.run_id, command, days, _now(), source],
        )
    try:
        yield entry
    except BaseException as exc:
        note_run(exc, entry.run_id)  # the CLI's failure document names the run
        _finish(wh, entry, _status(exc), _message(exc))
        raise
    if not entry.finished:
        _finish(wh, entry, "ok", None)


def _status(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):  # errors.Interrupted (SIGINT, SIGTERM) or a plain Ctrl-C
        return "interrupted"
    return "checks_failed" if isinstance(exc, ChecksFailed) else "failed"


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
        exc = Interrupted()
    text = str(exc).strip()
    return cut_utf8(text.splitlines()[0] if text else type(exc).__name__, ERROR_BYTES)


def cut_utf8(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, never half a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


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
        note_run(exc, run_id)
        _finish(wh, Entry(run_id, ""), _status(exc), _message(exc))
        raise


def mark(wh: Warehouse, run_id: str, status: str, error: str | None) -> None:
    """Set a finished run's status (e.g. checks_failed after its data committed)."""
    _finish(wh, Entry(run_id, ""), status, None if error is None else cut_utf8(error, ERROR_BYTES))
