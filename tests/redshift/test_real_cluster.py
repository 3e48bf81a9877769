"""The full pipeline on a real Amazon Redshift cluster. Marked `redshift`: deselected by default and
skipped unless SPARKIFY_TEST_REDSHIFT_* settings are present (see README, "Tests on a real cluster").

    SPARKIFY_TEST_REDSHIFT_SOURCE=s3://bucket/prefix      song_data/ + log_data/ the cluster's role can read;
                                                          the tests write (and delete) under prefix/_sparkify*/
    SPARKIFY_TEST_REDSHIFT_CLUSTER=sparkify               cluster identifier (endpoint and IAM credentials)
    SPARKIFY_TEST_REDSHIFT_HOST / _PORT / _DATABASE / _USER / _PASSWORD / _IAM_ROLE_NAME / _REGION   optional
    SPARKIFY_TEST_REDSHIFT_EXPECT=sparkify                the source is the real sample: check EXPECTED.md numbers

Each run works in its own schema (sparkify_test_<random>) and drops it at the end. Besides the
pipeline on the source, it stages hand-made bad input (README's "loads as it is / rejected" table)
and checks that Redshift gives every line the verdict DuckDB gives it, the MAXERROR boundary, a COPY
beside decoy objects, and a transaction that waits for another's LOCK longer than 30 s.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from sparkify_cli.days import Days, select_days
from sparkify_cli.errors import RejectedDataError
from sparkify_cli.settings import Settings, load_settings
from support.bad_input import bad_input, day_of
from support.cli import invoke, query
from support.data import event, song, write_source

pytestmark = pytest.mark.redshift

# Read at import: the suite's autouse fixture clears SPARKIFY_* variables before each test.
ENV = {
    k.removeprefix("SPARKIFY_TEST_REDSHIFT_"): v
    for k, v in os.environ.items()
    if k.startswith("SPARKIFY_TEST_REDSHIFT_") and v
}
SETTINGS = {
    "HOST": "redshift_host",
    "PORT": "redshift_port",
    "DATABASE": "redshift_database",
    "USER": "redshift_user",
    "PASSWORD": "redshift_password",
    "CLUSTER": "cluster_identifier",
    "IAM_ROLE_NAME": "iam_role_name",
    "REGION": "aws_region",
    "PROFILE": "aws_profile",
}
if "SOURCE" not in ENV or not ({"HOST", "CLUSTER"} & set(ENV)):
    pytest.skip(
        "set SPARKIFY_TEST_REDSHIFT_SOURCE and _CLUSTER (or _HOST) to run on a real cluster", allow_module_level=True
    )
REAL = ENV.get("EXPECT") == "sparkify"


@pytest.fixture(scope="module")
def settings() -> Settings:
    overrides: dict[str, Any] = {field: ENV[key] for key, field in SETTINGS.items() if key in ENV}
    return load_settings(
        warehouse="redshift", source=ENV["SOURCE"], db_schema=f"sparkify_test_{uuid.uuid4().hex[:8]}", **overrides
    )


@pytest.fixture(scope="module")
def wh(settings: Settings) -> Iterator[Any]:
    from sparkify_cli.warehouse import connect

    warehouse = connect(settings)
    try:
        yield warehouse
    finally:
        warehouse.execute(f"DROP SCHEMA IF EXISTS {settings.schema} CASCADE")
        warehouse.close()


@pytest.fixture(scope="module")
def source(settings: Settings) -> Any:
    from sparkify_cli.sources.s3 import S3Source

    return S3Source.open(settings, settings.source)


def counts(wh: Any) -> dict[str, int]:
    from sparkify_cli.services.pipeline.load import row_counts

    return row_counts(wh)


def test_schema_create_twice(wh: Any) -> None:
    from sparkify_cli.services.pipeline import schema

    schema.create(wh)
    schema.create(wh)
    assert schema.exists(wh)


def test_stage_everything(wh: Any, settings: Settings, source: Any) -> None:
    from sparkify_cli.services.pipeline.run import stage

    result = stage(wh, settings, source, Days(None))
    assert result.events.staged > 0 and result.songs.staged > 0 and result.events.rejected == 0
    if REAL:
        assert (result.events.staged, result.songs.staged) == (8056, 1944)
        assert wh.scalar(f"SELECT count(*) FROM {wh.schema}.staging_events WHERE user_agent LIKE '\"%'") == 5917


def test_load_everything(wh: Any, settings: Settings) -> None:
    from sparkify_cli.services.pipeline.run import load

    rows = load(wh, settings, Days(None)).rows
    assert rows["songplays"] > 0
    if REAL:
        assert rows == {"songplays": 6820, "users": 97, "songs": 1943, "artists": 1809, "time": 6813}
        assert wh.scalar(f"SELECT count(*) FROM {wh.schema}.songplays WHERE song_id IS NOT NULL") == 39
        assert wh.scalar(f"SELECT count(*) FROM {wh.schema}.users WHERE level = 'paid'") == 22
        play = wh.query(
            f"SELECT user_id, level FROM {wh.schema}.songplays "
            "WHERE session_id = 221 AND start_time = TIMESTAMP '2018-11-07 18:11:11'"
        )[1]
        assert [tuple(r) for r in play] == [("15", "paid")]


def test_a_day_again_changes_nothing(wh: Any, settings: Settings, source: Any) -> None:
    from sparkify_cli.services.pipeline.run import load, stage

    before = counts(wh)
    day = source.log_files(None)[0][0].key.rsplit("/", 1)[-1][:10]
    days = select_days(day, None, None)
    stage(wh, settings, source, days)
    load(wh, settings, days)
    assert counts(wh) == before


def test_dry_run_with_a_live_reader_changes_nothing(wh: Any, settings: Settings) -> None:
    from sparkify_cli.services.pipeline.dry_run import dry_run_sql

    before = counts(wh)
    script = dry_run_sql(settings, "stage", days=Days(None), songs=True, reader=wh)
    assert "COPY copy_events" in script and "COPY copy_songs" in script
    assert counts(wh) == before


def test_checks_pass(wh: Any, settings: Settings) -> None:
    from sparkify_cli.services.checks.run import run_checks

    report = run_checks(wh, settings)
    assert report.ok, [(r.name, r.status, r.error) for r in report.failures]


def test_a_pipeline_session_sees_only_its_temp_tables_by_plain_name(wh: Any) -> None:
    assert str(wh.scalar("SHOW search_path")).strip() == "pg_temp"


def test_read_only_sessions_refuse_writes_and_checks_can_be_cancelled(wh: Any, settings: Settings) -> None:
    from sparkify_cli.errors import NotAllowed, StatementTimeout
    from sparkify_cli.services.pipeline.dry_run import DryRun
    from sparkify_cli.services.reports.history import list_runs
    from sparkify_cli.warehouse import connect

    s = settings.schema
    before = counts(wh)
    reader = connect(settings, read_only=True)
    try:
        with pytest.raises(NotAllowed, match="not allowed on a read-only connection"):
            reader.execute(f"DELETE FROM {s}.users")
        with pytest.raises(NotAllowed):
            reader.query(f"SELECT 1; DELETE FROM {s}.users")
        assert counts(wh) == before
        plan = DryRun(reader=reader)
        list_runs(settings, 5, dry_run=plan)
        assert f"FROM {s}.runs ORDER BY started_at DESC LIMIT 5;" in plan.script
        if before["songplays"] < 1000:
            pytest.skip("too few plays for a query that runs long")
        with pytest.raises(StatementTimeout, match="timed out after 2 s"):
            with reader.time_limit(2):  # about 10^12 rows: cancelled by pg_cancel_backend
                reader.query(f"SELECT count(*) FROM {s}.songplays a, {s}.songplays b, {s}.songplays c, {s}.time d")
        assert reader.scalar("SELECT 1") == 1  # the session goes on
    finally:
        reader.close()


# --- the same verdict as DuckDB, and the edges of COPY (issue 14) ---------------------------------


def _upload(local: Path, uri: str) -> None:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3")
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{path.relative_to(local).as_posix()}", Body=path.read_bytes())


def _remove(uri: str) -> None:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])


@pytest.fixture
def scratch_source(settings: Settings) -> Iterator[str]:
    """A source of the test's own under the real one (the cluster's role reads it), removed after."""
    uri = f"{settings.source.rstrip('/')}/_sparkify_test/{uuid.uuid4().hex[:8]}"
    try:
        yield uri
    finally:
        _remove(uri)


def _on_redshift(
    settings: Settings, source: str, schema_name: str, max_errors: int = 0, days: Days | None = None
) -> Any:
    """Stage `source` into a schema of its own; its rejects, staged log lines and song ids."""
    from sparkify_cli.services.pipeline import schema
    from sparkify_cli.services.pipeline.run import stage
    from sparkify_cli.sources.s3 import S3Source
    from sparkify_cli.warehouse import connect

    mine = settings.model_copy(update={"db_schema": schema_name, "source": source, "max_errors": max_errors})
    wh = connect(mine)
    try:
        schema.create(wh)
        stage(wh, mine, S3Source.open(mine, source), days or Days(None), songs=True)
        rejects = {
            tuple(r[:2]): r[2] for r in wh.query(f"SELECT source_file, line_no, reason FROM {schema_name}.rejects")[1]
        }
        staged = wh.query(f"SELECT source_file, line_no FROM {schema_name}.staging_events")[1]
        songs = wh.query(f"SELECT song_id FROM {schema_name}.staging_songs ORDER BY 1")[1]
        return rejects, sorted(tuple(r) for r in staged), [r[0] for r in songs]
    finally:
        wh.execute(f"DROP SCHEMA IF EXISTS {schema_name} CASCADE")
        wh.close()


def _on_duckdb(local: Path, tmp_path: Path) -> Any:
    env = {"SPARKIFY_WAREHOUSE": "duckdb", "SPARKIFY_DUCKDB_PATH": str(tmp_path / "verdicts.duckdb")}
    result = invoke("stage", "--source", str(local), "--max-errors", "100000", "--songs", env=env)
    assert result.exit_code == 0, result.stderr
    rejects = {(r["source_file"], r["line_no"]): r["reason"] for r in query("SELECT * FROM songs.rejects", env)}
    staged = query("SELECT source_file, line_no FROM songs.staging_events", env)
    songs = query("SELECT song_id FROM songs.staging_songs ORDER BY 1", env)
    return rejects, sorted((r["source_file"], r["line_no"]) for r in staged), [r["song_id"] for r in songs]


def test_bad_input_gets_the_verdicts_it_gets_on_duckdb(settings: Settings, scratch_source: str, tmp_path: Path) -> None:
    cases = bad_input()
    songs = {
        "A/A/A/TR1.json": json.dumps(song(song_id="S1", artist_name=112)),  # a number in a text field loads
        "A/A/B/TR2.json": json.dumps(song(song_id="S2")) + "\n" + json.dumps(song(song_id="S3"), indent=2),
        "A/A/C/TR3.json": json.dumps(song(song_id="S4", year="1986")),  # rejected on both: a string
        "A/A/D/TR4.json": json.dumps(song(song_id="S5", title=True)),  # rejected on both: a boolean
        "A/A/E/TR5.json": json.dumps({k: v for k, v in song(song_id="S6").items() if k != "artist_id"}),
    }
    local = write_source(tmp_path / "src", {day_of(i): text for i, text in enumerate(cases.values())}, songs)
    _upload(local, scratch_source)
    red_rejects, red_staged, red_songs = _on_redshift(
        settings, scratch_source, f"sparkify_test_{uuid.uuid4().hex[:8]}", 100000
    )
    duck_rejects, duck_staged, duck_songs = _on_duckdb(local, tmp_path)
    assert red_staged == duck_staged and red_songs == duck_songs == ["S1", "S2", "S3"]
    events = {k: v for k, v in duck_rejects.items() if k[0].startswith("log_data/")}
    assert {k: v for k, v in red_rejects.items() if k[0].startswith("log_data/")} == events
    # Song records are read by COPY, which does not say which file a row it loaded came from, nor
    # tells a missing key from a null (README): the same records are rejected, named differently.
    assert len([k for k in red_rejects if k[0].startswith("song_data")]) == 2
    assert len([k for k in duck_rejects if k[0].startswith("song_data")]) == 2


def test_maxerror_n_accepts_exactly_n_bad_records(settings: Settings, scratch_source: str, tmp_path: Path) -> None:
    """Three song files COPY itself cannot read (a truncated object each): --max-errors 3 stages the
    rest; --max-errors 2 stages nothing and names the first bad file."""
    songs = {f"B/B/B/TRBAD{i}.json": json.dumps(song(song_id=f"X{i}"))[:40] for i in range(3)}
    songs["B/B/C/TRGOOD.json"] = json.dumps(song(song_id="G1"))
    local = write_source(tmp_path / "src", {"2018-11-01": [event()]}, songs)
    _upload(local, scratch_source)
    name = f"sparkify_test_{uuid.uuid4().hex[:8]}"
    rejects, _, loaded = _on_redshift(settings, scratch_source, name, 3)
    assert loaded == ["G1"] and len(rejects) == 3
    with pytest.raises(
        RejectedDataError, match=r"song_data/B/B/B/TRBAD0\.json:1: .*\(3 rejected row\(s\), --max-errors 2\)"
    ):
        _on_redshift(settings, scratch_source, name, 2)


def test_copy_reads_the_days_file_and_not_its_neighbours(
    settings: Settings, scratch_source: str, tmp_path: Path
) -> None:
    day = [event(), event(ts=1541105831000, itemInSession=1)]
    local = write_source(tmp_path / "src", {"2018-11-01": day})
    key = local / "log_data/2018/11/2018-11-01-events.json"
    decoy = json.dumps(event(ts=1541105832000, itemInSession=2)).encode()
    for suffix, body in ((".gz", gzip.compress(decoy)), (".bak", decoy), (".1", decoy)):
        key.with_name(key.name + suffix).write_bytes(body)
    (local / "song_data" / "README.txt").write_text("not a song")
    _upload(local, scratch_source)
    day_only = select_days("2018-11-01", None, None)
    _, staged, _ = _on_redshift(settings, scratch_source, f"sparkify_test_{uuid.uuid4().hex[:8]}", days=day_only)
    assert staged == [("log_data/2018/11/2018-11-01-events.json", 1), ("log_data/2018/11/2018-11-01-events.json", 2)]
    bucket, _, prefix = scratch_source.removeprefix("s3://").partition("/")
    left = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/_sparkify/")
    assert left.get("KeyCount", 0) == 0  # every COPY input was removed when its COPY ended


def test_a_transaction_waits_for_another_runs_lock_longer_than_30_seconds(wh: Any, settings: Settings) -> None:
    """The connect timeout (5 s here) does not cut a statement: a LOCK queued behind another run for
    35 s goes through once that run commits."""
    from sparkify_cli.services.pipeline import schema
    from sparkify_cli.warehouse import connect

    schema.create(wh)
    patient = settings.model_copy(update={"redshift_connect_timeout": 5.0})
    holder, waiter = connect(patient), connect(patient)
    order: list[str] = []
    locked = threading.Event()

    def hold() -> None:
        with holder.transaction():
            order.append("held")
            locked.set()
            time.sleep(35)
            order.append("released")

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(60)
        with waiter.transaction():  # its LOCK waits for the holder's commit
            order.append("got the lock")
    finally:
        thread.join()
        holder.close()
        waiter.close()
    assert order == ["held", "released", "got the lock"]
