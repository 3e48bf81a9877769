"""The Redshift SQL of every step, without a cluster: golden files of the exact script `--dry-run`
prints, every statement parsed in the Redshift dialect, and the dialects' macro files in step.

Regenerate the golden files after an intended SQL change:
    SPARKIFY_UPDATE_GOLDEN=1 /tmp/venv/bin/python -m pytest -q tests/test_redshift_sql.py
and review the diff (git diff tests/golden).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from jinja2 import Environment, FileSystemLoader
from sqlglot import exp

from sparkify_cli import sql
from sparkify_cli.days import Days, select_days
from sparkify_cli.errors import RejectedDataError, SourceError, WarehouseError
from sparkify_cli.services.pipeline import run as pipeline
from sparkify_cli.services.pipeline import schema
from sparkify_cli.services.pipeline.dry_run import dry_run_sql
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import LogLayout
from sparkify_cli.sources.local import LocalSource
from sparkify_cli.warehouse import DIALECTS
from sparkify_cli.warehouse.dryrun import DryRunWarehouse, inline, mask
from sparkify_cli.warehouse.redshift import lock_statement
from sparkify_cli.warehouse.redshift import staging as redshift_staging
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
    step, days, extra = STEPS[name]
    script = dry_run_sql(load_settings(), step, days=days, **extra)
    # The clock (loaded_at, freshness windows) is not part of the contract; the data's 2018 dates are.
    script = re.sub(r"TIMESTAMP '20[2-9]\d-\d\d-\d\d[ T][\d:.]+'", "TIMESTAMP '<now>'", script)
    # Nor is the ledger's run id (random) or its timings.
    script = re.sub(r"'[0-9a-f]{16}'", "'<run_id>'", script)
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
        return {name: render(name) for name in STEPS}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_golden_redshift_sql(rendered: dict[str, str], name: str) -> None:
    path = GOLDEN / f"{name}.sql"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered[name], encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with SPARKIFY_UPDATE_GOLDEN=1"
    assert rendered[name] == path.read_text(encoding="utf-8"), f"{name}: rendered SQL differs from {path}"


def test_there_is_a_golden_file_for_every_step() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.sql")) == sorted(STEPS)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_statement_parses_as_redshift(rendered: dict[str, str], name: str) -> None:
    opaque = []
    for statement in sql.statements(rendered[name]):
        parsed = sqlglot.parse_one(statement, read="redshift", error_level=sqlglot.ErrorLevel.RAISE)
        first = next(line for line in statement.splitlines() if not line.strip().startswith("--"))
        if isinstance(parsed, exp.Command) and not first.startswith("LOCK "):  # sqlglot has no LOCK grammar
            opaque.append(first)
    assert not opaque, f"{name}: parsed only as opaque commands: {opaque}"


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


def test_stage_copies_s3_with_role_region_jsonpaths_and_maxerror(rendered: dict[str, str]) -> None:
    script = rendered["stage_day"]
    copy = re.findall(r"^COPY copy_events .*?;$", script, re.M | re.S)
    assert len(copy) == 1
    assert f"FROM 's3://{BUCKET}/{PREFIX}/log_data/2018/11/2018-11-02-events.json'" in copy[0]
    assert "IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'" in copy[0]
    assert f"FORMAT AS JSON 's3://{BUCKET}/{PREFIX}/log_json_path.json'" in copy[0]
    assert "REGION 'us-west-2'" in copy[0] and "MAXERROR 0" in copy[0] and "COMPUPDATE OFF STATUPDATE OFF" in copy[0]
    songs = re.findall(r"^COPY copy_songs .*?;$", script, re.M | re.S)
    assert len(songs) == 1 and f"FROM 's3://{BUCKET}/{PREFIX}/song_data/'" in songs[0]
    assert "FORMAT AS JSON 'auto ignorecase'" in songs[0]
    # Two transactions, each opened by a LOCK of every sparkify table: the ledger's "running" row,
    # then the day itself (staged rows, files read and the ledger's final row commit together).
    assert script.count("\nBEGIN;\n") == 2 and script.count("\nCOMMIT;\n") == 2
    assert script.count(lock_statement("songs", schema.ALL_TABLES) + ";") == 2
    assert lock_statement("songs", schema.ALL_TABLES) + ";" in script


def test_range_copies_each_days_file_and_skips_missing_days(rendered: dict[str, str]) -> None:
    script = rendered["stage_range"]
    assert re.findall(r"^FROM 's3://\S+/(log_data/\S+)'$", script, re.M) == [
        "log_data/2018/11/2018-11-01-events.json",
        "log_data/2018/11/2018-11-02-events.json",
    ]


def test_without_a_usable_jsonpaths_file_logs_load_by_key_name(redshift_env: Path) -> None:
    broken = JSONPATHS.replace("$['userId']", "$['userAgent']")  # a real broken copy: userAgent twice
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/log_json_path.json", Body=broken.encode())
    script = render("stage_day")
    copy = re.findall(r"^COPY copy_events .*?;$", script, re.M | re.S)[0]
    assert "FORMAT AS JSON 'auto ignorecase'" in copy
    # camelCase keys map by name: the copy table's columns are the lower-cased keys.
    assert "first_name AS firstname" in script and "user_id AS userid" in script
    assert copy.startswith("COPY copy_events (artist, auth, firstname, gender, iteminsession,")


def test_max_errors_and_gzip_reach_copy(redshift_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/log_data/2018/11/2018-11-03-events.json.gz", Body=b"x")
    monkeypatch.setenv("SPARKIFY_MAX_ERRORS", "7")
    monkeypatch.setenv("SPARKIFY_LOG_KEY_TEMPLATE", "log_data/{year}/{month:02d}/{date}-events.json.gz")
    script = dry_run_sql(load_settings(), "stage", days=select_days("2018-11-03", None, None), songs=False)
    copy = re.findall(r"^COPY copy_events .*?;$", script, re.M | re.S)[0]
    assert "\nGZIP\n" in copy and "MAXERROR 7" in copy
    assert "COPY copy_songs" not in script


def test_jsonpaths_must_name_the_event_keys_in_order() -> None:
    assert redshift_staging.jsonpaths_match(JSONPATHS.encode())
    assert redshift_staging.jsonpaths_match(JSONPATHS.replace("$['ts']", "$.ts").encode())
    assert not redshift_staging.jsonpaths_match(JSONPATHS.replace("$['userId']", "$['userAgent']").encode())
    assert not redshift_staging.jsonpaths_match(JSONPATHS.replace("$['userId']", "$['userID']").encode())
    assert not redshift_staging.jsonpaths_match(b"not json")


def test_redshift_stages_from_s3_only(tmp_path: Path) -> None:
    wh = DryRunWarehouse(DIALECTS["redshift"], "songs")
    with pytest.raises(SourceError, match="Redshift COPYs from S3"):
        pipeline.stage(wh, load_settings(), LocalSource.open(write_fixture(tmp_path), LogLayout("x")), Days(None))


def test_no_copy_role_is_a_config_error(moto_module: None) -> None:
    from sparkify_cli.errors import ConfigError

    with pytest.raises(ConfigError, match="no IAM role for COPY.*NoSuchEntity"):
        redshift_staging.copy_role(load_settings(warehouse="redshift", iam_role_name="no-such-role"))


# --- a failing COPY: its load errors become rejects and a one-line error --------------------------


class FailingCopy(DryRunWarehouse):
    """Redshift as far as staging can tell: COPY fails, stl_load_errors has what it skipped."""

    def __init__(self, load_errors: list[tuple[Any, ...]], message: str) -> None:
        super().__init__(DIALECTS["redshift"], "songs", lock="LOCK songs.x")
        self.load_errors, self.message = load_errors, message
        self.answer = self.answers

    def execute(self, statement: str, params: Any = None) -> None:
        super().execute(statement, params)
        if re.search(r"^COPY ", statement, re.M):
            raise WarehouseError(f"Redshift: {self.message}")

    def answers(self, statement: str, params: Any) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        if statement.startswith("SELECT COUNT(*) FROM copy_event_rejects"):
            return ["n"], [(len(self.load_errors),)]
        if statement.startswith("SELECT source_file, line_no, reason FROM copy_event_rejects"):
            return ["source_file", "line_no", "reason"], self.load_errors[:1]
        if statement.startswith("SELECT (SELECT COUNT(*) FROM copy_events"):
            return ["staged", "rejected"], [(0, len(self.load_errors))]
        return None


def test_failed_copy_reports_file_line_and_reason_and_records_rejects(redshift_env: Path) -> None:
    errors = [("log_data/2018/11/2018-11-02-events.json", 2, "column ts: Invalid digit, Value 'a', Pos 0")]
    wh = FailingCopy(errors, "Load into table 'copy_events' failed. Check 'stl_load_errors' system table for details.")
    with pytest.raises(RejectedDataError) as failed:
        pipeline.stage(wh, load_settings(), _s3_source(), select_days("2018-11-02", None, None), songs=False)
    assert str(failed.value).startswith(
        "log_data/2018/11/2018-11-02-events.json:2: column ts: Invalid digit, Value 'a', Pos 0 (1 rejected row(s), "
        "--max-errors 0)"
    )
    script = wh.script()
    assert "FROM stl_load_errors\nWHERE query = pg_last_copy_id()" in script
    assert "INSERT INTO songs.rejects" in script  # recorded for `sparkify rejects` ...
    assert "INSERT INTO songs.staging_events" not in script  # ... and nothing staged


def test_failed_copy_without_load_errors_keeps_the_drivers_message(redshift_env: Path) -> None:
    wh = FailingCopy([], "S3ServiceException:Access Denied,Status 403")
    with pytest.raises(WarehouseError, match="Access Denied") as failed:
        pipeline.stage(wh, load_settings(), _s3_source(), select_days("2018-11-02", None, None), songs=False)
    assert not isinstance(failed.value, RejectedDataError)


def _s3_source() -> Any:
    from sparkify_cli.sources.s3 import S3Source

    return S3Source.open(load_settings(), SOURCE)


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
