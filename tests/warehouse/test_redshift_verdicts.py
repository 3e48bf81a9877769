"""The same verdict for the same log line on both warehouses (README, "loads as it is / rejected").

Redshift staging reads log lines in Python (warehouse/redshift/lines.py) and checks their cells with
sql/stage/redshift/validate.sql before apply.sql types them. Without a cluster, that SQL runs here
on DuckDB (it is plain SQL: CASE, CAST, comparisons; GETDATE() is given to DuckDB as a macro),
against the verdicts and staged values of DuckDB's own staging through the real CLI, line by line.
The song catalog goes through COPY's JSON reader on Redshift: its verdicts are checked on a real
cluster (tests/redshift/), and README names the differences.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb

from sparkify_cli import sql
from sparkify_cli.sources.formats import EVENT_FIELDS, EVENTS, SONG_FIELDS
from sparkify_cli.warehouse.redshift import lines
from sparkify_cli.warehouse.redshift.staging import CopyBatch
from support.cli import invoke, query
from support.data import event, write_source

REDSHIFT_ON_DUCKDB = ("duckdb", "default")  # only the macros DuckDB needs differ (strlen, DOUBLE)


def dump(e: dict[str, Any]) -> str:
    return json.dumps(e)


def bad_input() -> dict[str, str | bytes]:
    """One log file per line shape of the README table (and a few more), each on its own day."""
    ok = dump(event())
    cases: dict[str, str | bytes] = {
        "bom and crlf": "\ufeff" + ok + "\r\n" + dump(event(ts=1541105831000)) + "\r\n",
        "blank lines": "\n\n" + ok + "\n   \n\n",
        "empty file": "",
        "truncated line": ok + "\n" + dump(event(ts=1541105830999))[:57],
        "raw newline in a string": dump(event(song="Two\nLines")).replace("\\n", "\n"),
        "invalid utf-8": ok.encode() + b"\n" + dump(event(artist="X")).encode().replace(b"X", b"\xff\xfe"),
        "not an object": '[1, 2]\n"text"\n42\nnull',
        "missing userId": dump({k: v for k, v in event().items() if k != "userId"}),
        "renamed key userID": dump({("userID" if k == "userId" else k): v for k, v in event().items()}),
        "missing artist (not required)": dump({k: v for k, v in event().items() if k != "artist"}),
        "null artist (not required)": dump(event(artist=None, song=None, length=None, page="Home")),
        "null level (required)": dump(event(level=None)),
        "ts as text": dump(event(ts="abc")),
        "ts as digits in a string": dump(event(ts="1541903636796")),
        "ts as a float": dump(event(ts=1541105830796.5)),
        "ts 1e20": ok.replace("1541105830796", "1e20"),
        "ts out of range": dump(event(ts=9_999_999_999_999)),
        "sessionId out of range": dump(event(sessionId=2**31)),
        "negative sessionId": dump(event(sessionId=-5)),
        "duplicate keys": ok[:-1] + ', "level": "paid"}',
        "song too long": dump(event(song="é" * 600)),
        "NextSong without userId": dump(event(userId="")),
        "logged out, not NextSong": dump(event(userId="", page="Home", firstName=None, lastName=None)),
        "number in a text field": dump(event(artist=112, song=1.5)),
        "boolean in a text field": dump(event(artist=True)),
        "object in a number field": dump(event(length={"s": 1})),
        "the same event twice": ok + "\n" + ok,
        "quotes, backslashes, unicode": dump(event(song='say "hi" \\ back', artist="Zoë ☃ 𝄞", location="a,b\tc")),
        "line longer than 4 MB": dump(event(userAgent="x" * 4_200_000)),
    }
    return cases


def day_of(number: int) -> str:
    return f"2018-{1 + number // 28:02d}-{1 + number % 28:02d}"


def key_of(day: str) -> str:
    return f"log_data/{day[:4]}/{day[5:7]}/{day}-events.json"


def duckdb_staging(root: Path) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], tuple[Any, ...]]]:
    """DuckDB's verdicts through the real CLI: rejects and staged rows by (file, line)."""
    result = invoke("stage", "--source", str(root), "--max-errors", "100000", "--no-songs")
    assert result.exit_code == 0, result.stderr
    rejects = {(r["source_file"], r["line_no"]): (r["reason"], r["col"]) for r in query("SELECT * FROM songs.rejects")}
    columns = ", ".join(f.column for f in EVENT_FIELDS)
    staged = {
        (r["source_file"], r["line_no"]): tuple(r[f.column] for f in EVENT_FIELDS)
        for r in query(f"SELECT source_file, line_no, {columns} FROM songs.staging_events")
    }
    return rejects, staged


def redshift_staging(
    files: dict[str, bytes], folder: Path
) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], tuple[Any, ...]]]:
    """Redshift staging's verdicts: lines.py's cells, then validate.sql and apply.sql's typing."""
    con = duckdb.connect()
    con.execute("CREATE MACRO getdate() AS CAST(now() AS TIMESTAMP)")
    con.execute("CREATE SCHEMA songs")
    for statement in sql.render_statements(
        "ddl/staging.sql", REDSHIFT_ON_DUCKDB, schema="songs", event_fields=EVENT_FIELDS, song_fields=SONG_FIELDS
    ):
        con.execute(statement)
    # The CSV sparkify hands COPY, read the way COPY ... CSV EMPTYASNULL reads it (an empty field,
    # quoted or not, is NULL; every cell is text).
    body, count = lines.csv_body(list(files.items()), EVENTS)
    csv = folder / "events.csv"
    csv.write_bytes(gzip.decompress(body))
    names = lines.columns(EVENTS)
    types = {n: "INTEGER" if n in ("line_no", "col") else "VARCHAR" for n in names}
    con.execute(
        "CREATE TABLE copy_events AS SELECT * FROM read_csv(?, header = false, quote = '\"', escape = '\"', "
        "delim = ',', nullstr = '', allow_quoted_nulls = true, columns = ?)",
        [str(csv), types],
    )
    assert con.execute("SELECT count(*) FROM copy_events").fetchone() == (count,)
    con.execute("CREATE TABLE copy_event_rejects AS SELECT * FROM songs.rejects WHERE false")
    ctx = CopyBatch(EVENTS, [], 0, 0).context
    for statement in sql.render_statements("stage/redshift/validate.sql", REDSHIFT_ON_DUCKDB, schema="songs", **ctx):
        con.execute(statement)
    applied = sql.render_statements(
        "stage/redshift/apply.sql", REDSHIFT_ON_DUCKDB, schema="songs", rejects_only=False, **ctx
    )
    insert = next(s for s in applied if s.startswith("INSERT INTO songs.staging_events"))
    con.execute(insert)
    found = con.execute("SELECT source_file, line_no, reason, col FROM copy_event_rejects").fetchall()
    rejects = {(f, n): (reason, col) for f, n, reason, col in found}
    columns = ", ".join(f.column for f in EVENT_FIELDS)
    staged = {
        (r[0], r[1]): tuple(r[2:])
        for r in con.execute(f"SELECT source_file, line_no, {columns} FROM songs.staging_events").fetchall()
    }
    return rejects, staged


def test_every_log_line_gets_the_same_verdict_and_values_on_both_warehouses(tmp_path: Path) -> None:
    cases = bad_input()
    days = {day_of(i): text for i, text in enumerate(cases.values())}
    root = write_source(tmp_path / "src", days)
    files = {key_of(day): (root / key_of(day)).read_bytes() for day in days}
    files[key_of(day_of(0))] = gzip.compress(files[key_of(day_of(0))])  # and one gzip-compressed file
    (root / key_of(day_of(0))).write_bytes(files[key_of(day_of(0))])
    duck_rejects, duck_staged = duckdb_staging(root)
    red_rejects, red_staged = redshift_staging(files, tmp_path)
    label = {key_of(day_of(i)): name for i, name in enumerate(cases)}

    def named(found: dict[tuple[str, int], Any]) -> dict[tuple[str, int], Any]:
        return {(label[f], n): v for (f, n), v in found.items()}

    assert named(red_rejects) == named(duck_rejects)
    assert named(red_staged) == named(duck_staged)
    rejected = {name for name, _ in named(duck_rejects)}
    assert {"truncated line", "invalid utf-8", "ts as digits in a string", "renamed key userID"} <= rejected
    assert "number in a text field" not in rejected and "bom and crlf" not in rejected


def test_the_real_sample_stages_the_same_rows_on_both_warehouses(real_data: Path, tmp_path: Path) -> None:
    logs = sorted((real_data / "log_data").rglob("*.json"))
    files = {p.relative_to(real_data).as_posix(): p.read_bytes() for p in logs}
    duck_rejects, duck_staged = duckdb_staging(real_data)
    red_rejects, red_staged = redshift_staging(files, tmp_path)
    assert red_rejects == duck_rejects == {}
    assert len(red_staged) == 8056 and red_staged == duck_staged
