"""The Redshift SQL of every step and read-only command, without a cluster: golden files of the
exact script `--dry-run` prints, what its COPY statements promise, and the dialects' macro files in
step. (Every statement is parsed by sqlfluff's Redshift grammar in test_redshift_grammar.py.)

Regenerate the golden files after an intended SQL change:
    SPARKIFY_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/warehouse/test_redshift_sql.py
and review the diff (git diff tests/golden).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from sparkify_cli import sql
from sparkify_cli.days import Days, select_days
from sparkify_cli.errors import SourceError
from sparkify_cli.services.pipeline import run as pipeline
from sparkify_cli.services.pipeline import schema
from sparkify_cli.services.pipeline.dry_run import dry_run_sql
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import LogLayout
from sparkify_cli.sources.formats import SONG_FIELDS
from sparkify_cli.sources.local import LocalSource
from sparkify_cli.warehouse import DIALECTS
from sparkify_cli.warehouse.dryrun import DryRunWarehouse, inline, mask
from sparkify_cli.warehouse.redshift import lock_statement
from sparkify_cli.warehouse.redshift import staging as redshift_staging
from sparkify_cli.warehouse.redshift.connection import own_tables
from sparkify_cli.warehouse.redshift.scratch import jsonpaths, manifest
from support.cli import invoke
from support.s3_fixtures import (
    BUCKET,
    JSONPATHS,
    PREFIX,
    SOURCE,
    fake_aws,
    make_bucket,
    make_role,
    s3,
    upload,
    write_fixture,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "redshift"
UPDATE = os.environ.get("SPARKIFY_UPDATE_GOLDEN") == "1"
CHECK_DAY = select_days("2018-11-02", None, None).days[0]  # type: ignore[index]

# name -> (step, days, extra keyword arguments of dry_run_sql)
STEPS: dict[str, tuple[str, Days | None, dict[str, Any]]] = {
    "schema_create": ("schema", None, {}),
    "schema_create_drop": ("schema", None, {"drop": True}),
    "stage_all": ("stage", Days(None), {}),
    "stage_day": ("stage", select_days("2018-11-02", None, None), {}),
    "stage_range": ("stage", select_days(None, "2018-11-01", "2018-11-03"), {}),
    "load_all": ("load", Days(None), {}),
    "load_day": ("load", select_days("2018-11-02", None, None), {}),
    "check_all": ("check", None, {}),
    "check_day": ("check", None, {"day": CHECK_DAY}),
}
# name -> the read-only command, run with --dry-run through the CLI
READS: dict[str, tuple[str, ...]] = {
    "report_day": ("report", "--date", "2018-11-02", "--top", "5"),
    "report_matches_all": ("report", "matches"),
    "runs": ("runs", "--limit", "5"),
    "status": ("status",),
    "rejects": ("rejects", "--limit", "5"),
}


@pytest.fixture(scope="module")
def moto_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One moto for the module (starting and resetting it is the slow part) with the COPY role."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as monkeypatch:
        fake_aws(monkeypatch, tmp_path_factory.mktemp("aws"))
        with mock_aws():
            make_role()
            yield


def _setup_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The source bucket holding exactly the fixture data and its JSONPaths file."""
    local = write_fixture(tmp_path / "local")
    if BUCKET in {b["Name"] for b in s3().list_buckets()["Buckets"]}:
        for obj in s3().list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3().delete_object(Bucket=BUCKET, Key=obj["Key"])
    else:
        make_bucket()
    upload(local)
    monkeypatch.setenv("SPARKIFY_WAREHOUSE", "redshift")
    monkeypatch.setenv("SPARKIFY_SOURCE", SOURCE)
    return local


@pytest.fixture
def redshift_env(moto_module: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _setup_source(tmp_path, monkeypatch)


def render(name: str) -> str:
    if name in READS:
        result = invoke(*READS[name], "--dry-run")
        assert result.exit_code == 0, result.stderr
        script = result.stdout
    else:
        step, days, extra = STEPS[name]
        script = dry_run_sql(load_settings(), step, days=days, **extra)
    # The clock (loaded_at, freshness windows) is not part of the contract; the data's 2018 dates are.
    script = re.sub(r"TIMESTAMP '20[2-9]\d-\d\d-\d\d[ T][\d:.]+'", "TIMESTAMP '<now>'", script)
    # Nor is the ledger's run id (random) or its timings, or the folder of a step's COPY inputs.
    script = re.sub(r"'[0-9a-f]{16}'", "'<run_id>'", script)
    script = re.sub(r"_sparkify/copy/[0-9a-f]{12}/", "_sparkify/copy/<token>/", script)
    return re.sub(r'\\?"seconds\\?": \{[^}]*\}', '"seconds": {<timings>}', script)


@pytest.fixture(scope="module")
def rendered(moto_module: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every step's script, rendered once."""
    tmp = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for key in [k for k in os.environ if k.startswith("SPARKIFY_")]:
            monkeypatch.delenv(key)
        monkeypatch.chdir(tmp)
        monkeypatch.setenv("SPARKIFY_CACHE_DIR", str(tmp / "cache"))
        _setup_source(tmp, monkeypatch)
        return {name: render(name) for name in [*STEPS, *READS]}


@pytest.mark.parametrize("name", sorted([*STEPS, *READS]))
def test_golden_redshift_sql(rendered: dict[str, str], name: str) -> None:
    path = GOLDEN / f"{name}.sql"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered[name], encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with SPARKIFY_UPDATE_GOLDEN=1"
    assert rendered[name] == path.read_text(encoding="utf-8"), f"{name}: rendered SQL differs from {path}"


def test_there_is_a_golden_file_for_every_step() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.sql")) == sorted([*STEPS, *READS])


def test_golden_scripts_are_sql_only() -> None:
    """Piped into a SQL client: every line is a comment, part of a statement, or blank."""
    for path in GOLDEN.glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert text.rstrip().endswith(";"), path
        for statement in sql.statements(text):
            assert not statement.rstrip().endswith(";")


def test_dialects_override_only_macros_the_default_defines() -> None:
    env = Environment(loader=FileSystemLoader(str(sql.sql_dir())))

    def macros(name: str) -> dict[str, tuple[str, ...]]:
        module = env.get_template(f"macros/{name}.sql").module
        return {n: tuple(getattr(module, n).arguments) for n in dir(module) if not n.startswith("_")}

    default = macros("default")
    assert {"text", "table_options", "epoch_ms_to_timestamp", "create_schema"} <= set(default)
    for dialect in DIALECTS.values():
        assert dialect.macros[-1] == "default"
        for name in dialect.macros[:-1]:
            overrides = macros(name)
            assert overrides, f"macros/{name}.sql overrides nothing"
            assert {n: default[n] for n in overrides} == overrides, f"macros/{name}.sql: same names and arguments"


# --- what the golden files promise, said directly ------------------------------------------------


def copies(script: str) -> list[str]:
    return re.findall(r"^COPY .*?;$", script, re.M | re.S)


def test_stage_copies_through_manifests_with_role_region_and_maxerror(rendered: dict[str, str]) -> None:
    script = rendered["stage_day"]
    songs, events = copies(script)
    scratch = f"s3://{BUCKET}/{PREFIX}/_sparkify/copy/<token>"
    for copy in (songs, events):
        assert "\nMANIFEST\n" in copy and "IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'" in copy
        assert "REGION 'us-west-2'" in copy and "MAXERROR 1" in copy and "COMPUPDATE OFF STATUPDATE OFF" in copy
    assert songs.startswith("COPY copy_song_json (artist_id, artist_latitude,")
    assert f"FROM '{scratch}/songs.manifest'" in songs and f"FORMAT AS JSON '{scratch}/songs.jsonpaths'" in songs
    assert events.startswith("COPY copy_events (line_no, source_file, col, reason, raw_line, artist_t, artist_v,")
    assert f"FROM '{scratch}/events.manifest'" in events and "FORMAT AS CSV" in events and "\nGZIP\n" in events
    assert "'auto ignorecase'" not in script and "log_json_path.json" not in script
    # Two transactions, each opened by a LOCK of every sparkify table: the ledger's "running" row,
    # then the day itself (staged rows, files read and the ledger's final row commit together).
    assert script.count("\nBEGIN;\n") == 2 and script.count("\nCOMMIT;\n") == 2
    assert script.count(lock_statement("songs", schema.ALL_TABLES) + ";") == 2


def test_a_range_copies_each_days_lines_and_skips_missing_days(rendered: dict[str, str]) -> None:
    script = rendered["stage_range"]
    assert re.findall(r"^-- \S+/events-0000\.csv\.gz: the lines of (\S+),", script, re.M) == [
        "log_data/2018/11/2018-11-01-events.json",
        "log_data/2018/11/2018-11-02-events.json",
    ]
    assert len(copies(script)) == 3  # the catalog, then one COPY per day


def test_the_sources_own_jsonpaths_file_is_not_used(redshift_env: Path) -> None:
    """COPY's JSON reader is used for the catalog only, with sparkify's own JSONPaths file: a broken
    log_json_path.json (userAgent twice) in the source changes nothing."""
    broken = JSONPATHS.replace("$['userId']", "$['userAgent']")
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/log_json_path.json", Body=broken.encode())
    assert render("stage_day") == (GOLDEN / "stage_day.sql").read_text(encoding="utf-8")


def test_sparkifys_jsonpaths_name_each_key_exactly_and_manifests_each_object() -> None:
    paths = json.loads(jsonpaths([f.key for f in SONG_FIELDS]))["jsonpaths"]
    assert paths[0] == '$["artist_id"]' and len(paths) == len(SONG_FIELDS)
    listed = json.loads(manifest(["s3://bkt/p/song_data/A/x.json", "s3://bkt/p/song_data/B/y.json"]))
    assert listed == {
        "entries": [
            {"url": "s3://bkt/p/song_data/A/x.json", "mandatory": True},
            {"url": "s3://bkt/p/song_data/B/y.json", "mandatory": True},
        ]
    }


def test_max_errors_and_gzip_reach_copy(redshift_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("log_data/2018/11/2018-11-03-events.json.gz", "song_data/Z/Z/Z/TRZZZ.json.gz"):
        s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=b"x")
    for key in ("song_data/A/A/A/TRAAAAK128F9318786.json", "song_data/A/B/C/TRABCDE128F00000.json"):
        s3().delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")
    monkeypatch.setenv("SPARKIFY_MAX_ERRORS", "7")
    monkeypatch.setenv("SPARKIFY_LOG_KEY_TEMPLATE", "log_data/{year}/{month:02d}/{date}-events.json.gz")
    script = dry_run_sql(load_settings(), "stage", days=select_days("2018-11-03", None, None), songs=True)
    songs, events = copies(script)
    assert "\nGZIP\n" in songs and "MAXERROR 8" in songs  # --max-errors 7 accepts 7: COPY fails at 8
    assert "MAXERROR 8" in events


def test_the_tables_a_transaction_locks_are_the_ones_the_ddl_creates() -> None:
    assert own_tables() == frozenset(schema.ALL_TABLES)


def test_redshift_stages_from_s3_only(tmp_path: Path) -> None:
    wh = DryRunWarehouse(DIALECTS["redshift"], "songs")
    with pytest.raises(SourceError, match="Redshift COPYs from S3"):
        pipeline.stage(wh, load_settings(), LocalSource.open(write_fixture(tmp_path), LogLayout("x")), Days(None))


def test_no_copy_role_is_a_config_error(moto_module: None) -> None:
    from sparkify_cli.errors import ConfigError

    with pytest.raises(ConfigError, match="no IAM role for COPY.*NoSuchEntity"):
        redshift_staging.copy_role(load_settings(warehouse="redshift", iam_role_name="no-such-role"))


# --- the dry-run script itself -------------------------------------------------------------------


def test_values_are_inlined_outside_literals_and_comments() -> None:
    statement = "-- is it? yes\nSELECT '?', \"a?\" FROM t WHERE a = ? AND b = ? AND c = 'it''s ?' AND d = ?"
    assert inline(statement, ["x'y", None, [1, 2.5]]) == (
        "-- is it? yes\nSELECT '?', \"a?\" FROM t WHERE a = 'x''y' AND b = NULL AND c = 'it''s ?' AND d = [1, 2.5]"
    )


def test_credentials_are_masked() -> None:
    text = (
        "COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id=AKIA1;aws_secret_access_key=abc'\n"
        "ACCESS_KEY_ID 'AKIA2' SECRET_ACCESS_KEY 'it''s-secret' SESSION_TOKEN 'tok' IAM_ROLE 'arn:aws:iam::1:role/r';"
    )
    masked = mask(text, ["Pw-distinctive-123"])
    for secret in ("AKIA1", "abc", "AKIA2", "it''s-secret", "tok"):
        assert secret not in masked
    assert "IAM_ROLE 'arn:aws:iam::1:role/r'" in masked  # a role ARN is not a credential
    wh = DryRunWarehouse(DIALECTS["redshift"], "songs", secrets=["Pw-distinctive-123"])
    wh.execute("ALTER USER u PASSWORD ?", ["Pw-distinctive-123"])
    assert "Pw-distinctive-123" not in wh.script() and "PASSWORD '********'" in wh.script()
