"""LogLayout: where one day's log file lives (SPARKIFY_LOG_KEY_TEMPLATE), and which day a key is.

Both directions come from the one template, so a custom layout names and recognises its files the
same way everywhere (planning, loading, `status`, the checks' day scope).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sparkify_cli.errors import ConfigError

_FIELDS = {
    "year": r"(?P<year>\d{4})",
    "month": r"(?P<month>\d{1,2})",
    "day": r"(?P<day>\d{1,2})",
    "date": r"(?P<date>\d{4}-\d{2}-\d{2})",
}


@dataclass(frozen=True)
class LogLayout:
    template: str  # e.g. log_data/{year}/{month:02d}/{date}-events.json

    def key(self, day: date) -> str:
        """The key (path relative to the source root) of `day`'s log file."""
        try:
            key = self.template.format(year=day.year, month=day.month, day=day.day, date=day.isoformat())
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ConfigError(f"invalid SPARKIFY_LOG_KEY_TEMPLATE: {exc}") from None
        return _inside_the_source(key)

    @cached_property
    def folder(self) -> str:
        """The fixed folder every log file is under ("log_data/"); "" when the template starts with a field."""
        literal = self.template.split("{", 1)[0]
        return _inside_the_source(literal[: literal.rfind("/") + 1]) if "/" in literal else ""

    def day(self, key: str) -> date | None:
        """The day whose log file `key` is, or None when the key is not such a file."""
        found = self._pattern.fullmatch(key)
        if found is None:
            return None
        parts = found.groupdict()
        try:
            if parts.get("date"):
                day = date.fromisoformat(parts["date"])
            else:
                day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except (KeyError, TypeError, ValueError):
            return None
        return day if self.key(day) == key else None  # e.g. {month:02d} must not accept "7"

    def label(self, key: str) -> str:
        """How messages name a log file: its day, else the key itself."""
        day = self.day(key)
        return day.isoformat() if day else key

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        out, seen = [], set()
        try:
            parsed = list(string.Formatter().parse(self.template))
        except ValueError as exc:
            raise ConfigError(f"invalid SPARKIFY_LOG_KEY_TEMPLATE: {exc}") from None
        for literal, field, _spec, _conversion in parsed:
            out.append(re.escape(literal))
            if field is None:
                continue
            if field not in _FIELDS:
                raise ConfigError(f"invalid SPARKIFY_LOG_KEY_TEMPLATE: unknown field {{{field}}}")
            # A field used twice must match the same text: a back-reference after the first.
            out.append(f"(?P={field})" if field in seen else _FIELDS[field])
            seen.add(field)
        return re.compile("".join(out))


def _inside_the_source(path: str) -> str:
    """A key or folder is a path below the source folder (and the S3 cache): it may not lead out of it."""
    parts = path.removesuffix("/").split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise ConfigError(
            f"invalid SPARKIFY_LOG_KEY_TEMPLATE: {path!r} is not a path inside the source",
            hint="use a relative path without empty, '.' or '..' parts, e.g. log_data/{year}/{date}-events.json",
        )
    return path
