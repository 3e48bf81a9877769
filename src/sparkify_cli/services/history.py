"""What has happened to the warehouse: recent runs, loaded days and gaps."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sparkify_cli.sources import LocalSource
from sparkify_cli.warehouse import Warehouse

_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def recent_runs(wh: Warehouse, limit: int) -> list[dict[str, Any]]:
    columns, rows = wh.query(
        f"SELECT run_id, command, days, started_at, finished_at, status, error, counts "
        f"FROM {wh.schema}.runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    )
    runs = [dict(zip(columns, row, strict=True)) for row in rows]
    for run in runs:
        run["counts"] = json.loads(run["counts"]) if run["counts"] else {}
    return runs


@dataclass
class Status:
    loaded_days: list[str] = field(default_factory=list)
    staged_not_loaded: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # in the source, not loaded
    source_checked: bool = False
    last_success: datetime | None = None
    running: list[str] = field(default_factory=list)  # runs without an end: in progress, or killed

    def to_json(self) -> dict[str, Any]:
        return {
            "loaded_days": self.loaded_days,
            "staged_not_loaded": self.staged_not_loaded,
            "gaps": self.gaps if self.source_checked else None,
            "last_success": self.last_success.isoformat(sep=" ") if self.last_success else None,
            "unfinished_runs": self.running,
        }


def _day(key: str) -> str:
    found = _DAY.search(key.rsplit("/", 1)[-1])
    return found.group(1) if found else key


def status(wh: Warehouse, source: LocalSource | None) -> Status:
    out = Status()
    _, rows = wh.query(
        f"SELECT source_file, loaded_at FROM {wh.schema}.staged_files WHERE kind = 'event' ORDER BY source_file"
    )
    out.loaded_days = sorted(_day(k) for k, loaded in rows if loaded is not None)
    out.staged_not_loaded = sorted(_day(k) for k, loaded in rows if loaded is None)
    if source is not None:
        files, _ = source.log_files(None)
        loaded = set(out.loaded_days)
        out.gaps = sorted(d for d in (_day(f.key) for f in files) if d not in loaded)
        out.source_checked = True
    out.last_success = wh.scalar(f"SELECT max(finished_at) FROM {wh.schema}.runs WHERE status = 'ok'")
    _, rows = wh.query(f"SELECT run_id FROM {wh.schema}.runs WHERE status = 'running' ORDER BY started_at")
    out.running = [r[0] for r in rows]
    return out
