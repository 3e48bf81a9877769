"""The real CLI on Redshift, without a cluster: the driver is a stand-in that records what it is asked
to send and behaves like Redshift where it matters here (support/redshift_driver.py); S3 is moto.
What a run sends -- the (statement, params) pairs, the COPY inputs it writes to S3 and removes, the
connection it opens -- is what these tests check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sparkify_cli import sql
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse.dryrun import inline
from sparkify_cli.warehouse.redshift import DIALECT
from sparkify_cli.warehouse.redshift.connection import RedshiftWarehouse
from support.cli import invoke
from support.redshift_driver import SESSION, FakeRedshift, LoadError, redshift_world
from support.s3_fixtures import BUCKET, PREFIX, s3

DAY = "log_data/2018/11/2018-11-02-events.json"
TABLES = ["songplays", "users", "staged_files", "runs"]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRedshift]:
    with redshift_world(tmp_path, monkeypatch, FakeRedshift(TABLES)) as found:
        yield found


def scratch_objects() -> list[str]:
    listed = s3().list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/_sparkify/").get("Contents", [])
    return [o["Key"] for o in listed]


def copy_statements(fake: FakeRedshift) -> list[str]:
    return [s for s in fake.statements if re.search(r"^COPY ", s, re.M)]


# --- COPY reads exactly the listed objects (issue 14, item 6) -----------------------------------


def test_copy_reads_exactly_the_days_file_and_the_catalogs_json_files(fake: FakeRedshift) -> None:
    for decoy in (f"{DAY}.gz", f"{DAY}.bak", f"{DAY}.1", "song_data/README.txt", "song_data/A/A/A/TRX.json.bak"):
        s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{decoy}", Body=b'{"not": "data"}\n')
    result = invoke("stage", "--date", "2018-11-02", "--songs")
    assert result.exit_code == 0, result.stderr
    songs, events = fake.copies
    assert songs.objects == [
        f"s3://{BUCKET}/{PREFIX}/song_data/A/A/A/TRAAAAK128F9318786.json",
        f"s3://{BUCKET}/{PREFIX}/song_data/A/B/C/TRABCDE128F00000.json",
    ]
    assert {row["source_file"] for row in events.rows} == {DAY}
    assert all(re.search(r"^MANIFEST$", s, re.M) for s in copy_statements(fake))


def test_copy_inputs_are_removed_when_the_step_ends(fake: FakeRedshift) -> None:
    assert invoke("stage", "--date", "2018-11-02", "--songs").exit_code == 0
    written = {o.split("/")[-1] for c in fake.copies for o in c.objects if "/_sparkify/" in o}
    assert written == {"events-0000.csv.gz"}  # the COPY read sparkify's own CSV ...
    assert scratch_objects() == []  # ... and nothing of it is left
    fake.fail_copy = [("S3ServiceException:Access Denied,Status 403", [])]
    failed = invoke("stage", "--date", "2018-11-02", "--songs")
    assert failed.exit_code == 4 and "Access Denied" in failed.stderr
    assert scratch_objects() == []  # a failed COPY leaves nothing behind either


def test_many_lines_are_copied_in_parts(fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch) -> None:
    from sparkify_cli.warehouse.redshift import lines

    monkeypatch.setattr(lines, "PART_BYTES", 1500)  # about two lines a part
    assert invoke("stage", "--songs").exit_code == 0
    events = next(c for c in fake.copies if "FORMAT AS CSV" in c.statement)
    assert len(events.objects) == 3
    assert [(r["source_file"][-15:], r["line_no"]) for r in events.rows] == [
        ("-01-events.json", "1"),
        ("-01-events.json", "2"),
        ("-01-events.json", "3"),
        ("-02-events.json", "1"),
        ("-02-events.json", "2"),
        ("-04-events.json", "1"),
    ]


# --- --max-errors N accepts N rejects, like DuckDB (item 4) -------------------------------------


def _bad_song_rows(n: int) -> list[LoadError]:
    key = f"s3://{BUCKET}/{PREFIX}/song_data/A/A/A/TRAAAAK128F9318786.json"
    return [LoadError(0, key, line, "year", "Invalid digit, Value 'x', Pos 0") for line in range(1, n + 1)]


def test_exactly_n_bad_rows_with_max_errors_n_are_accepted(fake: FakeRedshift) -> None:
    fake.bad_rows = [_bad_song_rows(3)]
    result = invoke("stage", "--date", "2018-11-02", "--songs", "--max-errors", "3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["songs"]["rejected"] == 3
    assert "MAXERROR 4" in copy_statements(fake)[0]


def test_one_bad_row_more_than_max_errors_fails_the_step(fake: FakeRedshift) -> None:
    fake.bad_rows = [_bad_song_rows(4)]
    result = invoke("stage", "--date", "2018-11-02", "--songs", "--max-errors", "3")
    assert result.exit_code == 4
    assert "song_data/A/A/A/TRAAAAK128F9318786.json:1: column year: Invalid digit" in result.stderr
    assert "(4 rejected rows, --max-errors 3)" in result.stderr


def test_maxerror_stays_within_redshifts_limit(fake: FakeRedshift) -> None:
    assert invoke("stage", "--date", "2018-11-02", "--max-errors", "500000").exit_code == 0
    assert "MAXERROR 100000" in copy_statements(fake)[0]


# --- a failed COPY is judged by its own load errors (item 5) ------------------------------------


def test_a_copy_that_fails_before_loading_reports_the_drivers_message(fake: FakeRedshift) -> None:
    """An earlier COPY of the session left load errors; this one fails on access, with none of its own."""
    fake.load_errors = _bad_song_rows(2)
    for error in fake.load_errors:
        error.query = 50
    fake.last_copy_id = 50
    fake.fail_copy = [("S3ServiceException:Access Denied,Status 403", [])]
    result = invoke("stage", "--date", "2018-11-02")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[-1].startswith("error: Redshift: S3ServiceException:Access Denied")
    assert "TRAAAAK128F9318786" not in result.stderr  # not the earlier COPY's errors


def test_load_errors_are_read_for_this_session_only(fake: FakeRedshift) -> None:
    fake.bad_rows = [_bad_song_rows(1)]
    other = LoadError(0, "s3://elsewhere/x.json", 9, "c", "not ours", session=SESSION + 1)
    fake.load_errors = [other]
    result = invoke("stage", "--date", "2018-11-02", "--songs", "--max-errors", "5", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["songs"]["rejected"] == 1


# --- lineage: each staged row knows its file and line (item 10) --------------------------------


def test_log_rows_carry_their_file_and_line(fake: FakeRedshift, tmp_path: Path) -> None:
    text = '{"not": "an event"}\n\n' + (tmp_path / "source" / DAY).read_text() + "\nnot json\n"
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{DAY}", Body=text.encode())
    assert invoke("stage", "--date", "2018-11-02", "--max-errors", "10").exit_code == 0
    rows = next(c for c in fake.copies if "FORMAT AS CSV" in c.statement).rows
    assert [(r["source_file"], r["line_no"], r["reason"]) for r in rows] == [
        (DAY, "1", ""),  # judged by the format's rules in SQL (missing fields)
        (DAY, "3", ""),
        (DAY, "4", ""),
        (DAY, "5", "invalid JSON: Expecting value"),
    ]
    staged = next(s for s in fake.statements if s.startswith("INSERT INTO songs.staging_events"))
    assert re.search(r"source_file, line_no\nFROM copy_events\nWHERE reason IS NULL", staged)


# --- literals in statements are validated (item 12) ---------------------------------------------


def test_an_s3_prefix_that_would_break_a_statement_is_refused(fake: FakeRedshift, tmp_path: Path) -> None:
    for path in (tmp_path / "source").rglob("*.json"):
        key = f"it's/{path.relative_to(tmp_path / 'source').as_posix()}"
        s3().put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())
    for args in (("--dry-run",), ()):
        result = invoke("stage", "--date", "2018-11-02", "--source", f"s3://{BUCKET}/it's", *args)
        assert result.exit_code == 2, result.stdout
        assert "is not a usable S3 URI" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert copy_statements(fake) == []


# --- LOCK: sparkify's own tables only (item 13) -------------------------------------------------


def test_a_transaction_locks_only_sparkifys_tables(fake: FakeRedshift) -> None:
    fake.tables = ["other_app_orders", "songplays", "time", "users_backup", "users"]
    assert invoke("schema", "create").exit_code == 0
    locks = [s for s in fake.statements if s.startswith("LOCK ")]
    assert locks and all(s == 'LOCK songs."songplays", songs."time", songs."users"' for s in locks)


# --- the connection: a connect timeout, a statement timeout (item 3) ---------------------------


def test_connect_timeout_bounds_connecting_only(fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_REDSHIFT_CONNECT_TIMEOUT", "7.5")
    wh = RedshiftWarehouse.from_settings(DIALECT, load_settings())
    assert fake.kwargs["timeout"] == 8  # whole seconds, as the driver declares it (core.py: the socket's timeout)
    assert wh.con._usock.gettimeout() is None  # lifted once connected: a long LOCK wait is not cut
    assert not [s for s in fake.statements if "statement_timeout" in s]
    wh.close()


def test_statement_timeout_is_the_servers(fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_REDSHIFT_STATEMENT_TIMEOUT", "45")
    RedshiftWarehouse.from_settings(DIALECT, load_settings()).close()
    assert fake.statements == ["SET statement_timeout TO 45000", "SET search_path TO pg_temp"]


# --- what the driver is asked to bind (item 2) --------------------------------------------------

COMMANDS = {
    "run": ("run", "--date", "2018-11-02"),
    "check": ("check", "--date", "2018-11-02"),
    "status": ("status",),
    "runs": ("runs", "--limit", "3"),
    "rejects": ("rejects", "--limit", "3"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_value_is_bound_where_redshift_needs_a_constant(fake: FakeRedshift, command: str) -> None:
    result = invoke(*COMMANDS[command])
    bound = [(s, p) for s, p in fake.sent if p and re.search(r"\b(LIMIT|OFFSET)\s+\?", s)]
    assert bound == [], bound
    assert result.exit_code in (0, 1), result.stderr  # the stand-in answers checks with empty tables


# --- --dry-run of the read-only commands ----------------------------------------------------------

READS = {
    "report": ("report", "--date", "2018-11-02", "--top", "3"),
    "report matches": ("report", "matches", "--start", "2018-11-01", "--end", "2018-11-04"),
    "runs": ("runs", "--limit", "3"),
    "status": ("status",),
    "rejects": ("rejects", "--limit", "3"),
}


def body(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()


@pytest.mark.parametrize("command", list(READS))
def test_a_read_only_dry_run_connects_to_nothing_and_plans_what_the_command_sends(
    fake: FakeRedshift, command: str
) -> None:
    planned = invoke(*READS[command], "--dry-run")
    assert planned.exit_code == 0, planned.stderr
    assert fake.kwargs == {} and fake.sent == []  # no connection, nothing sent
    statements = [body(s) for s in sql.statements(planned.stdout)]
    assert statements
    ran = invoke(*READS[command])
    assert ran.exit_code == 0, ran.stderr
    sent = [body(inline(s, p)) for s, p in fake.sent]
    assert [s for s in sent if s in statements] == statements  # every planned statement is sent, in order


# --- SPARKIFY_REDSHIFT_COPY_PREFIX: where COPY's inputs go --------------------------------------


def objects_under(bucket: str, prefix: str) -> list[str]:
    return [o["Key"] for o in s3().list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]


def test_copy_inputs_go_under_the_copy_prefix_and_are_removed(
    fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3().create_bucket(Bucket="sparkify-scratch", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    monkeypatch.setenv("SPARKIFY_REDSHIFT_COPY_PREFIX", "s3://sparkify-scratch/etl/copy")
    result = invoke("stage", "--date", "2018-11-02", "--songs")
    assert result.exit_code == 0, result.stderr
    sources = [re.search(r"^FROM '([^']*)'", s, re.M).group(1) for s in copy_statements(fake)]  # type: ignore[union-attr]
    assert len(sources) == 2 and all(
        re.fullmatch(r"s3://sparkify-scratch/etl/copy/[0-9a-f]{12}/\w+\.manifest", u) for u in sources
    )
    assert "FORMAT AS JSON 's3://sparkify-scratch/etl/copy/" in copy_statements(fake)[0]  # the JSONPaths file
    lines = [o for c in fake.copies for o in c.objects if o.endswith(".csv.gz")]
    assert lines and all(o.startswith("s3://sparkify-scratch/etl/copy/") for o in lines)  # read by COPY ...
    assert objects_under("sparkify-scratch", "etl/") == []  # ... and gone
    assert objects_under(BUCKET, f"{PREFIX}/_sparkify/") == []  # nothing written in the source

    planned = invoke("stage", "--date", "2018-11-02", "--dry-run")
    assert planned.exit_code == 0, planned.stderr
    assert re.search(r"^FROM 's3://sparkify-scratch/etl/copy/[0-9a-f]{12}/events\.manifest'$", planned.stdout, re.M)


def test_a_copy_prefix_in_another_region_than_the_source_is_refused(
    fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch
) -> None:
    far = boto3.client("s3", region_name="eu-west-1")
    far.create_bucket(Bucket="sparkify-far", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    monkeypatch.setenv("SPARKIFY_REDSHIFT_COPY_PREFIX", "s3://sparkify-far/copy")
    result = invoke("stage", "--date", "2018-11-02")
    assert result.exit_code == 2, result.stderr
    assert "SPARKIFY_REDSHIFT_COPY_PREFIX" in result.stderr and "eu-west-1" in result.stderr
    assert copy_statements(fake) == [] and objects_under("sparkify-far", "") == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_no_sign_request_cannot_stage_into_redshift(fake: FakeRedshift, dry_run: bool) -> None:
    result = invoke("stage", "--date", "2018-11-02", "--no-sign-request", *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "--no-sign-request" in line and "SPARKIFY_REDSHIFT_COPY_PREFIX" in line
    assert copy_statements(fake) == [] and scratch_objects() == []
