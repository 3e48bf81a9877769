"""Day selection for stage/load/run: --date D, or --start D1 --end D2, or everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sparkify_cli.errors import ConfigError


def parse_day(text: str, option: str = "--date") -> date:
    """YYYY-MM-DD, or `today` / `yesterday` (UTC) for cron."""
    word = text.strip().lower()
    today = datetime.now(UTC).date()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a valid day", hint="use YYYY-MM-DD, e.g. 2018-11-05, or today/yesterday"
        ) from None


@dataclass(frozen=True)
class Days:
    """None means every file in the source."""

    days: tuple[date, ...] | None

    @property
    def everything(self) -> bool:
        return self.days is None

    def describe(self) -> str:
        if self.days is None:
            return "all days"
        if len(self.days) == 1:
            return self.days[0].isoformat()
        return f"{self.days[0].isoformat()} .. {self.days[-1].isoformat()}"


def select_days(day: str | None, start: str | None, end: str | None) -> Days:
    if day and (start or end):
        raise ConfigError("use either --date or --start/--end, not both")
    if day:
        return Days((parse_day(day),))
    if start or end:
        if not (start and end):
            raise ConfigError("--start and --end go together", hint="e.g. --start 2018-11-01 --end 2018-11-30")
        first, last = parse_day(start, "--start"), parse_day(end, "--end")
        if first > last:
            raise ConfigError(f"--start {first} is after --end {last}")
        return Days(tuple(first + timedelta(days=i) for i in range((last - first).days + 1)))
    return Days(None)
