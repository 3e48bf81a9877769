"""The two source formats: which fields a line must have, and of which JSON type."""

from __future__ import annotations

from dataclasses import dataclass

_JSON_TYPES = {
    "string": "'VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE'",  # numbers in text fields are real data: keep as text
    "integer": "'BIGINT', 'UBIGINT'",
    "number": "'BIGINT', 'UBIGINT', 'DOUBLE'",
}
_SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE"}


@dataclass(frozen=True)
class Field:
    key: str  # the JSON key, exactly (keys are case-sensitive: `userID` is not `userId`)
    column: str  # the staging column
    kind: str  # string | integer | number
    required: bool = False  # may not be null
    sql_type_override: str | None = None
    min: int | None = None
    max: int | None = None

    @property
    def json_types(self) -> str:
        return _JSON_TYPES[self.kind]

    @property
    def sql_type(self) -> str:
        return self.sql_type_override or _SQL_TYPES[self.kind]


# Epoch milliseconds between 2000-01-01 and 2100-01-01: anything else is a broken clock or a unit error.
TS_MIN, TS_MAX = 946_684_800_000, 4_102_444_800_000
_INT = "INTEGER"

EVENT_FIELDS = (
    Field("artist", "artist", "string"),
    Field("auth", "auth", "string"),
    Field("firstName", "first_name", "string"),
    Field("gender", "gender", "string"),
    Field("itemInSession", "item_in_session", "integer", True, _INT),
    Field("lastName", "last_name", "string"),
    Field("length", "length", "number"),
    Field("level", "level", "string", True),
    Field("location", "location", "string"),
    Field("method", "method", "string"),
    Field("page", "page", "string", True),
    Field("registration", "registration", "number"),
    Field("sessionId", "session_id", "integer", True, _INT),
    Field("song", "song", "string"),
    Field("status", "status", "integer", False, _INT),
    Field("ts", "ts", "integer", True, None, TS_MIN, TS_MAX),
    Field("userAgent", "user_agent", "string"),
    Field("userId", "user_id", "string", True),
)

SONG_FIELDS = (
    Field("artist_id", "artist_id", "string", True),
    Field("artist_latitude", "artist_latitude", "number"),
    Field("artist_location", "artist_location", "string"),
    Field("artist_longitude", "artist_longitude", "number"),
    Field("artist_name", "artist_name", "string"),
    Field("duration", "duration", "number"),
    Field("num_songs", "num_songs", "integer", False, _INT),
    Field("song_id", "song_id", "string", True),
    Field("title", "title", "string"),
    Field("year", "year", "integer", False, _INT),
)
