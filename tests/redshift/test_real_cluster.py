"""The full pipeline on a real Amazon Redshift cluster. Marked `redshift`: deselected by default and
skipped unless SPARKIFY_TEST_REDSHIFT_* settings are present (see README, "Running on Redshift").

    SPARKIFY_TEST_REDSHIFT_SOURCE=s3://bucket/prefix      song_data/ + log_data/ the cluster's role can read
    SPARKIFY_TEST_REDSHIFT_CLUSTER=sparkify               cluster identifier (endpoint and IAM credentials)
    SPARKIFY_TEST_REDSHIFT_HOST / _PORT / _DATABASE / _USER / _PASSWORD / _IAM_ROLE_NAME / _REGION   optional
    SPARKIFY_TEST_REDSHIFT_EXPECT=sparkify                the source is the real sample: check EXPECTED.md numbers

Each run works in its own schema (sparkify_test_<random>) and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sparkify_cli.days import Days, select_days
from sparkify_cli.settings import Settings, load_settings

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
