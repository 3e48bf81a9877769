"""load: staging -> star schema, one transaction per batch of log files."""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkify_cli.dates import Days
from sparkify_cli.errors import SourceError
from sparkify_cli.progress import OnProgress, silent
from sparkify_cli.sources import LocalSource
from sparkify_cli.warehouse import Warehouse

STEPS = ("songs", "artists", "songplays", "time", "users")


@dataclass
class LoadResult:
    days: Days
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table -> row count after the load


def staged_log_files(wh: Warehouse, source: LocalSource | None, days: Days) -> list[str]:
    """The staged log files a load covers: every staged one, or those of the chosen days."""
    _, rows = wh.query(f"SELECT source_file FROM {wh.schema}.staged_files WHERE kind = 'event' ORDER BY source_file")
    staged = [r[0] for r in rows]
    if days.everything:
        return staged
    assert source is not None
    wanted = {source.log_key(d): d for d in days.days or ()}
    found = [key for key in staged if key in wanted]
    missing = [wanted[k].isoformat() for k in wanted if k not in set(found)]
    if missing and len(wanted) == 1:
        raise SourceError(f"{missing[0]} is not staged", hint=f"run `sparkify stage --date {missing[0]}` first")
    return found


def load(
    wh: Warehouse,
    source: LocalSource | None,
    days: Days,
    *,
    on_progress: OnProgress = silent,
) -> LoadResult:
    result = LoadResult(days, staged_log_files(wh, source, days))
    if not result.files and days.everything:
        raise SourceError("nothing is staged", hint="run `sparkify stage` first")
    with wh.transaction():
        wh.execute(f"DELETE FROM {wh.schema}.load_batch")
        wh.insert_rows(f"{wh.schema}.load_batch", ["source_file"], [(f,) for f in result.files])
        for done, step in enumerate(STEPS):
            on_progress("load", done, len(STEPS))
            wh.run_template(f"load/{step}.sql")
        on_progress("load", len(STEPS), len(STEPS))
    result.rows = row_counts(wh)
    return result


def row_counts(wh: Warehouse) -> dict[str, int]:
    from sparkify_cli.services.schema import STAR_TABLES

    return {t: int(wh.scalar(f'SELECT count(*) FROM {wh.schema}."{t}"')) for t in STAR_TABLES}
