"""load: staging -> star schema for a batch of log files, inside the caller's transaction."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.services.pipeline.matching import EXACT, MatchRule, prepare
from sparkify_cli.services.pipeline.tables import STAR_TABLES
from sparkify_cli.warehouse import Warehouse

# A changed catalog reloads songs and artists and matches every loaded play again (rematch).
CATALOG_STEPS = ("songs", "artists", "rematch")
DAY_STEPS = ("songplays", "time", "users")


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
    catalog: bool = False,
) -> None:
    """Load the given staged log files (and the catalog, when it changed). Call inside a transaction.

    The catalog is reloaded only when it was re-staged (or `catalog`), so a daily load costs in
    proportion to that day; a reloaded catalog matches every loaded play again.
    """
    schema = wh.schema
    steps = (CATALOG_STEPS if catalog or catalog_pending(wh) else ()) + DAY_STEPS
    wh.execute(f"DELETE FROM {schema}.load_batch")
    wh.insert_rows(f"{schema}.load_batch", ["source_file"], [(f,) for f in files])
    for done, step in enumerate(steps):
        on_progress(Progress("load", done, len(steps)))
        started = time.perf_counter()
        # the song-match rule (SPARKIFY_MATCH): the batch's plays, or every loaded play after a catalog change
        context = prepare(wh, match, batch_only=step == "songplays") if step in ("songplays", "rematch") else {}
        wh.run_template(f"load/{step}.sql", **context)
        if timings is not None:
            timings[f"load_{step}"] = round(timings.get(f"load_{step}", 0.0) + time.perf_counter() - started, 4)
    in_batch = f"source_file IN (SELECT source_file FROM {schema}.load_batch)"
    wh.execute(
        f"UPDATE {schema}.staged_files SET loaded_at = ? "
        f"WHERE (kind = 'event' AND {in_batch}) OR (kind = 'song' AND loaded_at IS NULL)",
        [datetime.now(UTC).replace(tzinfo=None)],
    )
    on_progress(Progress("load", len(steps), len(steps)))


def row_counts(wh: Warehouse) -> dict[str, int]:
    return {t: int(wh.scalar(f'SELECT count(*) FROM {wh.schema}."{t}"')) for t in STAR_TABLES}
