"""prune: remove what log files gone from the source left in the warehouse, never silently.

A staged or loaded log file that the source no longer lists keeps its rows until the user says so
(`sparkify status` lists such files); pruning then takes them out the way a reload would: their
staged rows go, and every play, time and user they touched is derived again from the files that
remain, so the warehouse equals a full load of the source as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sparkify_cli.services.pipeline import ledger, schema
from sparkify_cli.services.pipeline.load import load_files, row_counts
from sparkify_cli.services.pipeline.matching import MatchRule
from sparkify_cli.sources import Source, open_source
from sparkify_cli.warehouse import Warehouse, connect

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings


@dataclass
class PruneResult:
    files: list[str]  # the log files gone from the source (removed, unless a dry run)
    pruned: bool = False
    run_id: str = ""
    rows: dict[str, int] = field(default_factory=dict)  # star tables after pruning


def missing_files(wh: Warehouse, source: Source) -> list[str]:
    """Staged (or loaded) log files the source does not list any more."""
    listed = {f.key for f in source.log_files(None)[0]}
    _, rows = wh.query(f"SELECT source_file FROM {wh.schema}.staged_files WHERE kind = 'event' ORDER BY source_file")
    return [r[0] for r in rows if r[0] not in listed]


def prune(
    settings: Settings, *, source: str | None = None, apply: bool = True, no_sign_request: bool = False
) -> PruneResult:
    """Find the files gone from the source; with `apply`, remove their rows in one transaction."""
    src = open_source(settings, source, no_sign_request=no_sign_request)
    with connect(settings, must_exist=True) as wh:
        schema.require_current(wh)
        result = PruneResult(missing_files(wh, src))
        if not apply or not result.files:
            return result
        read = ledger.source_of(settings.source if source is None else source)
        with ledger.record(wh, "prune", "all days", read) as entry:
            result.run_id = entry.run_id
            with wh.transaction():
                remove_files(wh, result.files, MatchRule.from_settings(settings))
                result.rows = row_counts(wh)
                entry.counts.update({"files_pruned": len(result.files)})
                entry.counts.update({f"rows_{table}": n for table, n in result.rows.items()})
                ledger.finish_ok(wh, entry)
        result.pruned = True
        return result


def remove_files(wh: Warehouse, files: list[str], match: MatchRule) -> None:
    """Inside the caller's transaction: the files' staged rows go, then the load derives again what
    they touched (an empty batch of those files leaves only what the other files hold)."""
    wh.execute(f"DELETE FROM {wh.schema}.load_batch")
    wh.insert_rows(f"{wh.schema}.load_batch", ["source_file"], [(f,) for f in files])
    in_batch = f"source_file IN (SELECT source_file FROM {wh.schema}.load_batch)"
    for table in ("staging_events", "rejects"):
        wh.execute(f"DELETE FROM {wh.schema}.{table} WHERE {in_batch}")
    wh.execute(f"DELETE FROM {wh.schema}.staged_files WHERE kind = 'event' AND {in_batch}")
    load_files(wh, files, match=match)
