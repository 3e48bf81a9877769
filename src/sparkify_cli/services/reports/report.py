"""`sparkify report`: what users listen to, read from the star schema by the SQL files in
sql/report/ (written once for DuckDB and Redshift). Plain results; the CLI and report_html render them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sparkify_cli import __version__
from sparkify_cli.days import Days
from sparkify_cli.documents import JSON, SCHEMA_VERSION, Document, TemplateValue
from sparkify_cli.errors import WarehouseError
from sparkify_cli.services.pipeline.ledger import last_source
from sparkify_cli.services.pipeline.matching import REASONS, MatchRule, prepare, reasons
from sparkify_cli.services.reports.inspect import reading
from sparkify_cli.settings import Settings
from sparkify_cli.warehouse import Warehouse, dialect_of
from sparkify_cli.warehouse.base import Row

if TYPE_CHECKING:
    from sparkify_cli.services.pipeline.dry_run import DryRun

WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
# Below this share of plays matched to a catalog song, top songs and artists rest on too few plays
# to stand for what users listen to, and every format says so (the real sample: 0.57%).
LOW_MATCH_RATE = 0.05


@dataclass(frozen=True)
class Scope:
    """The report's days (UTC); both None means every play."""

    first: date | None = None
    last: date | None = None

    @classmethod
    def of(cls, days: Days) -> Scope:
        return cls() if days.days is None else cls(days.days[0], days.days[-1])

    def context(self) -> Document:
        if self.first is None or self.last is None:
            return {"start": None, "end": None}
        return {"start": self.first.isoformat(), "end": (self.last + timedelta(days=1)).isoformat()}

    def span(self) -> Document | None:
        """The chosen days as documents carry them: {start, end}, or None for every day."""
        if self.first is None or self.last is None:
            return None
        return {"start": self.first.isoformat(), "end": self.last.isoformat()}

    def describe(self) -> str:
        if self.first is None or self.last is None:
            return "all days"
        return self.first.isoformat() if self.first == self.last else f"{self.first} .. {self.last}"


@dataclass
class SongPlays:
    song_id: str
    title: str | None
    artist: str | None
    plays: int


@dataclass
class ArtistPlays:
    artist_id: str
    name: str | None
    plays: int


@dataclass
class LevelShare:
    level: str
    plays: int
    play_share: float  # of all plays
    users_with_plays: int  # by the level of each user's last play
    user_share: float  # of all users with a play


@dataclass
class UserActivity:
    user_id: str
    first_name: str | None
    last_name: str | None
    level: str | None  # the user's current level
    plays: int
    sessions: int


@dataclass
class DayActivity:
    day: date
    plays: int
    sessions: int  # sessions with a play that day
    users_with_plays: int


@dataclass(frozen=True)
class Provenance:
    """Who made the report, when, from where, over which days: nothing secret (no host, no user)."""

    generated_at: datetime  # UTC
    sparkify_version: str
    warehouse: str  # the dialect's title
    location: str  # the DuckDB file, the Redshift cluster
    schema: str
    first_day: date | None  # the chosen days, or (all days) those with plays; None: no plays at all
    last_day: date | None
    source: str | None = None  # what the last run read (the ledger); None: no run recorded one

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1 if self.first_day and self.last_day else 0

    @property
    def generated(self) -> str:
        return self.generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def describe(self) -> str:
        """One line, the same in every format."""
        if not self.first_day:
            days = "no days with plays"
        elif self.first_day == self.last_day:
            days = f"day {self.first_day} (UTC)"
        else:
            days = f"days {self.first_day} .. {self.last_day} ({self.days} days, UTC)"
        source = f", loaded from {self.source}" if self.source else ""
        return (
            f"generated {self.generated} by sparkify {self.sparkify_version} from {self.warehouse} "
            f"({self.location}), schema {self.schema}{source}; {days}"
        )

    def to_dict(self) -> Document:
        return {
            "generated_at": self.generated,
            "sparkify_version": self.sparkify_version,
            "warehouse": self.warehouse,
            "location": self.location,
            "schema": self.schema,
            "source": self.source,
            "days": {"first": self.first_day.isoformat(), "last": _iso(self.last_day), "count": self.days}
            if self.first_day
            else None,
        }


@dataclass
class Report:
    scope: str
    first_day: date | None
    last_day: date | None
    plays: int
    matched: int
    users_with_plays: int  # not the users table's count: that holds users who never played a song too
    sessions: int
    first_play: datetime | None
    last_play: datetime | None
    top_songs: list[SongPlays] = field(default_factory=list)
    top_artists: list[ArtistPlays] = field(default_factory=list)
    plays_by_hour: list[int] = field(default_factory=lambda: [0] * 24)  # index = hour (UTC)
    plays_by_weekday: list[int] = field(default_factory=lambda: [0] * 7)  # index = weekday, Sunday = 0
    levels: list[LevelShare] = field(default_factory=list)
    top_users: list[UserActivity] = field(default_factory=list)
    per_day: list[DayActivity] = field(default_factory=list)
    provenance: Provenance | None = None
    days: Document | None = None  # the chosen days ({start, end}), None for every day

    @property
    def match_rate(self) -> float:
        return self.matched / self.plays if self.plays else 0.0

    @property
    def days_by_weekday(self) -> list[int]:
        """How many of the report's days fall on each weekday (Sunday = 0): a weekday's plays add up
        over that many days, and a weekday with none has no bar and no row."""
        counts = [0] * 7
        for d in self.per_day:
            counts[(d.day.weekday() + 1) % 7] += 1
        return counts

    @property
    def span(self) -> str:
        """From the first play to the last, UTC; "" without plays."""
        if self.first_play is None or self.last_play is None:
            return ""
        last = "%H:%M" if self.first_play.date() == self.last_play.date() else "%Y-%m-%d %H:%M"
        return f"{self.first_play:%Y-%m-%d %H:%M} .. {self.last_play.strftime(last)} UTC"

    @property
    def notices(self) -> list[str]:
        """What a reader must know before trusting a figure; every format shows these prominently."""
        if not self.plays or self.match_rate >= LOW_MATCH_RATE:
            return []
        if not self.matched:
            return [
                f"None of the {self.plays:,} plays matched a catalog song, so there are no top songs or "
                "artists. `sparkify report matches` lists plays with a near candidate."
            ]
        return [
            f"Only {self.matched:,} of {self.plays:,} plays ({percent(self.match_rate)}) matched a catalog song "
            f"(under {LOW_MATCH_RATE:.0%}): top songs and top artists count those {self.matched:,} plays "
            "alone and may not show what users listen to. `sparkify report matches` lists plays with a near "
            "candidate."
        ]

    def to_dict(self) -> Document:
        data = {"schema_version": SCHEMA_VERSION, **asdict(self)}
        data["match_rate"] = self.match_rate
        data["notices"] = self.notices
        data["provenance"] = self.provenance.to_dict() if self.provenance else None
        data["plays_by_hour"] = [{"hour": h, "plays": n} for h, n in enumerate(self.plays_by_hour)]
        data["plays_by_weekday"] = [
            {"weekday": d, "name": WEEKDAYS[d], "plays": n, "days": days}
            for d, (n, days) in enumerate(zip(self.plays_by_weekday, self.days_by_weekday, strict=True))
        ]
        return _document(data)


def build(settings: Settings, days: Days, *, top: int = 10, dry_run: DryRun | None = None) -> Report:
    """The report of the chosen days, read-only."""
    scope = Scope.of(days)
    with reading(settings, f"report {scope.describe()}, top {top}", dry_run) as wh:
        _require_star(wh)
        report = collect(wh, scope, top=top)
        source = last_source(wh)
    dialect = dialect_of(settings)
    covered = report.per_day
    report.provenance = Provenance(
        generated_at=datetime.now(UTC).replace(microsecond=0),
        sparkify_version=__version__,
        warehouse=dialect.title,
        location=dialect.where(settings),
        schema=settings.schema,
        first_day=covered[0].day if covered else None,
        last_day=covered[-1].day if covered else None,
        source=source,
    )
    return report


def collect(wh: Warehouse, scope: Scope, *, top: int = 10) -> Report:
    def rows(name: str) -> list[Row]:
        return _rows(wh, name, scope, top=top)

    plays, matched, users, sessions, first_play, last_play = _summary(rows("summary"))
    report = Report(
        scope.describe(),
        scope.first,
        scope.last,
        int(plays),
        int(matched),
        int(users),
        int(sessions),
        first_play,
        last_play,
    )
    report.top_songs = [SongPlays(s, t, a, int(n)) for s, t, a, n in rows("top_songs")]
    report.top_artists = [ArtistPlays(a, name, int(n)) for a, name, n in rows("top_artists")]
    for hour, n in rows("by_hour"):
        report.plays_by_hour[int(hour)] = int(n)
    for weekday, n in rows("by_weekday"):
        report.plays_by_weekday[int(weekday)] = int(n)
    level_rows = rows("levels")
    all_users = sum(int(u) for _, _, u in level_rows)
    report.levels = [
        LevelShare(level, int(n), _share(int(n), report.plays), int(u), _share(int(u), all_users))
        for level, n, u in level_rows
    ]
    report.top_users = [UserActivity(u, f, ln, lv, int(n), int(s)) for u, f, ln, lv, n, s in rows("top_users")]
    report.per_day = _every_day([DayActivity(d, int(n), int(s), int(u)) for d, n, s, u in rows("per_day")], scope)
    report.days = scope.span()
    return report


# --- `sparkify report matches` ------------------------------------------------------------------


@dataclass
class NearMatch:
    """An unmatched play and the catalog song the normalized rule gives it."""

    songplay_id: str
    start_time: datetime
    user_id: str
    song: str
    artist: str
    length: float
    song_repaired: str
    artist_repaired: str
    song_id: str
    artist_id: str
    title: str
    artist_name: str
    duration: float
    reasons: list[str]


@dataclass
class MatchReport:
    scope: str
    plays: int
    matched: int
    tolerance: float
    near: list[NearMatch]
    days: Document | None = None  # the chosen days ({start, end}), None for every day

    @property
    def match_rate(self) -> float:
        return self.matched / self.plays if self.plays else 0.0

    @property
    def normalized_rate(self) -> float:
        """The match rate SPARKIFY_MATCH=normalized would give these plays."""
        return (self.matched + len(self.near)) / self.plays if self.plays else 0.0

    def reason_counts(self) -> dict[str, int]:
        return {r: sum(r in m.reasons for m in self.near) for r in REASONS}

    def to_dict(self) -> Document:
        data = {"schema_version": SCHEMA_VERSION, **asdict(self)}
        data.update(match_rate=self.match_rate, normalized_rate=self.normalized_rate, reasons=self.reason_counts())
        return _document(data)


def build_matches(settings: Settings, days: Days, *, dry_run: DryRun | None = None) -> MatchReport:
    """Match rate, and the unmatched plays that have a near candidate in the catalog (and why)."""
    rule = MatchRule("normalized", settings.match_tolerance)
    scope = Scope.of(days)
    with reading(settings, f"report matches {scope.describe()}", dry_run) as wh:
        _require_star(wh)
        plays, matched, *_ = _summary(_rows(wh, "summary", scope))
        context = prepare(wh, rule, batch_only=False)
        near = [_near_match(row) for row in _rows(wh, "near_matches", scope, **context)]
    return MatchReport(scope.describe(), int(plays), int(matched), rule.tolerance, near, scope.span())


def _near_match(row: Row) -> NearMatch:
    # columns of sql/report/near_matches.sql, in order; reasons come from the texts
    (
        songplay_id,
        start_time,
        user_id,
        song,
        artist,
        length,
        song_fixed,
        artist_fixed,
        song_id,
        artist_id,
        title,
        artist_name,
        duration,
    ) = row
    why = reasons((song, artist, length), (song_fixed, artist_fixed), (title, artist_name, duration))
    return NearMatch(
        songplay_id,
        start_time,
        user_id,
        song,
        artist,
        length,
        song_fixed,
        artist_fixed,
        song_id,
        artist_id,
        title,
        artist_name,
        duration,
        why,
    )


# --- helpers ------------------------------------------------------------------------------------


def percent(share: float) -> str:
    """A share as every format writes it. Under 10% two decimals, so 39 and 41 of 6,820 plays do not
    both read 0.6%; else one. Only exactly none or all reads 0% or 100%."""
    if share <= 0 or share >= 1:
        return f"{max(0.0, min(share, 1.0)) * 100:.0f}%"
    value = share * 100
    if value < 0.005:
        return "<0.01%"
    if round(value, 1) >= 100:
        return ">99.9%"
    return f"{value:.2f}%" if round(value, 1) < 10 else f"{value:.1f}%"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _rows(wh: Warehouse, name: str, scope: Scope, **context: TemplateValue) -> list[Row]:
    (statement,) = wh.render(f"report/{name}.sql", **scope.context(), **context)
    return wh.query(statement)[1]


def _summary(rows: list[Row]) -> Row:
    """The summary's one row (an aggregate always has one; a dry run that reads nothing has none)."""
    return rows[0] if rows else (0, 0, 0, 0, None, None)


def _require_star(wh: Warehouse) -> None:
    if not wh.table_exists("songplays"):
        raise WarehouseError("the warehouse has no songplays table yet", hint="run `sparkify run` first")


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _every_day(found: list[DayActivity], scope: Scope) -> list[DayActivity]:
    """Days without plays count too (a line chart must not skip them)."""
    if not found and scope.first is None:
        return []
    first = scope.first or found[0].day
    last = scope.last or found[-1].day
    by_day = {d.day: d for d in found}
    return [
        by_day.get(first + timedelta(days=i), DayActivity(first + timedelta(days=i), 0, 0, 0))
        for i in range((last - first).days + 1)
    ]


def _document(data: Document) -> Document:
    return {k: _plain(v) for k, v in data.items()}


def _plain(value: JSON) -> JSON:
    """JSON-ready: dates as ISO text, timestamps (UTC in the warehouse) ISO 8601 with `Z`, everything
    else as is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value
