"""`sparkify report` on a hand-made sample whose every number is worked out below, in all three formats."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli import sql
from sparkify_cli.warehouse import DIALECTS
from support.cli import invoke
from support.data import song, write_source
from support.grammar import assert_parses
from support.report_data import ASK, CATALOG, DAYS, HARD_CATALOG, HARD_DAYS, NONE, play


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    source = write_source(tmp_path / "src", DAYS, CATALOG)
    result = invoke("run", "--source", str(source))
    assert result.exit_code == 0, result.stderr
    return source


def report(*args: str) -> dict[str, Any]:
    result = invoke("report", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def without_time(doc: dict[str, Any]) -> dict[str, Any]:
    """The document less the moment it was made (two runs differ only there)."""
    return {**doc, "provenance": {k: v for k, v in doc["provenance"].items() if k != "generated_at"}}


def hours(counts: dict[int, int]) -> list[dict[str, int]]:
    return [{"hour": h, "plays": counts.get(h, 0)} for h in range(24)]


def test_every_number_of_the_whole_report(loaded: Path) -> None:
    r = report()
    assert (r["scope"], r["plays"], r["matched"], r["users_with_plays"], r["sessions"]) == ("all days", 7, 4, 3, 5)
    assert r["match_rate"] == pytest.approx(4 / 7)
    assert (r["first_play"], r["last_play"]) == ("2018-11-01T08:00:00Z", "2018-11-03T21:00:00Z")
    assert r["top_songs"] == [
        {"song_id": "SO1", "title": "Ask", "artist": "The Smiths", "plays": 3},
        {"song_id": "SO2", "title": "Other", "artist": "Band", "plays": 1},
    ]
    assert r["top_artists"] == [
        {"artist_id": "AR1", "name": "The Smiths", "plays": 3},
        {"artist_id": "AR2", "name": "Band", "plays": 1},
    ]
    assert r["plays_by_hour"] == hours({8: 3, 9: 1, 10: 1, 12: 1, 21: 1})
    assert [d["plays"] for d in r["plays_by_weekday"]] == [0, 0, 0, 0, 4, 0, 3]
    assert r["plays_by_weekday"][4]["name"] == "Thursday"
    assert [d["days"] for d in r["plays_by_weekday"]] == [0, 0, 0, 0, 1, 1, 1]  # Nov 1-3: Thu, Fri, Sat
    # users by the level of their last play: user 1 upgraded, so paid 2 (users 1, 2), free 1 (user 3)
    assert r["levels"] == [
        {
            "level": "free",
            "plays": 4,
            "play_share": pytest.approx(4 / 7),
            "users_with_plays": 1,
            "user_share": pytest.approx(1 / 3),
        },
        {
            "level": "paid",
            "plays": 3,
            "play_share": pytest.approx(3 / 7),
            "users_with_plays": 2,
            "user_share": pytest.approx(2 / 3),
        },
    ]
    assert r["top_users"] == [
        {"user_id": "1", "first_name": "Ada", "last_name": "Lovelace", "level": "paid", "plays": 4, "sessions": 2},
        {"user_id": "2", "first_name": "Bob", "last_name": "Moog", "level": "paid", "plays": 2, "sessions": 2},
        {"user_id": "3", "first_name": "Cy", "last_name": "Twombly", "level": "free", "plays": 1, "sessions": 1},
    ]
    assert r["per_day"] == [  # the empty day in between is there, with zeros
        {"day": "2018-11-01", "plays": 4, "sessions": 2, "users_with_plays": 2},
        {"day": "2018-11-02", "plays": 0, "sessions": 0, "users_with_plays": 0},
        {"day": "2018-11-03", "plays": 3, "sessions": 3, "users_with_plays": 3},
    ]


def test_one_day_and_a_range(loaded: Path) -> None:
    day = report("--date", "2018-11-03")
    summary = (day["scope"], day["plays"], day["matched"], day["users_with_plays"], day["sessions"])
    assert summary == ("2018-11-03", 3, 1, 3, 3)
    levels = [(lv["level"], lv["plays"], lv["users_with_plays"]) for lv in day["levels"]]
    assert levels == [("free", 1, 1), ("paid", 2, 2)]
    assert day["top_songs"] == [{"song_id": "SO2", "title": "Other", "artist": "Band", "plays": 1}]
    assert [d["day"] for d in day["per_day"]] == ["2018-11-03"]

    span = report("--start", "2018-11-01", "--end", "2018-11-02", "--top", "1")
    assert (span["scope"], span["plays"], span["sessions"]) == ("2018-11-01 .. 2018-11-02", 4, 2)
    assert [d["plays"] for d in span["per_day"]] == [4, 0]
    assert [u["user_id"] for u in span["top_users"]] == ["1"]
    assert report("--date", "2018-11-02")["plays"] == 0


def test_table_and_html_show_the_same_numbers(loaded: Path, tmp_path: Path) -> None:
    table = invoke("report", env={"COLUMNS": "120"})
    assert table.exit_code == 0, table.stderr
    text = table.stdout
    assert "plays 7 · users with plays 3 · sessions 5 · matched to a catalog song 4 (57.1%)" in text
    assert re.search(r"free\s*│\s*4\s*│\s*57\.1%\s*│\s*1\s*│\s*33\.3%", text)
    assert "notice" not in text  # 57.1% of plays matched: top songs stand on enough
    assert re.search(r"Ada Lovelace\s*│\s*paid\s*│\s*4\s*│\s*2", text)
    assert re.search(r"2018-11-02\s+0\s+0\s+0", text)
    weekdays = text.split("plays per weekday")[1].split("free vs paid")[0]
    assert re.findall(r"^ (\w+day)\s+(\d+)\s+(\d+)", weekdays, re.M) == [
        ("Thursday", "1", "4"),
        ("Friday", "1", "0"),
        ("Saturday", "1", "3"),
    ]  # only the weekdays these days hold, with how many of them
    assert "\x1b[" not in text  # not a terminal: no escape codes

    target = tmp_path / "out" / "r.html"
    target.parent.mkdir()
    result = invoke("report", "--format", "html", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and f"wrote {target}" in result.stderr
    html = target.read_text(encoding="utf-8")
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert embedded and without_time(json.loads(embedded.group(1))) == without_time(report())
    assert html.count("<svg") == 7  # songs, artists, hours, weekdays, plays and sessions per day, levels
    assert "57.14%" not in html and "57.1%" in html
    for remote in ("http://", "https://", "<link", "src=", "@import", "url("):
        assert remote not in html, remote


def test_the_report_says_when_by_which_version_from_which_warehouse_and_days(loaded: Path, tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    made = report()["provenance"]
    after = datetime.now(UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", made["generated_at"]), made
    assert before <= datetime.fromisoformat(made["generated_at"]) <= after
    warehouse = str((tmp_path / "wh.duckdb").resolve())
    assert {k: v for k, v in made.items() if k != "generated_at"} == {
        "sparkify_version": metadata.version("sparkify-cli"),
        "warehouse": "DuckDB",
        "location": warehouse,
        "schema": "songs",
        "source": str(loaded.resolve()),  # what the last run read, as the ledger keeps it
        "days": {"first": "2018-11-01", "last": "2018-11-03", "count": 3},  # all days: those with plays
    }
    assert report("--start", "2018-11-02", "--end", "2018-11-05")["provenance"]["days"] == {
        "first": "2018-11-02",
        "last": "2018-11-05",
        "count": 4,
    }

    line = re.compile(
        r"generated \S+Z by sparkify (\S+) from DuckDB \((.+?)\), schema songs, loaded from (.+?); "
        r"days 2018-11-01 \.\. 2018-11-03 \(3 days, UTC\)"
    )
    table = invoke("report", env={"COLUMNS": "400"})
    found = line.search(table.stdout)
    source = str(loaded.resolve())
    assert found and found.groups() == (metadata.version("sparkify-cli"), warehouse, source), table.stdout
    assert invoke("report", "--format", "html", "-o", "r.html").exit_code == 0
    found = line.search(html.unescape((tmp_path / "r.html").read_text(encoding="utf-8")))
    assert found and found.groups() == (metadata.version("sparkify-cli"), warehouse, source)


@pytest.fixture
def hard(tmp_path: Path) -> Path:
    """The HTML's hard cases: 44 of 1,047 plays match a song, 4 of them free (tests/support/report_data.py)."""
    source = write_source(tmp_path / "src", HARD_DAYS, HARD_CATALOG)
    result = invoke("run", "--source", str(source))
    assert result.exit_code == 0, result.stderr
    return source


def test_a_low_match_rate_is_a_notice_in_every_format(hard: Path, tmp_path: Path) -> None:
    said = "only 44 of 1,047 plays (4.20%) matched a catalog song"
    (notice,) = report()["notices"]
    assert said in notice.lower() and "top songs" in notice

    table = invoke("report", env={"COLUMNS": "300"})
    first = table.stdout.splitlines()[2]  # under the totals, before any top list
    assert first.startswith("notice: ") and said in first.lower(), table.stdout

    assert invoke("report", "--format", "html", "-o", "r.html").exit_code == 0
    page = html.unescape((tmp_path / "r.html").read_text(encoding="utf-8"))
    box = re.search(r'<div class="notice"[^>]*>(.*?)</div>', page, re.S)
    assert box and said in re.sub(r"<[^>]+>", "", box.group(1)).lower()
    assert page.index('class="notice"') < page.index('id="top-songs"')

    # 40 plays on 2018-11-04, all matched: no notice
    assert report("--date", "2018-11-04")["notices"] == []


@pytest.mark.parametrize(("unmatched", "notice"), [(19, False), (20, True)])
def test_the_notice_starts_below_five_percent(tmp_path: Path, unmatched: int, notice: bool) -> None:
    """1 of 20 plays is 5.00%: no notice; 1 of 21 is 4.76%: notice."""
    plays = [play("1", 1, "2018-11-01 08:00:00", "free", ASK, 0)] + [
        play("1", 1, f"2018-11-01 09:{i:02d}:00", "free", NONE, i + 1) for i in range(unmatched)
    ]
    assert invoke("run", "--source", str(write_source(tmp_path / "src", {"2018-11-01": plays}, CATALOG))).exit_code == 0
    assert bool(report()["notices"]) is notice


def test_percentages_are_rounded_alike_in_every_format(hard: Path, tmp_path: Path) -> None:
    """4 free plays of 1,047 are 0.38%: one decimal (0.4%) in one format and two in another disagreed."""
    table = invoke("report", env={"COLUMNS": "200"}).stdout
    assert re.search(r"free\s*│\s*4\s*│\s*0\.38%\s*│\s*0\s*│\s*0%", table), table
    assert invoke("report", "--format", "html", "-o", "r.html").exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    cells = re.findall(r"<td[^>]*>([^<]*%)</td>", page)
    assert cells == ["0.38%", "0%", "99.6%", "100%"]  # free then paid: share of plays, of users with plays
    assert "4.20%" in table and "4.20%" in page  # the match rate


def test_hostile_text_stays_text_in_the_html(tmp_path: Path) -> None:
    """Titles and artists come from the data: markup in them is shown, never run."""
    evil = '</text></svg><script>alert(1)</script><img src=x onerror=alert(2)> & "quotes" `tick`'
    catalog = [song(song_id="SO1", artist_id="AR1", title=evil, artist_name=evil, duration=200.5)]
    what = {"song": evil, "artist": evil, "length": 200.5}
    plays = [play("1", 1, f"2018-11-01 0{i}:00:00", "paid", what, i) for i in range(3)]
    assert invoke("run", "--source", str(write_source(tmp_path / "src", {"2018-11-01": plays}, catalog))).exit_code == 0
    assert invoke("report", "--format", "html", "-o", "r.html").exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and "<img" not in page
    assert "&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;" in page  # shown as text
    assert "<code>tick</code>" not in page  # backticks in data are not markup either
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert embedded and json.loads(embedded.group(1))["top_songs"][0]["title"] == evil


def test_html_defaults_to_a_file_and_json_can_go_to_one(loaded: Path, tmp_path: Path) -> None:
    assert invoke("report", "--format", "html").exit_code == 0
    assert (tmp_path / "sparkify-report.html").is_file()  # tests run in tmp_path
    assert invoke("report", "--format", "json", "-o", "r.json").exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text())["plays"] == 7


def test_report_is_read_only_and_needs_a_loaded_warehouse(tmp_path: Path) -> None:
    missing = invoke("report")
    assert missing.exit_code == 4 and "no DuckDB warehouse" in missing.stderr
    assert invoke("schema", "create").exit_code == 0
    empty = invoke("report")
    assert empty.exit_code == 0 and "no plays in these days" in empty.stdout
    assert report()["per_day"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "pdf"),
        (["--date", "2018-11-01", "--start", "2018-11-01"], "either --date or --start/--end"),
        (["--date", "someday"], "not a valid day"),
        (["matches", "--format", "html"], "html"),
    ],
)
def test_bad_options_are_usage_errors(loaded: Path, args: list[str], message: str) -> None:
    result = invoke("report", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_report_and_report_matches_both_have_help_with_an_example() -> None:
    group = invoke("report", "--help")
    assert group.exit_code == 0 and "Example: sparkify report" in group.stdout and "matches" in group.stdout
    sub = invoke("report", "matches", "--help")
    assert sub.exit_code == 0 and "Example: sparkify report matches" in sub.stdout


# --- the SQL is written once ---------------------------------------------------------------------

TEMPLATES = sorted(p.name for p in (sql.sql_dir() / "report").glob("[!_]*.sql"))


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("scope", [{"start": None, "end": None}, {"start": "2018-11-01", "end": "2018-11-08"}])
def test_every_report_query_renders_as_one_statement_that_parses(dialect: str, scope: dict[str, Any]) -> None:
    assert len(TEMPLATES) == 9
    for name in TEMPLATES:
        (statement,) = sql.render_statements(
            f"report/{name}", DIALECTS[dialect].macros, schema="songs", top=10, tolerance=3.0, **scope
        )
        assert_parses(statement, dialect)
        if scope["start"]:
            assert "TIMESTAMP '2018-11-01 00:00:00'" in statement and "TIMESTAMP '2018-11-08 00:00:00'" in statement


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_normalized_matching_sql_parses(dialect: str) -> None:
    for template, context in [
        ("load/songplays.sql", {"match": "normalized", "tolerance": 3.0}),
        ("load/match_repairs.sql", {}),
        ("load/match_texts.sql", {"batch_only": False}),
        ("load/match_texts.sql", {}),
    ]:
        for statement in sql.render_statements(template, DIALECTS[dialect].macros, schema="songs", **context):
            assert_parses(statement, dialect)
    redshift = sql.render("load/match_texts.sql", DIALECTS["redshift"].macros, schema="songs")
    assert "OCTET_LENGTH(txt) <> LENGTH(txt)" in redshift


def test_demo_ends_with_the_report_and_what_to_try_next(tmp_path: Path) -> None:
    result = invoke("demo", "--dir", str(tmp_path / "demo"), "--events", "400", "--songs", "60")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "sparkify report — all days" in out and "most active users" in out
    assert out.index("sparkify report — all days") < out.index("next:")
    assert "sparkify_cli report --format html --output " in out.split("next:")[1]  # python -m, in-process
