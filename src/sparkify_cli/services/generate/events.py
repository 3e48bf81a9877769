"""The listening-log half of `sparkify generate`: users, sessions and events, streamed to disk.

Sessions are planned day by day (start times sorted, lengths adding up to the day's share of the
events exactly) and merged through a heap keyed by each session's next timestamp, so events leave
in time order and memory holds only the sessions that are open at that moment. Every line is one
%-format of a template built per session, with the user's fields already JSON-escaped in it.
"""

from __future__ import annotations

import heapq
import math
import os
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

from sparkify_cli.services.generate.catalog import GOLDEN, Catalog, mix64
from sparkify_cli.services.generate.names import FIRST_F, FIRST_M, LAST, USER_AGENTS, USER_LOCATIONS, json_str

DAY_MS = 86_400_000
MEAN_SESSION = 8.5  # events per session in the real logs: 8,056 / 941
NEAR_SHARE = 0.02  # share of the other plays with a catalog title and artist but another duration
Q = 20  # Zipf-Mandelbrot offset: play counts fall off as 1 / (rank + Q)
# Events per UTC hour in the real logs (sessions start with this profile).
_HOURS = [185, 201, 157, 130, 159, 206, 230, 219, 246, 311, 356, 391,
          368, 415, 504, 577, 626, 572, 579, 431, 397, 326, 247, 223]  # fmt: skip
_HOUR_CUM = list(accumulate(_HOURS))

# Page codes, indexes into PAGES (page, method, status as in the real logs). Pages from LOGIN on
# change what comes next; START is the state before a session's first event.
NEXT, HOME, LOGOUT, HELP, ABOUT, ERROR, SAVE, SUB_UP, SUB_DOWN, LOGIN, SETTINGS, UPGRADE, DOWNGRADE, START = range(14)
PAGES = [
    ("NextSong", "PUT", 200), ("Home", "GET", 200), ("Logout", "PUT", 307), ("Help", "GET", 200),
    ("About", "GET", 200), ("Error", "GET", 404), ("Save Settings", "PUT", 307), ("Submit Upgrade", "PUT", 307),
    ("Submit Downgrade", "PUT", 307), ("Login", "PUT", 307), ("Settings", "GET", 200), ("Upgrade", "GET", 200),
    ("Downgrade", "GET", 200),
]  # fmt: skip
P_NEXT = 0.93  # a logged-in event in the middle of a session is a song this often
# Other logged-in pages (weights), by level: free users see Upgrade, paid users Downgrade.
_OTHER = {
    "free": [(HOME, 40), (LOGOUT, 13), (SETTINGS, 9), (HELP, 5), (ABOUT, 3), (ERROR, 1.6), (UPGRADE, 7)],
    "paid": [(HOME, 40), (LOGOUT, 13), (SETTINGS, 9), (HELP, 5), (ABOUT, 3), (ERROR, 1.6), (DOWNGRADE, 13)],
}
_OTHER_CUM = {lv: (list(accumulate(w for _, w in ws)), [p for p, _ in ws]) for lv, ws in _OTHER.items()}

LOGGED_OUT = (
    '{"artist":null,"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":%d,"lastName":null,'
    '"length":null,"level":"%s","location":null,"method":"%s","page":"%s","registration":null,'
    '"sessionId":%d,"song":null,"status":%d,"ts":%d,"userAgent":null,"userId":""}'
)


@dataclass
class EventStats:
    events: int = 0
    next_song: int = 0
    matching: int = 0
    users: int = 0
    files: int = 0


def _pick(cum: Sequence[float], r: float) -> int:
    return min(bisect(cum, r * cum[-1]), len(cum) - 1)


def _pick_other(table: tuple[list[float], list[int]], r: float) -> int:
    cum, codes = table
    return codes[_pick(cum, r)]


class Users:
    """Users as pure functions of (seed, index); fields of the busiest users are cached."""

    def __init__(self, salt: int, count: int, registered_before: int) -> None:
        self.salt, self.count, self.registered_before = salt, count, registered_before
        # Activity falls off with rank (the busiest real user has ~10% of the events); ids are shuffled.
        self.cum = list(accumulate((rank + 1) ** -0.7 for rank in range(count)))
        self.step = next(s for s in (7919, 7907, 7901, 1) if math.gcd(s, count) == 1)
        self.level = ["free"] * count  # changes through Submit Upgrade / Submit Downgrade
        self.active = bytearray(count)  # in an open session
        self.seen = bytearray(count)  # had a logged-in event
        for u in range(count):  # the busiest fifth pays more often
            if self._extra(u) % 100 < (70 if u < count // 5 else 20):
                self.level[u] = "paid"
        self._cache: dict[int, tuple[str, ...]] = {}

    def fields(self, u: int) -> tuple[str, ...]:
        """(firstName, gender, lastName, location, registration, userAgent, userId) as JSON, '%' doubled."""
        cached = self._cache.get(u)
        if cached is not None:
            return cached
        h = mix64(self.salt ^ (u * GOLDEN))
        female = h % 100 < 55
        h //= 100
        h, f = divmod(h, len(FIRST_F) if female else len(FIRST_M))
        h, last = divmod(h, len(LAST))
        h, loc = divmod(h, len(USER_LOCATIONS))
        h, ua_bits = divmod(h, 1024)
        agent = USER_AGENTS[int(len(USER_AGENTS) * (ua_bits / 1024) ** 2)]
        if "," in agent:  # quoted like a CSV field, as in the real logs
            agent = f'"{agent}"'
        registered = self.registered_before - DAY_MS - (self._extra(u) >> 8) % (400 * DAY_MS)
        fields = tuple(
            s.replace("%", "%%")
            for s in (
                json_str((FIRST_F if female else FIRST_M)[f]),
                '"F"' if female else '"M"',
                json_str(LAST[last]),
                json_str(USER_LOCATIONS[loc]),
                f"{registered}.0",
                json_str(agent),
                f'"{(u * self.step) % self.count + 1}"',
            )
        )
        if u < 20_000:
            self._cache[u] = fields
        return fields

    def _extra(self, u: int) -> int:
        return mix64(mix64(self.salt ^ (u * GOLDEN)) ^ GOLDEN)

    def pick(self, r: Callable[[], float]) -> int:
        for _ in range(4):  # prefer a user who is not already listening
            u = _pick(self.cum, r())
            if not self.active[u]:
                break
        return u


def templates(fields: tuple[str, ...], session_id: int) -> tuple[str, str]:
    """Per-session line templates: a song play and any other logged-in page."""
    first, gender, last, location, registration, agent, user_id = fields
    song = (
        '{"artist":%s,"auth":"Logged In","firstName":' + first + ',"gender":' + gender + ',"itemInSession":%d,'
        '"lastName":' + last + ',"length":%s,"level":"%s","location":' + location + ',"method":"PUT",'
        '"page":"NextSong","registration":' + registration + f',"sessionId":{session_id},"song":%s,'
        '"status":200,"ts":%d,"userAgent":' + agent + ',"userId":' + user_id + "}"
    )
    other = (
        '{"artist":null,"auth":"Logged In","firstName":' + first + ',"gender":' + gender + ',"itemInSession":%d,'
        '"lastName":' + last + ',"length":null,"level":"%s","location":' + location + ',"method":"%s",'
        '"page":"%s","registration":' + registration + f',"sessionId":{session_id},"song":null,'
        '"status":%d,"ts":%d,"userAgent":' + agent + ',"userId":' + user_id + "}"
    )
    return song, other


def day_quotas(events: int, days: int, start: date, rng: random.Random) -> list[int]:
    """Events per day: quieter weekends, day-to-day noise, summing to `events` exactly."""
    weights = [
        (0.6 if (start + timedelta(days=d)).weekday() >= 5 else 1.0) * (0.6 + 0.8 * rng.random()) for d in range(days)
    ]
    total = sum(weights)
    exact = [events * w / total for w in weights]
    quotas = [int(x) for x in exact]
    by_remainder = sorted(range(days), key=lambda d: (quotas[d] - exact[d], d))
    for d in by_remainder[: events - sum(quotas)]:
        quotas[d] += 1
    return quotas


def _geometric(mean: float, u: float) -> int:
    if mean <= 1.0:
        return 1
    return 1 + int(math.log(1.0 - u) / math.log(1.0 - 1.0 / mean))


def session_starts(quotas: list[int], begin_ms: int, end_ms: int, rng: random.Random) -> Iterator[tuple[int, int]]:
    """(start ms, number of events) for every session, in start order; lengths add up to the quotas."""
    r = rng.random
    for d, quota in enumerate(quotas):
        if quota <= 0:
            continue
        day0 = begin_ms + d * DAY_MS
        latest = end_ms - 2 - quota  # leaves every session of the last day room for its events
        count = max(1, min(quota, round(quota / MEAN_SESSION)))
        starts = sorted(
            max(day0, min(latest, day0 + _pick(_HOUR_CUM, r()) * 3_600_000 + int(r() * 3_600_000)))
            for _ in range(count)
        )
        left = quota
        for n, t0 in enumerate(starts):
            sessions_left = count - n
            if sessions_left == 1:
                length = left
            else:  # mostly short sessions, a few long ones, like the real ones
                mean = left / sessions_left
                short = max(1.0, 0.45 * mean)
                length = _geometric(short if r() < 0.8 else (mean - 0.8 * short) / 0.2, r())
                length = min(length, left - (sessions_left - 1))
            left -= length
            yield t0, length


class DayFiles:
    """log_data/YYYY/MM/YYYY-MM-DD-events.json, one open at a time, lines joined by \\n, no final newline."""

    def __init__(self, root: Path, begin_ms: int, days: int) -> None:
        self.root, self.begin_ms, self.days = root, begin_ms, days
        self.day = -1
        self.end_ms = begin_ms  # the open file takes ts < end_ms
        self.fh: TextIO | None = None
        self.started = False
        self.files = 0

    def open_for(self, ts: int) -> None:
        while ts >= self.end_ms and self.day < self.days - 1:
            self.close()
            self.day += 1
            self.end_ms += DAY_MS
            when = datetime.fromtimestamp((self.begin_ms + self.day * DAY_MS) / 1000, tz=UTC)
            folder = os.path.join(self.root, f"{when:%Y}", f"{when:%m}")
            os.makedirs(folder, exist_ok=True)
            self.fh = open(os.path.join(folder, f"{when:%Y-%m-%d}-events.json"), "w", encoding="ascii", newline="")
            self.started = False
            self.files += 1

    def write(self, lines: list[str]) -> None:
        if lines:
            assert self.fh is not None, "a file is open once the first event has a day"
            self.fh.write(("\n" if self.started else "") + "\n".join(lines))
            self.started = True

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def write_log_files(
    catalog: Catalog,
    root: Path,
    *,
    events: int,
    users: int,
    days: int,
    start: date,
    match_share: float,
    rng: random.Random,
    user_salt: int,
    report: Callable[[int], None],
) -> EventStats:
    begin_ms = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()) * 1000
    end_ms = begin_ms + days * DAY_MS
    people = Users(user_salt, users, begin_ms)
    starts = session_starts(day_quotas(events, days, start, rng), begin_ms, end_ms, rng)
    out = DayFiles(root, begin_ms, days)
    stats = EventStats()
    try:
        _stream(catalog, people, starts, out, stats, match_share, end_ms, rng, report)
        out.open_for(end_ms - 1)  # the empty days at the end still get their (empty) file
    finally:
        out.close()
    stats.files = out.files
    stats.users = sum(people.seen)
    return stats


def _stream(
    catalog: Catalog,
    people: Users,
    starts: Iterator[tuple[int, int]],
    out: DayFiles,
    stats: EventStats,
    match_share: float,
    end_ms: int,
    rng: random.Random,
    report: Callable[[int], None],
) -> None:
    """The hot loop: local names only, one template format per event, cached plays looked up inline."""
    r = rng.random
    heap: list[tuple[int, int, list[Any]]] = []  # (next ts, session id, session state)
    heappush, heapreplace, heappop = heapq.heappush, heapq.heapreplace, heapq.heappop
    play, near_play, outside_play = catalog.play, catalog.near_play, catalog.outside_play
    plays, out_plays = catalog.play_cache, catalog.outside_cache
    n_plays, n_out_plays = len(plays), len(out_plays)
    level, active, seen = people.level, people.active, people.seen
    songs_base, pool_base, pool = (catalog.songs + Q) / Q, (catalog.outside + Q) / Q, catalog.outside
    songs = catalog.songs
    near_share = match_share + NEAR_SHARE * (1 - match_share)
    pages, other_cum, logged_out = PAGES, _OTHER_CUM, LOGGED_OUT
    buf: list[str] = []
    append = buf.append
    emitted = next_song = matching = 0
    session_id = 0
    nxt = next(starts, None)
    day_end = out.end_ms
    while heap or nxt is not None:
        if nxt is not None and (not heap or nxt[0] <= heap[0][0]):
            t0, length = nxt
            nxt = next(starts, None)
            u = people.pick(r)
            active[u] = 1
            session_id += 1
            song_tmpl, other_tmpl = templates(people.fields(u), session_id)
            logged_in = r() >= 0.07  # some sessions start logged out, on Home or Login
            # state: user, itemInSession, events left, logged in, previous page, templates
            heappush(heap, (t0, session_id, [u, 0, length, logged_in, START, song_tmpl, other_tmpl]))
            continue
        ts, sid, st = heap[0]
        if ts >= day_end:
            out.write(buf)
            buf.clear()
            out.open_for(ts)
            day_end = out.end_ms
        u, item, left, logged_in, prev, song_tmpl, other_tmpl = st
        lv = level[u]
        if logged_in:
            seen[u] = 1
            if prev < LOGIN:  # the common case: nothing in progress
                page = NEXT if r() < P_NEXT else _pick_other(other_cum[lv], r())
            elif prev == START:
                page = NEXT if r() < 0.59 else HOME
            elif prev == LOGIN:
                page = HOME if r() < 0.8 else NEXT
            elif prev == SETTINGS and r() < 0.18:
                page = SAVE
            elif prev == UPGRADE and r() < 0.38:
                page = SUB_UP
            elif prev == DOWNGRADE and r() < 0.02:
                page = SUB_DOWN
            else:
                page = NEXT if r() < P_NEXT else _pick_other(other_cum[lv], r())
            if page == NEXT:
                x = r()
                if x < match_share:
                    idx = int(Q * songs_base ** r()) - Q
                    p = plays[idx] if idx < n_plays else None
                    if p is None:
                        p = play(idx if idx < songs else songs - 1)
                    matching += 1
                elif x >= near_share:
                    idx = int(Q * pool_base ** r()) - Q
                    p = out_plays[idx] if idx < n_out_plays else None
                    if p is None:
                        p = outside_play(idx if idx < pool else pool - 1)
                else:
                    idx = int(Q * songs_base ** r()) - Q
                    p = near_play(idx if idx < songs else songs - 1)
                append(song_tmpl % (p[0], item, p[1], lv, p[2], ts))
                next_song += 1
                # the next event comes when the song ends, or earlier when it is skipped
                gap = p[3] + int(r() * 3000) if r() >= 0.08 else 5000 + int(r() * p[3])
            else:
                name, method, status = pages[page]
                append(other_tmpl % (item, lv, method, name, status, ts))
                gap = 1000 + int(r() * 40_000)
                if page == LOGOUT:
                    st[3] = False
                elif page == SUB_UP:
                    level[u] = "paid"
                elif page == SUB_DOWN:
                    level[u] = "free"
        else:
            if prev == START:
                page = HOME if r() < 0.68 else LOGIN
            else:
                x = r()
                page = HOME if x < 0.45 else LOGIN if x < 0.9 else ABOUT if x < 0.96 else HELP
            name, method, status = pages[page]
            append(logged_out % (item, lv, method, name, sid, status, ts))
            gap = 1000 + int(r() * 30_000)
            if page == LOGIN:
                st[3] = True
        emitted += 1
        if left > 1:
            if ts + gap + left > end_ms:  # keep the session inside the period
                gap = max(1, min(gap, (end_ms - 1 - ts) // (left - 1)))
            st[1] = item + 1
            st[2] = left - 1
            st[4] = page
            heapreplace(heap, (ts + gap, sid, st))
        else:
            heappop(heap)
            active[u] = 0
        if not emitted & 8191:
            out.write(buf)
            buf.clear()
            report(emitted)
    out.write(buf)
    report(emitted)
    stats.events, stats.next_song, stats.matching = emitted, next_song, matching
