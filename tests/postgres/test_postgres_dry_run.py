"""--dry-run on PostgreSQL plans like Redshift: the SQL of the step, the lock after each BEGIN, sent
nowhere (no connection is opened). The schema script replays to the schema `schema create` makes."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from sparkify_cli import sql
from support.cli import invoke
from support.data import generated
from support.harness import Harness

NOWHERE = "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=1"
COLUMNS = (
    "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable "
    "FROM information_schema.columns WHERE table_schema = 'songs' ORDER BY 1, 2"
)


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_WAREHOUSE", "postgres")
    monkeypatch.setenv("SPARKIFY_POSTGRES_DSN", NOWHERE)


def test_stage_load_and_check_plan_without_a_server(nowhere: None, tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src", days=2)
    stage = invoke("stage", "--source", str(src), "--date", days[0], "--dry-run")
    assert stage.exit_code == 0, stage.stderr
    script = stage.stdout
    assert "COPY lines_events (file_no, line_no, raw, pre_reason, pre_col, exponent) FROM STDIN;" in script
    assert "CREATE TEMP TABLE checked_events AS" in script
    statements = sql.statements(script)
    begins = [i for i, s in enumerate(statements) if s == "BEGIN"]
    assert begins and all(
        "pg_advisory_xact_lock(hashtext('sparkify'), hashtext('songs'))" in statements[i + 1] for i in begins
    )
    for step in (["load", "--date", days[0]], ["check"], ["schema", "create"]):
        planned = invoke(*step, "--dry-run")
        assert planned.exit_code == 0, (step, planned.stderr)
        assert planned.stdout.startswith("-- sparkify --dry-run: ")


def test_schema_script_replays_to_the_schema(postgres: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    planned = invoke("schema", "create", "--dry-run")
    assert planned.exit_code == 0, planned.stderr
    assert postgres.snapshot(postgres.env()) == {}  # the dry run created nothing
    replayed = postgres.env("replayed")
    with psycopg.connect(replayed["SPARKIFY_POSTGRES_DSN"], autocommit=True) as con:
        for statement in sql.statements(planned.stdout):
            con.execute(statement)  # type: ignore[arg-type]
        script_columns = con.execute(COLUMNS).fetchall()
    assert invoke("schema", "create").exit_code == 0
    with psycopg.connect(postgres.env()["SPARKIFY_POSTGRES_DSN"]) as con:
        assert con.execute(COLUMNS).fetchall() == script_columns
    assert len(script_columns) > 80
