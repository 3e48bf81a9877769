"""check: data-quality checks on the star schema. Each check is SQL returning its failing rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from typing import Literal

from sparkify_cli.documents import JSON, Document, finite
from sparkify_cli.errors import ConfigError, SparkifyError, WarehouseError, WarehouseFailure
from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.services.checks.config import load_checks
from sparkify_cli.services.checks.specs import REQUIRED_TABLES, CheckSpec, Severity, builtin_checks
from sparkify_cli.settings import Settings
from sparkify_cli.warehouse import Warehouse, connect
from sparkify_cli.warehouse.base import Row, Value

Status = Literal["pass", "warn", "fail", "error"]
SAMPLES = 5  # failing rows shown per check
# Failures first in every listing.
STATUS_ORDER: dict[str, int] = {"error": 0, "fail": 1, "warn": 2, "pass": 3}


@dataclass
class CheckResult:
    name: str
    table: str
    severity: Severity
    description: str
    status: Status
    failing_rows: int | None  # None when the check could not run
    samples: list[Document]
    sql: str
    duration_s: float
    error: str | None = None
    metrics: Document = field(default_factory=dict)

    def to_json(self) -> Document:
        return {
            "name": self.name,
            "table": self.table,
            "severity": self.severity,
            "description": self.description,
            "status": self.status,
            "failing_rows": self.failing_rows,
            "samples": self.samples,
            "metrics": self.metrics,
            "error": self.error,
            "sql": self.sql,
            "duration_s": self.duration_s,
        }


@dataclass
class CheckReport:
    results: list[CheckResult]
    warehouse: str
    schema: str
    day: date | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def failures(self) -> list[CheckResult]:
        """Error-severity checks that failed or could not run: these make the exit code 1."""
        return [r for r in self.results if r.severity == "error" and r.status in ("fail", "error")]

    @property
    def ok(self) -> bool:
        return not self.failures

    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in ("pass", "warn", "fail", "error")}
        for r in self.results:
            out[r.status] += 1
        return out

    def ordered(self) -> list[CheckResult]:
        return sorted(self.results, key=lambda r: STATUS_ORDER[r.status])

    def to_json(self) -> Document:
        return {
            "ok": self.ok,
            "warehouse": self.warehouse,
            "schema": self.schema,
            "day": self.day.isoformat() if self.day else None,
            "checked_at": self.checked_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "summary": {**self.counts(), "total": len(self.results)},
            "checks": [r.to_json() for r in self.results],
        }


def open_warehouse(settings: Settings) -> Warehouse:
    """The warehouse, read-only: `check` never creates, changes or upgrades anything."""
    from sparkify_cli.services.pipeline.schema import require_current

    wh = connect(settings, read_only=True, must_exist=True)
    try:
        require_current(wh)
    except BaseException:
        wh.close()
        raise
    return wh


def check(
    settings: Settings, *, day: date | None = None, checks_file: Path | None = None, on_progress: OnProgress = silent
) -> CheckReport:
    """`sparkify check`: a malformed checks file fails before the warehouse is opened, read-only."""
    user_checks(settings, checks_file, day=day)
    with open_warehouse(settings) as wh:
        return run_checks(wh, settings, day=day, checks_file=checks_file, on_progress=on_progress)


def user_checks(settings: Settings, checks_file: Path | None, *, day: date | None = None) -> list[CheckSpec]:
    """The checks of `checks_file` (else SPARKIFY_CHECKS_FILE), rendered; [] when there is none."""
    path = checks_file or settings.checks_file
    if path is None:
        return []
    return load_checks(path, schema=settings.schema, dialect=settings.warehouse, day=day)


def run_checks(
    wh: Warehouse,
    settings: Settings,
    *,
    day: date | None = None,
    checks_file: Path | None = None,
    on_progress: OnProgress = silent,
) -> CheckReport:
    """Run every built-in check, then the user-defined ones; row-level checks scoped to `day`."""
    extra = user_checks(settings, checks_file, day=day)  # a bad file fails before any query runs
    missing = [t for t in REQUIRED_TABLES if not wh.table_exists(t)]
    if missing:
        raise WarehouseError(
            f"schema {wh.schema} has no {', '.join(missing)} {'table' if len(missing) == 1 else 'tables'}",
            hint="run `sparkify run` (or `sparkify schema create`) first",
        )
    specs = builtin_checks(wh, settings, day=day, today=datetime.now(UTC).date())
    taken = {s.name for s in specs}
    for spec in extra:
        if spec.name in taken:
            raise ConfigError(
                f"checks file {checks_file or settings.checks_file}, check {spec.name!r}: "
                "a built-in check has this name; choose another"
            )
    specs += extra
    results = []
    for done, spec in enumerate(specs):
        on_progress(Progress("check", done, len(specs)))
        results.append(run_check(wh, spec, timeout=settings.check_timeout))
    on_progress(Progress("check", len(specs), len(specs)))
    return CheckReport(results, wh.dialect.name, wh.schema, day)


def run_check(wh: Warehouse, spec: CheckSpec, *, timeout: float = 0) -> CheckResult:
    """One check, at most `timeout` seconds (0: no limit). A check whose own SQL fails, or that
    runs out of time, has status `error` and the next check runs; a failing warehouse
    (WarehouseFailure: an unreadable file, a lost connection) stops them all: it is not data."""
    started = perf_counter()
    samples: list[Document] = []
    metrics: Document = dict(spec.facts)
    try:
        with wh.time_limit(timeout):
            failing = int(wh.scalar(f"SELECT COUNT(*) FROM (\n{spec.sql}\n) failing") or 0)
            if failing:
                cols, rows = wh.query(f"SELECT * FROM (\n{spec.sql}\n) failing ORDER BY 1 LIMIT {SAMPLES}")
                samples = [_row(cols, row) for row in rows]
            if spec.metrics_sql:
                cols, rows = wh.query(spec.metrics_sql)
                metrics.update(_row(cols, rows[0]) if rows else {})
    except WarehouseFailure:
        raise
    except SparkifyError as exc:  # e.g. a user check naming a missing column: report it, run the rest
        return _result(spec, "error", None, [], started, error=str(exc), metrics=metrics)
    status: Status = "pass" if not failing else ("fail" if spec.severity == "error" else "warn")
    return _result(spec, status, failing, samples, started, metrics=metrics)


def _result(
    spec: CheckSpec, status: Status, failing: int | None, samples: list[Document], started: float, **extra: JSON
) -> CheckResult:
    return CheckResult(
        spec.name,
        spec.table,
        spec.severity,
        spec.description,
        status,
        failing,
        samples,
        spec.sql,
        round(perf_counter() - started, 4),
        **extra,
    )


def _row(columns: list[str], row: Row) -> Document:
    return {c: _plain(v) for c, v in zip(columns, row, strict=True)}


def _plain(value: Value) -> JSON:
    """JSON-ready values: timestamps as 'YYYY-MM-DD HH:MM:SS' (as `sparkify query` prints them),
    NaN and infinities as "NaN", "Infinity", "-Infinity" (JSON has no number for them)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return finite(value)
    return str(value)
