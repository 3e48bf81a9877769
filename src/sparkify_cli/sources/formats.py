"""The two source formats as data: their fields (JSON key, staging column, type, limits) and the
rules a valid record must follow. Each warehouse renders the same data into its own SQL, so a rule
is written once here and means the same on every warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["string", "integer", "number"]

_JSON_TYPES = {
    # Integers in text fields are real data (artist "112"): kept as text. A fraction or exponent is
    # not: its text would change (1.50 -> "1.5"), so it is rejected.
    "string": "'VARCHAR', 'BIGINT', 'UBIGINT'",
    "integer": "'BIGINT', 'UBIGINT'",
    "number": "'BIGINT', 'UBIGINT', 'DOUBLE'",
}
_SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE"}


@dataclass(frozen=True)
class Field:
    """One source field and what a valid value is. Every rule rejects with a fixed reason:

    - the JSON type must be `kind` (null too unless `required`): `field K is <type>, expected <kind>`
      (`field K is null` when required; `missing field K` when the key is absent);
    - `string`: at most `width` bytes once decoded: `field K is longer than W bytes`; with
      `nonempty`, not "": `field K is empty`;
    - `integer`: must fit `sql_type`; `number`: must be finite (1e400 overflows a DOUBLE); with
      `min`/`max` (always both, inclusive) inside them; with `positive`, greater than 0 — all three
      `field K is out of range`. A null value passes every rule but `required`.
    """

    key: str  # the JSON key, exactly (keys are case-sensitive: `userID` is not `userId`)
    column: str  # the staging column
    kind: Kind
    required: bool = False  # may not be null
    sql_type_override: str | None = None
    min: int | float | None = None
    max: int | float | None = None
    width: int = 256  # text fields: the most bytes a value may have (Redshift VARCHAR(width))
    nonempty: bool = False  # text fields: "" is not a value (identifiers, page, level)
    positive: bool = False  # number fields: must be > 0 (durations)

    def __post_init__(self) -> None:
        if (self.min is None) != (self.max is None):
            raise ValueError(f"field {self.key}: min and max go together")

    @property
    def json_types(self) -> str:
        return _JSON_TYPES[self.kind]

    @property
    def sql_type(self) -> str:
        return self.sql_type_override or _SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Rule:
    """A record is rejected with `reason` when every (JSON key, text value) pair of `equals` holds."""

    reason: str
    equals: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SourceFormat:
    kind: Literal["event", "song"]
    name: str  # plural, as summaries and the ledger count it: "events", "songs"
    table: str  # the staging table
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    replaced_whole: bool = False  # the song catalog is staged as one set; logs file by file
    # Logs hold one object per line; song files may hold several objects, compact or pretty-printed
    # (and come as many tiny files).
    one_object_per_line: bool = True

    def position(self, key: str) -> int:
        """1-based position of a field (SQL lists are 1-based)."""
        return next(i for i, f in enumerate(self.fields, start=1) if f.key == key)

    def field(self, key: str) -> Field:
        return self.fields[self.position(key) - 1]


def text(key: str, column: str, width: int, required: bool = False, nonempty: bool = False) -> Field:
    return Field(key, column, "string", required, width=width, nonempty=nonempty)


# Redshift's COPY refuses a JSON record over 4 MB; every warehouse rejects such a line the same way.
MAX_LINE_BYTES = 4 * 1024 * 1024


# Epoch milliseconds between 2000-01-01 and 2100-01-01: anything else is a broken clock or a unit error.
TS_MIN, TS_MAX = 946_684_800_000, 4_102_444_800_000
_INT = "INTEGER"
INT_MAX = 2**31 - 1  # the top of an INTEGER column: the upper limit of counts and ids

# Widths leave room over the real data's longest values (EXPECTED.md: song 151, userAgent 139 characters).
# Limits are what no real record can break (EXPECTED.md: sessionId 3-1114, status 200/307/404,
# length 15.9-2594.9 s, registration in 2018). userId "" is real: a logged-out event.
EVENT_FIELDS = (
    text("artist", "artist", 1024),
    text("auth", "auth", 32),
    text("firstName", "first_name", 256),
    text("gender", "gender", 16),
    Field("itemInSession", "item_in_session", "integer", True, _INT, 0, INT_MAX),
    text("lastName", "last_name", 256),
    Field("length", "length", "number", positive=True),
    text("level", "level", 16, True, nonempty=True),
    text("location", "location", 1024),
    text("method", "method", 16),
    text("page", "page", 64, True, nonempty=True),
    Field("registration", "registration", "number", min=TS_MIN, max=TS_MAX),  # epoch ms, like ts
    Field("sessionId", "session_id", "integer", True, _INT, 0, INT_MAX),
    text("song", "song", 1024),
    Field("status", "status", "integer", False, _INT, 100, 599),  # an HTTP status code
    Field("ts", "ts", "integer", True, "BIGINT", TS_MIN, TS_MAX),
    text("userAgent", "user_agent", 1024),
    text("userId", "user_id", 64, True),
)

# The Million Song Dataset writes year 0 and null coordinates for "unknown" (580 and 1,270 of the
# real records): both load. Durations are 10.3-1373.2 s.
SONG_FIELDS = (
    text("artist_id", "artist_id", 32, True, nonempty=True),
    Field("artist_latitude", "artist_latitude", "number", min=-90.0, max=90.0),
    text("artist_location", "artist_location", 1024),
    Field("artist_longitude", "artist_longitude", "number", min=-180.0, max=180.0),
    text("artist_name", "artist_name", 1024),
    Field("duration", "duration", "number", positive=True),
    Field("num_songs", "num_songs", "integer", False, _INT, 0, INT_MAX),
    text("song_id", "song_id", 32, True, nonempty=True),
    text("title", "title", 1024),
    Field("year", "year", "integer", False, _INT, 0, 2100),  # 0: unknown
)

EVENTS = SourceFormat(
    "event",
    "events",
    "staging_events",
    EVENT_FIELDS,
    rules=(Rule("NextSong event without userId", (("page", "NextSong"), ("userId", ""))),),
)
SONGS = SourceFormat("song", "songs", "staging_songs", SONG_FIELDS, replaced_whole=True, one_object_per_line=False)
FORMATS = (SONGS, EVENTS)  # staging order: the catalog first, so a day's load can match against it
