"""A hand-made sample for `sparkify report` whose every number is worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from support.data import event, song

CATALOG = [
    song(song_id="SO1", artist_id="AR1", title="Ask", artist_name="The Smiths", duration=200.5),
    song(song_id="SO2", artist_id="AR2", title="Other", artist_name="Band", duration=100.0),
]
ASK = {"song": "Ask", "artist": "The Smiths", "length": 200.5}
OTHER = {"song": "Other", "artist": "Band", "length": 100.0}
NONE = {"song": "Unknown", "artist": "Nobody", "length": 99.0}


def play(user: str, session: int, when: str, level: str, what: dict[str, Any], item: int, **kw: Any) -> dict[str, Any]:
    ts = int(datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp() * 1000) + 796
    names = {"1": ("Ada", "Lovelace"), "2": ("Bob", "Moog"), "3": ("Cy", "Twombly")}[user]
    return event(
        userId=user,
        sessionId=session,
        ts=ts,
        level=level,
        itemInSession=item,
        firstName=names[0],
        lastName=names[1],
        **what,
        **kw,
    )


# 2018-11-01 is a Thursday, 2018-11-03 a Saturday; nothing on 2018-11-02.
DAYS = {
    "2018-11-01": [
        play("1", 10, "2018-11-01 08:00:00", "free", ASK, 0),
        play("1", 10, "2018-11-01 08:05:00", "free", ASK, 1),
        play("2", 20, "2018-11-01 08:30:00", "paid", ASK, 0),
        play("1", 10, "2018-11-01 09:00:00", "free", NONE, 2),
    ],
    "2018-11-03": [
        play("1", 11, "2018-11-03 10:00:00", "paid", NONE, 0),  # user 1 upgraded
        play("3", 10, "2018-11-03 12:00:00", "free", NONE, 0),  # session 10 again, but another user's
        play("2", 21, "2018-11-03 21:00:00", "paid", OTHER, 0),
        play(
            "3", 10, "2018-11-03 12:01:00", "free", {"song": None, "artist": None, "length": None}, 1, page="Home"
        ),  # not a play
    ],
}
