"""Song matching: the exact rule, the opt-in normalized rule, and why a near candidate is near.

The SQL side lives in sql/load/_song_match.sql. Only the encoding repair happens here, because
neither DuckDB nor Redshift can re-decode text: the play texts that need it are read, repaired in
Python and put in the temp table `match_repairs` that the SQL joins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sparkify_cli.documents import Document

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.warehouse import Warehouse

Mode = Literal["exact", "normalized"]
REASONS = ("encoding", "punctuation", "case", "duration")


@dataclass(frozen=True)
class MatchRule:
    mode: Mode = "exact"
    tolerance: float = 3.0  # seconds a play's length may differ from the song's (normalized mode)

    @classmethod
    def from_settings(cls, settings: Settings) -> MatchRule:
        return cls(settings.match, settings.match_tolerance)

    def context(self) -> Document:
        """What sql/load/songplays.sql needs to render this rule."""
        return {"match": self.mode, "tolerance": self.tolerance}


EXACT = MatchRule()


def repair_text(text: str) -> str:
    """Undo UTF-8 that was read as Latin-1 (or cp1252) and encoded again, as often as it happened.

    'FÃ\\x83Â¼r' (twice encoded) -> 'Für'. Text that is not such mojibake comes back unchanged.
    """
    for _ in range(4):
        try:
            try:
                repaired = text.encode("latin-1").decode("utf-8")
            except UnicodeEncodeError:
                repaired = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return text
        if repaired == text:
            return text
        text = repaired
    return text


def _punctuation(text: str) -> str:
    """The song files write '_ ' where the source had ', ' (the SQL key() does the same)."""
    return text.replace("_ ", ", ")


def reasons(play: tuple[str, str, float], repaired: tuple[str, str], candidate: tuple[str, str, float]) -> list[str]:
    """Why a play (song, artist, length) missed the exact rule but meets the normalized one."""
    (song, artist, length), (title, artist_name, duration) = play, candidate
    pairs = list(zip(repaired, (title, artist_name), strict=True))
    found = []
    if repaired != (song, artist):
        found.append("encoding")
    if any(a.lower() != b.lower() for a, b in pairs):
        found.append("punctuation")
    if any(_punctuation(a) != _punctuation(b) for a, b in pairs):
        found.append("case")
    if length != duration:
        found.append("duration")
    return found


def prepare(wh: Warehouse, rule: MatchRule, *, batch_only: bool = True) -> Document:
    """Fill `match_repairs` when the rule needs it; returns the template context of the rule.

    batch_only: repair only the texts of the current load batch (the load); otherwise every staged play.
    """
    if rule.mode == "normalized":
        wh.run_template("load/match_repairs.sql")
        _, rows = wh.query(wh.render("load/match_texts.sql", batch_only=batch_only)[0])
        repairs = [(raw, fixed) for (raw,) in rows if (fixed := repair_text(raw)) != raw]
        wh.insert_rows("match_repairs", ["original", "fixed"], repairs)
    return rule.context()
