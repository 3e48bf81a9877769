"""The synthetic song catalog of `sparkify generate`.

Every song and artist is a pure function of (seed, index) through a 64-bit integer hash, so the song
writer and the event writer agree on a song without holding the catalog in memory (1M songs cost
nothing until asked for). Popular entries are cached.

Durations are the trick that makes "matches a catalog song exactly" checkable: a duration is
k / 100000 seconds with k even for catalog songs and k odd for everything the logs play that is not
in the catalog, so no non-matching play can ever equal a catalog song on (title, artist, duration).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist

from sparkify_cli.services.generate.names import (
    ARTIST_PLACES,
    BAND_ADJECTIVES,
    BAND_NOUNS,
    FIRST_F,
    FIRST_M,
    LAST,
    TITLE_SUFFIXES,
    TITLE_WORDS,
    json_str,
    mojibake,
)

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ID_SPACE = 26**5 * 16**3  # ids are 5 letters + 11 hex digits; the first 8 characters are a bijection
_ID_STEP = 2654435761  # odd and not a multiple of 13, so i -> (i * step + offset) % _ID_SPACE is a bijection
_CACHE = 50_000  # most popular entries kept as ready-made JSON fragments

# A log-normal around 4 minutes, like the real durations (10 s .. 23 min).
_DURATIONS = [
    min(1400.0, max(20.0, math.exp(math.log(235.0) + 0.42 * NormalDist().inv_cdf((q + 0.5) / 1024))))
    for q in range(1024)
]
# Non-ASCII words drawn about a third as often as the others (real titles are mostly ASCII).
_WORDS = [w for w in TITLE_WORDS if w.isascii()] * 3 + [w for w in TITLE_WORDS if not w.isascii()]
_YEARS = [y for y in range(1956, 2011) for _ in range(1 + max(0, y - 1975) // 4)]  # more recent = more songs

# What the event writer needs for one play: (artist JSON, length JSON number, song JSON, length in ms).
Play = tuple[str, str, str, int]


def mix64(x: int) -> int:
    """splitmix64's finaliser: a fast, well-spread hash of a 64-bit integer."""
    x &= M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def _ident(prefix: str, index: int, salt: int) -> str:
    """A Million-Song-Dataset-looking id (TRADGPK128F427388A), unique per index within a prefix."""
    code = (index * _ID_STEP + salt) % _ID_SPACE
    letters = code % 26**5
    chars = []
    for _ in range(5):
        letters, d = divmod(letters, 26)
        chars.append(_LETTERS[d])
    return f"{prefix}{''.join(chars)}{code // 26**5:03X}{mix64(salt ^ index) & 0xFFFFFFFF:08X}"


def _duration_k(h: int) -> int:
    """Duration in units of 10 us from hash bits, before the even/odd split."""
    q = h & 1023
    lo = _DURATIONS[q]
    hi = _DURATIONS[q + 1] if q < 1023 else lo * 1.01
    return int((lo + (hi - lo) * ((h >> 10) & 0xFFFF) / 65536) * 100_000)


def _length_json(k: int) -> str:
    return repr(k / 100_000)


class Catalog:
    """Songs 0..songs-1 (in song_data) and a larger virtual pool of songs the logs play that are not."""

    def __init__(self, seed_salts: list[int], songs: int, outside: int) -> None:
        (self._s_artist, self._s_song, self._s_out, self._s_ids, self._s_out_artist) = seed_salts[:5]
        self.songs = songs
        # About 2.5 songs per artist; songs 0..artists-1 each get their own artist so every artist exists.
        self.artists = max(1, (songs * 2 + 4) // 5)
        self.outside = outside
        self.play_cache: list[Play | None] = [None] * min(songs, _CACHE)
        self.outside_cache: list[Play | None] = [None] * min(outside, _CACHE)
        self._artist_head: list[str | None] = [None] * min(self.artists, _CACHE)

    # -- artists -------------------------------------------------------------------------------------------

    def _artist_meta(self, a: int) -> int:
        """Hash bits for an artist's spelling variant and home town (independent of its name's bits)."""
        return mix64(mix64(self._s_artist ^ (a * GOLDEN)) ^ GOLDEN)

    def artist_name(self, a: int, *, outside: bool = False) -> str:
        h = mix64((self._s_out_artist if outside else self._s_artist) ^ (a * GOLDEN))
        style, h = h % 100, h // 100
        first = FIRST_F if h & 1 else FIRST_M
        h >>= 1

        def pick(words: list[str]) -> str:
            nonlocal h
            h, i = divmod(h, len(words))
            return words[i]

        if style < 12:
            return f"The {pick(BAND_NOUNS)}"
        if style < 22:
            return f"The {pick(BAND_ADJECTIVES)} {pick(BAND_NOUNS)}"
        if style < 58:
            return f"{pick(first)} {pick(LAST)}"
        if style < 70:
            return f"{pick(BAND_ADJECTIVES)} {pick(BAND_NOUNS)}"
        if style < 78:
            return pick(BAND_NOUNS)
        if style < 83:
            return f"{pick(first)} {pick(LAST)} & The {pick(BAND_NOUNS)}"
        if style < 86:
            return f"DJ {pick(first)}"
        if style < 90:
            return f"{pick(first)} {pick(LAST)} feat. {pick(first)} {pick(LAST)}"
        if style < 93:
            return f"{pick(BAND_NOUNS)} / {pick(first)} {pick(LAST)}"
        if style < 96:
            return f"{pick(BAND_ADJECTIVES)} {pick(BAND_NOUNS)} N' {pick(BAND_NOUNS)}"
        return f"{pick(LAST)} {pick(LAST)}".upper()

    def has_variant(self, a: int) -> bool:
        """About 10% of artists appear under two spellings in song_data (as in the real data)."""
        return self._artist_meta(a) % 100 < 10

    @staticmethod
    def variant_name(name: str) -> str:
        if name.startswith("The "):
            return name[4:]
        if " & " in name:
            return name.replace(" & ", "_ ", 1)  # the real song files' "_ " for ", "
        if " " in name:
            return name.replace(" ", "-", 1)
        return f"{name}_ {name}"

    def artist_head(self, a: int) -> str:
        """The artist part of a song object, up to and including '"artist_name":'... without the name."""
        cached = self._artist_head[a] if a < len(self._artist_head) else None
        if cached is not None:
            return cached
        h = self._artist_meta(a) >> 8
        where = h % 100
        place, lat, lon = ARTIST_PLACES[(h >> 7) % len(ARTIST_PLACES)]
        if where < 40:
            location, lat_json, lon_json = "", "null", "null"
        elif where < 55:
            location, lat_json, lon_json = place, "null", "null"
        else:
            location = place
            lat_json = "null" if lat is None else repr(lat)
            lon_json = "null" if lon is None else repr(lon)
        text = (
            f'{{"artist_id":"{_ident("AR", a, self._s_ids)}","artist_latitude":{lat_json},'
            f'"artist_location":{json_str(location)},"artist_longitude":{lon_json}'
        )
        if a < len(self._artist_head):
            self._artist_head[a] = text
        return text

    # -- songs ---------------------------------------------------------------------------------------------

    def _title(self, h: int) -> str:
        n, h = h % 100, h // 100
        count = 1 if n < 18 else 2 if n < 55 else 3 if n < 85 else 4
        words = []
        for _ in range(count):
            h, i = divmod(h, len(_WORDS))
            words.append(_WORDS[i])
        if h % 8 == 0:
            words.append(TITLE_SUFFIXES[(h >> 3) % len(TITLE_SUFFIXES)])
        return " ".join(words)

    def song(self, i: int) -> tuple[int, str, str, int, int]:
        """Catalog song i: (artist index, artist name as written in song_data, title, duration k, year)."""
        h1 = mix64(self._s_song ^ (i * GOLDEN))  # title
        h2 = mix64(h1 ^ self._s_song)  # artist
        h3 = mix64(h2 ^ GOLDEN)  # duration, year
        if i < self.artists:
            a = i
        else:  # skewed: low-numbered artists get many songs
            a = int(self.artists * ((h2 >> 11) / 2**53) ** 1.6)
        name = self.artist_name(a)
        if (h2 & 0xFF) < 102 and self.has_variant(a):  # 40% of their songs
            name = self.variant_name(name)
        k = _duration_k(h3) & ~1  # even: a catalog duration
        year = 0 if (h3 >> 32) % 100 < 30 else _YEARS[(h3 >> 40) % len(_YEARS)]
        return a, name, self._title(h1), k, year

    def song_json(self, i: int) -> str:
        a, name, title, k, year = self.song(i)
        return (
            f'{self.artist_head(a)},"artist_name":{json_str(name)},"duration":{_length_json(k)},"num_songs":1,'
            f'"song_id":"{_ident("SO", i, self._s_ids >> 7)}","title":{json_str(title)},"year":{year}}}'
        )

    def track_id(self, file_index: int) -> str:
        return _ident("TR", file_index, self._s_ids >> 13)

    # -- what the logs play --------------------------------------------------------------------------------

    def play(self, i: int) -> Play:
        """A play of catalog song i that matches it exactly (title, artist name, duration)."""
        cached = self.play_cache[i] if i < len(self.play_cache) else None
        if cached is not None:
            return cached
        _, name, title, k, _ = self.song(i)
        play = (json_str(name), _length_json(k), json_str(title), k // 100)
        if i < len(self.play_cache):
            self.play_cache[i] = play
        return play

    def near_play(self, i: int) -> Play:
        """Catalog song i's title and artist with another duration: matches on (title, artist) only."""
        _, name, title, k, _ = self.song(i)
        return json_str(name), _length_json(k + 1), json_str(title), k // 100

    def outside_play(self, j: int) -> Play:
        """A song that is not in song_data. Non-ASCII text is double-encoded, as in the real logs."""
        cached = self.outside_cache[j] if j < len(self.outside_cache) else None
        if cached is not None:
            return cached
        h1 = mix64(self._s_out ^ (j * GOLDEN))
        h2 = mix64(h1 ^ self._s_out)
        h3 = mix64(h2 ^ GOLDEN)
        if h2 & 1:  # half of them by a catalog artist, the rest by artists song_data does not know
            name = self.artist_name(int(self.artists * ((h2 >> 11) / 2**53) ** 1.6))
        else:
            name = self.artist_name((h2 >> 1) % (self.outside + 1), outside=True)
        k = _duration_k(h3) | 1  # odd: never a catalog duration
        play = (json_str(mojibake(name)), _length_json(k), json_str(mojibake(self._title(h1))), k // 100)
        if j < len(self.outside_cache):
            self.outside_cache[j] = play
        return play


def write_song_files(catalog: Catalog, root: Path, songs_per_file: int, report: Callable[[int], None]) -> int:
    """Writes song_data/A/B/C/TRABC....json; returns the number of files."""
    made: set[str] = set()  # membership only, never iterated
    files = 0
    for first in range(0, catalog.songs, songs_per_file):
        track = catalog.track_id(files)
        folder = os.path.join(root, track[2], track[3], track[4])
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        last = min(first + songs_per_file, catalog.songs)
        body = "\n".join(catalog.song_json(i) for i in range(first, last))
        # os.open/os.write: half the system calls of open() (this loop is file-system bound at 100k files)
        fd = os.open(os.path.join(folder, track + ".json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            data = memoryview(body.encode("ascii"))  # no trailing newline, like the real files
            while data:
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
        files += 1
        report(last)
    return files
