"""Song matching: exact by default; SPARKIFY_MATCH=normalized repairs encoding, '_ ', case and small
duration differences, and adds exactly the near candidates `sparkify report matches` lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sparkify_cli import sql
from sparkify_cli.services.pipeline.matching import reasons, repair_text
from sparkify_cli.warehouse import DIALECTS
from support.cli import invoke
from support.data import event, song, write_source


def mojibake(text: str, times: int = 2) -> str:
    """UTF-8 read as Latin-1 and written again as UTF-8, `times` times (the logs have it twice)."""
    for _ in range(times):
        text = text.encode("utf-8").decode("latin-1")
    return text


def test_the_real_datas_double_encoding_is_repaired() -> None:
    assert mojibake("Für") == "FÃ\x83Â¼r"  # the exact form found in the real logs
    assert repair_text("FÃ\x83Â¼r") == "Für"
    assert repair_text(mojibake("Ali Farka Touré, Toumani Diabaté")) == "Ali Farka Touré, Toumani Diabaté"
    assert repair_text(mojibake("Björk", 1)) == "Björk"
    assert repair_text(mojibake("Жизнь")) == "Жизнь"


@pytest.mark.parametrize("clean", ["Für Elise", "Beyoncé", "Жизнь", "plain ASCII", "", "Ã alone", "1865 (96º)"])
def test_clean_text_is_left_alone(clean: str) -> None:
    assert repair_text(clean) == clean


def test_reasons_name_each_difference() -> None:
    assert reasons(("Ask", "Smiths", 1.0), ("Ask", "Smiths"), ("Ask", "Smiths", 2.0)) == ["duration"]
    assert reasons(("A_", "FÃ¼r", 1.0), ("A_", "Für"), ("A_", "Für", 1.0)) == ["encoding"]
    assert reasons(("a, b", "x", 1.0), ("a, b", "x"), ("a_ b", "x", 1.0)) == ["punctuation"]
    assert reasons(("ask", "x", 1.0), ("ask", "x"), ("Ask", "x", 1.0)) == ["case"]
    assert reasons(("a, B", "x", 1.0), ("a, B", "x"), ("A_ b", "x", 2.5)) == ["punctuation", "case", "duration"]


# --- end to end on crafted data -----------------------------------------------------------------

CATALOG = [
    song(song_id="SO_EXACT", artist_id="AR_S", title="Ask", artist_name="The Smiths", duration=200.5),
    song(song_id="SO_ENC", artist_id="AR_B", title="Für Elise", artist_name="Beyoncé", duration=180.0),
    song(
        song_id="SO_PUNCT",
        artist_id="AR_A",
        title="Hello_ Goodbye",
        artist_name="Ali Farka Touré_ Toumani Diabaté",
        duration=150.0,
    ),
    song(song_id="SO_CASE", artist_id="AR_Y", title="Yellow Submarine", artist_name="The Beatles", duration=160.0),
    song(song_id="SO_DUR", artist_id="AR_D", title="Song D", artist_name="Artist D", duration=200.0),
    song(song_id="SO_FAR", artist_id="AR_F", title="Song F", artist_name="Artist F", duration=200.0),
    # an exact candidate wins over a smaller song_id that only matches normalized
    song(song_id="SO_T2", artist_id="AR_T", title="Twin", artist_name="Artist T", duration=100.0),
    song(song_id="SO_T1", artist_id="AR_T", title="TWIN", artist_name="artist t", duration=100.0),
    # among near candidates, the closest duration wins
    song(song_id="SO_C1", artist_id="AR_C", title="Close", artist_name="Artist C", duration=100.0),
    song(song_id="SO_C2", artist_id="AR_C", title="Close", artist_name="Artist C", duration=101.0),
]

PLAYS = [  # (song, artist, length, song_id expected in normalized mode)
    ("Ask", "The Smiths", 200.5, "SO_EXACT"),
    (mojibake("Für Elise"), mojibake("Beyoncé"), 180.0, "SO_ENC"),
    ("Hello, Goodbye", mojibake("Ali Farka Touré, Toumani Diabaté"), 150.0, "SO_PUNCT"),
    ("yellow submarine", "THE BEATLES", 160.0, "SO_CASE"),
    ("Song D", "Artist D", 201.5, "SO_DUR"),
    ("Song F", "Artist F", 210.0, None),  # 10 s off: beyond the tolerance
    ("Twin", "Artist T", 100.0, "SO_T2"),
    ("Close", "Artist C", 100.9, "SO_C2"),
    ("Nowhere", "Nobody", 100.0, None),
]
REASONS = {
    "SO_ENC": ["encoding"],
    "SO_PUNCT": ["encoding", "punctuation"],
    "SO_CASE": ["case"],
    "SO_DUR": ["duration"],
    "SO_C2": ["duration"],
}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    events = [
        event(song=s, artist=a, length=n, itemInSession=i, ts=1541105830796 + i * 60_000)
        for i, (s, a, n, _) in enumerate(PLAYS)
    ]
    return write_source(tmp_path / "src", {"2018-11-01": events}, CATALOG)


def song_ids(env: dict[str, str] | None = None) -> dict[str, Any]:
    """song by the play's song text (each play has its own song text here)."""
    result = invoke(
        "query",
        "SELECT e.song, p.song_id FROM songs.songplays p JOIN songs.staging_events e "
        "ON e.page = 'NextSong' AND p.start_time = make_timestamp((e.ts // 1000) * 1000000)",
        "--format",
        "json",
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    return {r["song"]: r["song_id"] for r in result.json()["rows"]}


def test_exact_is_the_default_and_normalized_adds_what_report_matches_lists(source: Path, tmp_path: Path) -> None:
    assert invoke("run", "--source", str(source)).exit_code == 0
    exact = song_ids()
    assert {k: v for k, v in exact.items() if v} == {"Ask": "SO_EXACT", "Twin": "SO_T2"}

    listed = invoke("report", "matches", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    doc = listed.json()
    assert (doc["plays"], doc["matched"], doc["tolerance"]) == (9, 2, 3.0)
    near = {m["song_id"]: m for m in doc["near"]}
    assert {k: m["reasons"] for k, m in near.items()} == REASONS
    assert near["SO_ENC"]["song_repaired"] == "Für Elise" and near["SO_ENC"]["artist_repaired"] == "Beyoncé"
    assert doc["normalized_rate"] == pytest.approx(7 / 9)
    assert doc["reasons"] == {"encoding": 2, "punctuation": 1, "case": 1, "duration": 2}

    env = {"SPARKIFY_MATCH": "normalized", "SPARKIFY_DUCKDB_PATH": str(tmp_path / "normalized.duckdb")}
    assert invoke("run", "--source", str(source), env=env).exit_code == 0
    normalized = song_ids(env)
    assert normalized == {s: want for s, _, _, want in PLAYS}
    added = {normalized[s] for s in normalized if normalized[s] and not exact[s]}
    assert added == set(near)  # exactly the listed near candidates, with the listed songs

    after = invoke("report", "matches", "--format", "json", env=env).json()
    assert (after["matched"], after["near"]) == (7, [])


def test_tolerance_setting_bounds_duration_matches(source: Path) -> None:
    env = {"SPARKIFY_MATCH": "normalized", "SPARKIFY_MATCH_TOLERANCE": "1"}
    assert invoke("run", "--source", str(source), env=env).exit_code == 0
    ids = song_ids()
    assert ids["Song D"] is None  # 1.5 s off
    assert ids["Close"] == "SO_C2"  # 0.1 s off
    listed = invoke("report", "matches", "--format", "json", env=env).json()
    assert listed["tolerance"] == 1.0 and listed["near"] == []


def test_report_matches_table_names_the_reasons(source: Path) -> None:
    assert invoke("run", "--source", str(source)).exit_code == 0
    result = invoke("report", "matches", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "2 of 9 plays" in result.stdout and "SPARKIFY_MATCH=normalized" in result.stdout
    assert "encoding, punctuation" in result.stdout and "Beyoncé — Für Elise" in result.stdout
    scoped = invoke("report", "matches", "--date", "2018-11-02", "--format", "json").json()
    assert (scoped["plays"], scoped["near"]) == (0, [])


def test_bad_match_setting_is_a_config_error(source: Path) -> None:
    result = invoke("run", "--source", str(source), env={"SPARKIFY_MATCH": "fuzzy"})
    assert result.exit_code == 2
    assert "SPARKIFY_MATCH" in result.stderr


def test_exact_sql_is_unchanged_and_normalized_sql_is_opt_in() -> None:
    for dialect in sorted(DIALECTS):
        default = sql.render("load/songplays.sql", DIALECTS[dialect].macros, schema="songs")
        assert default == sql.render(
            "load/songplays.sql", DIALECTS[dialect].macros, schema="songs", match="exact", tolerance=3.0
        )
        assert "match_repairs" not in default
        assert "c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length" in default
        normalized = sql.render(
            "load/songplays.sql", DIALECTS[dialect].macros, schema="songs", match="normalized", tolerance=2.5
        )
        assert "LEFT JOIN match_repairs rs" in normalized and "<= 2.500000" in normalized
