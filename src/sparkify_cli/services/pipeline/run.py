"""stage / load / run, once for every warehouse: plan -> prepare -> check rejects -> apply -> load,
each unit (a day, or the whole set without dates) in one transaction, recorded in the run ledger.

`run_pipeline` is what the CLI calls; `stage` and `load` are thin library wrappers over the same
sequence, so every caller takes the path users take.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sparkify_cli.days import Days
from sparkify_cli.errors import SparkifyError
from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.services.pipeline import ledger, schema
from sparkify_cli.services.pipeline.load import load_files, row_counts
from sparkify_cli.services.pipeline.matching import MatchRule
from sparkify_cli.services.pipeline.plan import Plan, Unit, plan_load, plan_stage
from sparkify_cli.services.pipeline.request import RunRequest
from sparkify_cli.sources import LogLayout, Source, SourceFile, open_source
from sparkify_cli.sources.formats import EVENTS, SONGS, SourceFormat
from sparkify_cli.warehouse import Warehouse, connect
from sparkify_cli.warehouse.base import Batch, BatchResult, Stager

if TYPE_CHECKING:
    from sparkify_cli.services.checks.run import CheckReport
    from sparkify_cli.settings import Settings


@dataclass
class PipelineResult:
    days: Days
    batches: dict[str, BatchResult] = field(default_factory=lambda: {"event": BatchResult(), "song": BatchResult()})
    songs_skipped: bool = True
    missing_days: list[date] = field(default_factory=list)
    loaded_files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # star table -> rows after the run
    run_id: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per phase
    ignored: list[str] = field(default_factory=list)  # files under the log folder not named like a day
    ignored_warning: str | None = None  # the one line that says so

    @property
    def events(self) -> BatchResult:
        return self.batches["event"]

    @property
    def songs(self) -> BatchResult:
        return self.batches["song"]


@dataclass
class RunOutcome:
    result: PipelineResult
    report: CheckReport | None = None  # `run` checks what it loaded


def run_pipeline(settings: Settings, request: RunRequest, *, on_progress: OnProgress = silent) -> RunOutcome:
    """Open the warehouse (creating the schema on first use), then stage/load/run as requested;
    `run` also checks the result, and a failed check marks the run in the ledger. The checks file
    is read and rendered first: a bad one stops the run before anything runs."""
    if request.checks:
        from sparkify_cli.services.checks.run import user_checks

        user_checks(settings, None, day=_checked_day(request))
    with connect(settings) as wh:
        if not schema.exists(wh):
            schema.create(wh, match=MatchRule.from_settings(settings))  # first use, or an upgrade
        result = execute(wh, settings, request, None, on_progress=on_progress)  # execute opens the source
        if not request.checks:
            return RunOutcome(result)
        from sparkify_cli.services.checks.run import run_checks

        with ledger.reopen(wh, result.run_id):
            started = time.perf_counter()
            wh.lock_down()  # the checks run user-written SQL: no files, network or settings from here on
            report = run_checks(wh, settings, day=_checked_day(request))
            result.seconds["check"] = round(time.perf_counter() - started, 4)
            if not report.ok:
                ledger.mark(wh, result.run_id, "checks_failed", "data-quality checks failed")
        return RunOutcome(result, report)


def _checked_day(request: RunRequest) -> date | None:
    """`run --date D` checks the row-level checks of that day; a range or everything, all days."""
    days = request.days.days
    return days[0] if days and len(days) == 1 else None


def execute(
    wh: Warehouse,
    settings: Settings,
    request: RunRequest,
    source: Source | None,
    *,
    on_progress: OnProgress = silent,
) -> PipelineResult:
    """The sequence itself, on an open warehouse (a real one, or a dry run's). Without `source`, a
    step that stages opens the request's source inside the ledger, so a source that cannot be
    opened is a failed run too."""
    days = request.days
    result = PipelineResult(days)
    match = MatchRule.from_settings(settings)
    uri = request.source or settings.source
    recorded = ledger.source_of(uri) if request.stages else None
    with ledger.record(wh, request.command, days.describe(), recorded) as entry:
        if source is None and request.stages:
            source = open_source(settings, request.source, no_sign_request=request.no_sign_request)
        stager = wh.dialect.stager(wh, settings, source) if request.stages and source is not None else None
        layout = source.layout if source is not None else LogLayout(settings.log_key_template)
        result.run_id = entry.run_id
        result.seconds = entry.seconds
        work = plan(wh, request, source, layout, on_progress)
        result.missing_days = work.missing_days
        result.ignored, result.ignored_warning = work.ignored, work.ignored_warning
        result.songs_skipped = not work.songs
        for number, unit in enumerate(work.units):
            on_progress(Progress(request.command, number, len(work.units)))
            try:
                batches = _prepare(stager, unit, work.songs if number == 0 else [], entry, settings.max_errors)
                _apply_unit(
                    wh,
                    stager,
                    unit,
                    batches,
                    result,
                    entry,
                    request,
                    match,
                    on_progress,
                    last=number == len(work.units) - 1,
                )
            except SparkifyError as exc:
                if len(work.units) == 1:
                    raise
                exc.message = f"{unit.label} failed: {exc.message}"
                exc.hint = "the days before it are done; run the same command again to finish"
                raise
            on_progress(Progress(request.command, number + 1, len(work.units)))
        if not work.units:
            result.rows = row_counts(wh)
    return result


def plan(wh: Warehouse, request: RunRequest, source: Source | None, layout: LogLayout, on_progress: OnProgress) -> Plan:
    """The units of work; a warehouse that reads local files gets the source's files fetched here
    (an S3 source is synced to the cache)."""
    if not request.stages:
        return plan_load(wh, layout, request.days)
    assert source is not None
    work = plan_stage(wh, source, request.days, songs=request.songs, strict=request.strict)
    if wh.dialect.reads_from == "local" and work.files is not None:
        source.fetch(work.files, everything=request.days.everything, on_progress=on_progress)
    return work


def _prepare(
    stager: Stager | None, unit: Unit, songs: list[SourceFile], entry: ledger.Entry, max_errors: int
) -> list[Batch]:
    """Read and validate the unit's files (the catalog first); nothing in the warehouse changes."""
    if stager is None:
        return []
    work: list[tuple[SourceFormat, list[SourceFile]]] = [(SONGS, songs), (EVENTS, unit.logs)]
    batches = []
    for fmt, files in work:
        if files:
            with entry.timed(f"prepare_{fmt.name}"):
                batches.append(stager.prepare(files, fmt, max_errors=max_errors))
    if batches:
        stager.check_rejects(batches, max_errors)
    return batches


def _apply_unit(
    wh: Warehouse,
    stager: Stager | None,
    unit: Unit,
    batches: list[Batch],
    result: PipelineResult,
    entry: ledger.Entry,
    request: RunRequest,
    match: MatchRule,
    on_progress: OnProgress,
    *,
    last: bool,
) -> None:
    """One transaction: the staged rows, the star tables and the ledger commit together."""
    with wh.transaction():
        for batch in batches:
            assert stager is not None
            with entry.timed(f"apply_{batch.fmt.name}"):
                stager.apply(batch)
            ledger.note_files(wh, entry, batch.files, batch.kind)
            total = result.batches[batch.kind]
            total.files += len(batch.files)
            total.staged += batch.staged
            total.rejected += batch.rejected
            entry.add(**{f"staged_{batch.fmt.name}": batch.staged, f"rejected_{batch.fmt.name}": batch.rejected})
        if request.loads and unit.keys:
            load_files(wh, unit.keys, on_progress=on_progress, match=match, timings=entry.seconds)
            result.loaded_files += unit.keys
            entry.add(files_loaded=len(unit.keys))
        if last:
            with entry.timed("count_rows"):
                result.rows = row_counts(wh)
            entry.counts.update({f"rows_{table}": n for table, n in result.rows.items()})
            ledger.finish_ok(wh, entry)
        else:
            ledger.save_counts(wh, entry)


# --- library calls (tests, notebooks): the same sequence the CLI takes ---------------------------


def stage(
    wh: Warehouse,
    settings: Settings,
    source: Source,
    days: Days | None = None,
    *,
    songs: bool | None = None,
    strict: bool = False,
    on_progress: OnProgress = silent,
) -> PipelineResult:
    """Stage the days' log files (all without days) and the catalog when it changed."""
    request = RunRequest("stage", days or Days(None), songs=songs, strict=strict)
    return execute(wh, settings, request, source, on_progress=on_progress)


def load(
    wh: Warehouse, settings: Settings, days: Days | None = None, *, on_progress: OnProgress = silent
) -> PipelineResult:
    """Load what is staged for the days (everything without days) into the star schema."""
    return execute(wh, settings, RunRequest("load", days or Days(None)), None, on_progress=on_progress)
