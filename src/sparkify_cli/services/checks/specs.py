"""The built-in data-quality checks: what each one verifies and the SQL that returns its failing rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sparkify_cli.documents import Document, TemplateValue, count
from sparkify_cli.settings import Settings
from sparkify_cli.sources import LogLayout
from sparkify_cli.warehouse import Warehouse

Severity = Literal["error", "warn"]

# Primary key of each star table, and the column that scopes a table to one day (`check --date`).
KEYS = {
    "songplays": "songplay_id",
    "users": "user_id",
    "songs": "song_id",
    "artists": "artist_id",
    "time": "start_time",
}
DAY_COLUMN = {"songplays": "start_time", "time": "start_time"}
# (column, referenced table) for every songplay reference; NULL song_id/artist_id are allowed.
REFERENCES = (("user_id", "users"), ("start_time", "time"), ("song_id", "songs"), ("artist_id", "artists"))
ACCEPTED = (
    ("songplays", "level", ("free", "paid"), False),
    ("users", "level", ("free", "paid"), False),
    ("users", "gender", ("M", "F"), True),
)
RANGES = (("hour", 0, 23), ("day", 1, 31), ("week", 1, 53), ("month", 1, 12), ("weekday", 0, 6))
# Tables `check` reads: a warehouse without them has not been loaded (exit 4, not a check failure).
REQUIRED_TABLES = (*KEYS, "staged_files", "songplay_sources")


@dataclass(frozen=True)
class CheckSpec:
    name: str
    table: str
    severity: Severity
    description: str
    sql: str  # returns the failing rows; no rows = pass
    metrics_sql: str | None = None  # one row worth reporting whatever the outcome (e.g. the match rate)
    facts: Document = field(default_factory=dict)  # fixed values reported with the metrics


def _timestamp(day: date) -> str:
    return f"{day.isoformat()} 00:00:00"


def builtin_checks(wh: Warehouse, settings: Settings, *, day: date | None, today: date) -> list[CheckSpec]:
    """Every built-in check, rendered for the warehouse's dialect; row-level ones scoped to `day`."""

    def render(template: str, table: str | None = None, **context: TemplateValue) -> str:
        day_col = DAY_COLUMN.get(table or "") if day else None
        statements = wh.render(
            f"checks/{template}.sql",
            table=table,
            day_col=day_col,
            day_start=_timestamp(day) if day else None,
            day_end=_timestamp(day + timedelta(days=1)) if day else None,
            **context,
        )
        assert len(statements) == 1, f"checks/{template}.sql must hold one statement"
        return statements[0]

    on_day = f" on {day.isoformat()}" if day else ""
    specs: list[CheckSpec] = []
    for table, key in KEYS.items():
        scoped = on_day if table in DAY_COLUMN else ""
        specs += [
            CheckSpec(f"{table}.not_empty", table, "error", f"{table} has rows{scoped}", render("not_empty", table)),
            CheckSpec(
                f"{table}.{key}.not_null", table, "error", f"{key} is never NULL", render("null_key", table, key=key)
            ),
            CheckSpec(
                f"{table}.{key}.unique", table, "error", f"{key} is unique", render("unique_key", table, key=key)
            ),
        ]
    for column, ref in REFERENCES:
        optional = " (when not NULL)" if column in ("song_id", "artist_id") else ""
        specs.append(
            CheckSpec(
                f"songplays.{column}.in_{ref}",
                "songplays",
                "error",
                f"every songplay's {column}{optional} is in {ref}",
                render("foreign_key", "songplays", key="songplay_id", column=column, ref_table=ref, ref_column=column),
            )
        )
    for table, column, values, allow_null in ACCEPTED:
        allowed = ", ".join(values) + (" or NULL" if allow_null else "")
        specs.append(
            CheckSpec(
                f"{table}.{column}.accepted_values",
                table,
                "error",
                f"{column} is {allowed}",
                render("accepted_values", table, key=KEYS[table], column=column, values=values, allow_null=allow_null),
            )
        )
    for column, low, high in RANGES:
        specs.append(
            CheckSpec(
                f"time.{column}.range",
                "time",
                "error",
                f"{column} is between {low} and {high}",
                render("value_range", "time", key="start_time", column=column, low=low, high=high),
            )
        )
    specs += _pipeline_checks(settings, render, day=day, today=today, on_day=on_day)
    return specs


def _pipeline_checks(
    settings: Settings, render: Callable[..., str], *, day: date | None, today: date, on_day: str
) -> list[CheckSpec]:
    """Checks of the load as a whole: reconciliation with staging, freshness, song-match rate."""
    source_file = _log_key(settings, day) if day else None
    oldest = today - timedelta(days=settings.check_freshness_days)
    min_rate = settings.check_min_song_match_rate
    return [
        CheckSpec(
            "songplays.reconciliation",
            "songplays",
            "error",
            "each loaded log file has as many songplays as distinct NextSong events staged from it" + on_day,
            render("reconciliation", source_file=source_file),
        ),
        CheckSpec(
            "songplays.staged_not_loaded",
            "songplays",
            "warn",
            "every staged log file with NextSong events has been loaded" + on_day,
            render("staged_not_loaded", source_file=source_file),
        ),
        CheckSpec(
            "songplays.freshness",
            "songplays",
            settings.check_freshness_severity,
            f"the newest play is at most {count(settings.check_freshness_days, 'day')} old (on or after {oldest})",
            render("freshness", oldest_allowed=_timestamp(oldest)),
            metrics_sql=render("freshness", oldest_allowed=None),
            facts={"oldest_allowed": oldest.isoformat(), "max_age_days": settings.check_freshness_days},
        ),
        CheckSpec(
            "songplays.song_match_rate",
            "songplays",
            "error",
            f"the share of plays matched to a catalog song is at least {min_rate:g}" + on_day,
            render("song_match_rate", "songplays", min_rate=repr(float(min_rate))),
            metrics_sql=render("song_match_rate", "songplays", min_rate=None),
            facts={"min_rate": min_rate},
        ),
    ]


def _log_key(settings: Settings, day: date) -> str:
    """The staged name of a day's log file, as an SQL string body (quotes doubled)."""
    return LogLayout(settings.log_key_template).key(day).replace("'", "''")
