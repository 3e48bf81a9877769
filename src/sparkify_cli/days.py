"""Day selection for stage/load/run: --date D, or --start D1 --end D2, or everything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sparkify_cli.errors import ConfigError

# Exactly YYYY-MM-DD: date.fromisoformat alone also takes 20181105 and 2018-W45-1.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HINT = "use YYYY-MM-DD, e.g. 2018-11-05, or today/yesterday"


def parse_day(text: str, option: str = "--date") -> date:
    """YYYY-MM-DD, or `today` / `yesterday` (UTC) for cron. Empty is an error, never "all days"
    (a cron line whose variable is unset must not reprocess everything)."""
    word = text.strip().lower()
    if not word:
        raise ConfigError(f"{option} is empty", hint=_HINT)
    today = datetime.now(UTC).date()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        if not _DAY.fullmatch(word):
            raise ValueError(word)
        return date.fromisoformat(word)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a valid day", hint=_HINT) from None


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
    """None means the option was not given; a given option is parsed even when empty (an error)."""
    if day is not None and (start is not None or end is not None):
        raise ConfigError("use either --date or --start/--end, not both")
    if day is not None:
        return Days((parse_day(day),))
    if start is not None or end is not None:
        if start is None or end is None:
            raise ConfigError("--start and --end go together", hint="e.g. --start 2018-11-01 --end 2018-11-30")
        first, last = parse_day(start, "--start"), parse_day(end, "--end")
        if first > last:
            raise ConfigError(f"--start {first} is after --end {last}")
        return Days(tuple(first + timedelta(days=i) for i in range((last - first).days + 1)))
    return Days(None)
