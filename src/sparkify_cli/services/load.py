"""load: staging -> star schema for a batch of log files, inside the caller's transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sparkify_cli.dates import Days
from sparkify_cli.errors import SourceError
from sparkify_cli.progress import OnProgress, silent
from sparkify_cli.services.matching import EXACT, MatchRule, prepare
from sparkify_cli.sources import LocalSource
from sparkify_cli.warehouse import Warehouse

CATALOG_STEPS = ("songs", "artists")
DAY_STEPS = ("songplays", "time", "users")


def staged_log_files(wh: Warehouse, source: LocalSource | None, days: Days) -> list[str]:
    """The staged log files a load covers: every staged one, or those of the chosen days."""
    _, rows = wh.query(f"SELECT source_file FROM {wh.schema}.staged_files WHERE kind = 'event' ORDER BY source_file")
    staged = [r[0] for r in rows]
    if days.everything:
        if not staged:
            raise SourceError("nothing is staged", hint="run `sparkify stage` first")
        return staged
    assert source is not None
    wanted = {source.log_key(d): d for d in days.days or ()}
    found = [key for key in staged if key in wanted]
    missing = [wanted[k].isoformat() for k in wanted if k not in set(found)]
    if missing and len(wanted) == 1:
        raise SourceError(f"{missing[0]} is not staged", hint=f"run `sparkify stage --date {missing[0]}` first")
    return found


def catalog_pending(wh: Warehouse) -> bool:
    """Was the song catalog staged since songs/artists were last loaded from it?"""
    return bool(wh.scalar(f"SELECT count(*) FROM {wh.schema}.staged_files WHERE kind = 'song' AND loaded_at IS NULL"))


def load_files(
    wh: Warehouse,
    files: list[str],
    *,
    on_progress: OnProgress = silent,
    match: MatchRule = EXACT,
    timings: dict[str, float] | None = None,
) -> None:
    """Load the given staged log files (and the catalog, when it changed). Call inside a transaction.

    The catalog is reloaded only when it was re-staged, so a daily load costs in proportion to
    that day. Plays loaded before a catalog change keep their match until their day is reloaded.
    """
    schema = wh.schema
    steps = (CATALOG_STEPS if catalog_pending(wh) else ()) + DAY_STEPS
    wh.execute(f"DELETE FROM {schema}.load_batch")
    wh.insert_rows(f"{schema}.load_batch", ["source_file"], [(f,) for f in files])
    for done, step in enumerate(steps):
        on_progress("load", done, len(steps))
        started = time.perf_counter()
        context = prepare(wh, match) if step == "songplays" else {}  # the song-match rule (SPARKIFY_MATCH)
        wh.run_template(f"load/{step}.sql", **context)
        if timings is not None:
            timings[f"load_{step}"] = round(timings.get(f"load_{step}", 0.0) + time.perf_counter() - started, 4)
    in_batch = f"source_file IN (SELECT source_file FROM {schema}.load_batch)"
    wh.execute(
        f"UPDATE {schema}.staged_files SET loaded_at = ? "
        f"WHERE (kind = 'event' AND {in_batch}) OR (kind = 'song' AND loaded_at IS NULL)",
        [datetime.now(UTC).replace(tzinfo=None)],
    )
    on_progress("load", len(steps), len(steps))


def row_counts(wh: Warehouse) -> dict[str, int]:
    from sparkify_cli.services.schema import STAR_TABLES

    return {t: int(wh.scalar(f'SELECT count(*) FROM {wh.schema}."{t}"')) for t in STAR_TABLES}


@dataclass
class LoadResult:
    days: Days
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table -> row count after the load


def load(wh: Warehouse, source: LocalSource | None, days: Days, *, on_progress: OnProgress = silent) -> LoadResult:
    """Load every chosen staged file in one transaction (the library call; the CLI goes through
    services.pipeline, which also keeps the ledger and makes each day its own unit)."""
    result = LoadResult(days, staged_log_files(wh, source, days))
    with wh.transaction():
        load_files(wh, result.files, on_progress=on_progress)
    result.rows = row_counts(wh)
    return result
