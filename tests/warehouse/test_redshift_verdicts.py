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
from pathlib import Path
from typing import Any

import duckdb

from sparkify_cli import sql
from sparkify_cli.sources.formats import EVENT_FIELDS, EVENTS, SONG_FIELDS
from sparkify_cli.warehouse.redshift import lines
from sparkify_cli.warehouse.redshift.staging import CopyBatch
from support.bad_input import bad_input, day_of, key_of
from support.cli import invoke, query
from support.data import write_source

REDSHIFT_ON_DUCKDB = ("duckdb", "default")  # only the macros DuckDB needs differ (strlen, DOUBLE)


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
    assert {
        "truncated line",
        "invalid utf-8",
        "ts as digits in a string",
        "renamed key userID",
        "fraction in a text field",
    } <= rejected
    assert "number in a text field" not in rejected and "bom and crlf" not in rejected


def test_the_real_sample_stages_the_same_rows_on_both_warehouses(real_data: Path, tmp_path: Path) -> None:
    logs = sorted((real_data / "log_data").rglob("*.json"))
    files = {p.relative_to(real_data).as_posix(): p.read_bytes() for p in logs}
    duck_rejects, duck_staged = duckdb_staging(real_data)
    red_rejects, red_staged = redshift_staging(files, tmp_path)
    assert red_rejects == duck_rejects == {}
    assert len(red_staged) == 8056 and red_staged == duck_staged


def test_every_cell_fits_its_redshift_column(tmp_path: Path) -> None:
    """Redshift sizes text in bytes: what sparkify hands COPY fits the copy table (prepare.sql)."""
    cases = bad_input()
    days = {day_of(i): text for i, text in enumerate(cases.values())}
    root = write_source(tmp_path / "src", days)
    sizes = [lines.cell_bytes(f) for f in EVENT_FIELDS]
    for day in days:
        for line in lines.lines(key_of(day), (root / key_of(day)).read_bytes(), EVENTS):
            assert len(line.raw.encode()) <= 1024 and len((line.reason or "").encode()) <= 256
            for (_, text), size in zip(line.cells, sizes, strict=False):
                assert len((text or "").encode()) <= size
