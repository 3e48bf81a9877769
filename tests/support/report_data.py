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


# --- the HTML's hard cases: DAYS plus two days -----------------------------------------------------
# A top song with a long Cyrillic title that starts with "Жизнь" (once clipped at the chart's left
# edge), a title as long as the real catalog's "The Boy With The Thorn In His Side" (its artist was
# cut off), a title far too long for any line (its artist must still show); then 1,000 plays that
# match no song, so the match rate is low (44 of 1,047 plays, 4.20%) and free plays are a share
# under 10% (4 of 1,047, 0.38%), where rounding to one decimal once disagreed with the terminal.
ZHIZN = song(
    song_id="SO3",
    artist_id="AR3",
    title="Жизнь моя — бесконечная дорога сквозь осенний город под дождём",
    artist_name="Гражданская оборона",
    duration=180.0,
)
THORN = song(
    song_id="SO4",
    artist_id="AR1",
    title="The Boy With The Thorn In His Side",
    artist_name="The Smiths",
    duration=195.0,
)
ENDLESS = song(
    song_id="SO5",
    artist_id="AR5",
    title="An Extraordinarily Long Title " * 5 + "(Live At The Very Long Festival Name, Remastered Deluxe Edition)",
    artist_name="Orchestra Of The Endless Names",
    duration=300.0,
)
HARD_CATALOG = [*CATALOG, ZHIZN, THORN, ENDLESS]


def _played(s: dict[str, Any]) -> dict[str, Any]:
    return {"song": s["title"], "artist": s["artist_name"], "length": s["duration"]}


def _sunday() -> list[dict[str, Any]]:
    """2018-11-04, a Sunday: 40 plays of the three long songs by user 2 (paid)."""
    plays = [ZHIZN] * 20 + [THORN] * 12 + [ENDLESS] * 8
    return [
        play("2", 40 + i // 10, f"2018-11-04 {6 + i // 3:02d}:{(i % 3) * 15:02d}:00", "paid", _played(s), i % 10)
        for i, s in enumerate(plays)
    ]


def _unmatched() -> list[dict[str, Any]]:
    """2018-11-05: 1,000 plays of songs outside the catalog, users 2 and 3 (paid), every hour."""
    return [
        play(
            "2" if i % 2 else "3",
            100 + i // 50,
            f"2018-11-05 {i * 24 // 1000:02d}:{i * 1440 // 1000 % 60:02d}:{i % 60:02d}",
            "paid",
            NONE,
            i % 50,
        )
        for i in range(1000)
    ]


HARD_DAYS = {**DAYS, "2018-11-04": _sunday(), "2018-11-05": _unmatched()}
