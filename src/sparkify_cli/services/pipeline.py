"""stage / load / run over a set of days: each day (or the whole set, without dates) is one
all-or-nothing unit, recorded in the run ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sparkify_cli.dates import Days
from sparkify_cli.errors import SparkifyError
from sparkify_cli.progress import OnProgress, silent
from sparkify_cli.services import ledger
from sparkify_cli.services import load as loading
from sparkify_cli.services import stage as staging
from sparkify_cli.services.matching import EXACT, MatchRule
from sparkify_cli.services.stage import BatchResult
from sparkify_cli.sources import LocalSource, SourceFile
from sparkify_cli.warehouse import Warehouse

if TYPE_CHECKING:
    from sparkify_cli.s3source import S3Source


@dataclass
class PipelineResult:
    days: Days
    events: BatchResult = field(default_factory=BatchResult)
    songs: BatchResult = field(default_factory=BatchResult)
    songs_skipped: bool = True
    missing_days: list[date] = field(default_factory=list)
    loaded_files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # star table -> rows after the run
    run_id: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per phase


@dataclass
class Unit:
    label: str
    logs: list[SourceFile] = field(default_factory=list)  # to stage
    keys: list[str] = field(default_factory=list)  # staged files to load


def execute(
    wh: Warehouse,
    source: LocalSource | S3Source | None,
    days: Days,
    *,
    command: str,
    do_stage: bool,
    do_load: bool,
    max_errors: int = 0,
    songs: bool | None = None,
    strict: bool = False,
    on_progress: OnProgress = silent,
    match: MatchRule = EXACT,
) -> PipelineResult:
    result = PipelineResult(days)
    with ledger.record(wh, command, days.describe()) as entry:
        result.run_id = entry.run_id
        result.seconds = entry.seconds
        units, song_files = _plan(wh, source, days, result, do_stage=do_stage, songs=songs, strict=strict)
        result.songs_skipped = not song_files
        for number, unit in enumerate(units):
            on_progress(command, number, len(units))
            try:
                _run_unit(
                    wh,
                    source,
                    unit,
                    song_files if number == 0 else [],
                    result,
                    entry,
                    do_stage=do_stage,
                    do_load=do_load,
                    max_errors=max_errors,
                    on_progress=on_progress,
                    match=match,
                    last=number == len(units) - 1,
                )
            except SparkifyError as exc:
                if len(units) == 1:
                    raise
                exc.message = f"{unit.label} failed: {exc.message}"
                exc.hint = "the days before it are done; run the same command again to finish"
                raise
            on_progress(command, number + 1, len(units))
        if not units:
            result.rows = loading.row_counts(wh)
    return result


def _plan(
    wh: Warehouse,
    source: LocalSource | S3Source | None,
    days: Days,
    result: PipelineResult,
    *,
    do_stage: bool,
    songs: bool | None,
    strict: bool,
) -> tuple[list[Unit], list[SourceFile]]:
    if not do_stage:
        keys = loading.staged_log_files(wh, source, days)
        if days.everything:
            return [Unit("all days", keys=keys)], []
        return [Unit(_day_of(k), keys=[k]) for k in keys], []
    assert source is not None
    work = _staging(wh).plan(wh, source, days, songs=songs, strict=strict)
    result.missing_days = work.missing_days
    if days.everything:
        return [Unit("all days", logs=work.logs, keys=[f.key for f in work.logs])], work.songs
    units = [Unit(_day_of(f.key), logs=[f], keys=[f.key]) for f in work.logs]
    # no log file in the range, but a changed catalog: stage the catalog on its own
    return units or ([Unit("song catalog")] if work.songs else []), work.songs


def _staging(wh: Warehouse) -> Any:
    """DuckDB reads files itself; Redshift COPYs them from S3 (same functions, same Prepared fields)."""
    if wh.dialect == "redshift":
        from sparkify_cli.services import stage_redshift

        return stage_redshift
    return staging


def _prepare(wh: Warehouse, source: Any, files: list[SourceFile], kind: str, max_errors: int) -> Any:
    if wh.dialect == "redshift":
        from sparkify_cli.services import stage_redshift

        return stage_redshift.prepare(wh, source, files, kind, max_errors=max_errors)
    return staging.prepare(wh, source, files, kind)


def _day_of(key: str) -> str:
    return key.rsplit("/", 1)[-1].removesuffix(".json").removesuffix("-events")


def _run_unit(
    wh: Warehouse,
    source: LocalSource | S3Source | None,
    unit: Unit,
    song_files: list[SourceFile],
    result: PipelineResult,
    entry: ledger.Entry,
    *,
    do_stage: bool,
    do_load: bool,
    max_errors: int,
    on_progress: OnProgress,
    match: MatchRule = EXACT,
    last: bool = False,
) -> None:
    batches: list[Any] = []  # stage.Prepared or stage_redshift.Prepared
    if do_stage:
        assert source is not None
        for kind, files in (("song", song_files), ("event", unit.logs)):
            if files:
                with entry.timed(f"prepare_{kind}s"):
                    batches.append(_prepare(wh, source, files, kind, max_errors))
        _staging(wh).check_rejects(wh, batches, max_errors)
    with wh.transaction():
        for batch in batches:
            with entry.timed(f"apply_{batch.kind}s"):
                _staging(wh).apply(wh, batch)
            ledger.note_files(wh, entry, batch.files, batch.kind)
            total = getattr(result, f"{batch.kind}s")
            total.files += len(batch.files)
            total.staged += batch.staged
            total.rejected += batch.rejected
            entry.add(**{f"staged_{batch.kind}s": batch.staged, f"rejected_{batch.kind}s": batch.rejected})
        if do_load and unit.keys:
            loading.load_files(wh, unit.keys, on_progress=on_progress, match=match, timings=entry.seconds)
            result.loaded_files += unit.keys
            entry.add(files_loaded=len(unit.keys))
        if last:
            with entry.timed("count_rows"):
                result.rows = loading.row_counts(wh)
            entry.counts.update({f"rows_{table}": n for table, n in result.rows.items()})
            ledger.finish_ok(wh, entry)
        else:
            ledger.save_counts(wh, entry)
