"""The Redshift session, through the real CLI and the stand-in driver's sessions
(support/redshift_driver.py): scratch tables that never reach `public`, read-only commands in
read-only transactions, a check's time limit, a lost connection, refusals, and a signal that lands
while the driver waits for the server."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import invoke
from support.redshift_driver import SESSION, FakeRedshift, redshift_world

TABLES = [
    "staging_events staging_songs rejects load_batch staged_files songplays users songs artists time",
    "user_file_latest songplay_sources runs run_files sparkify_schema",
]
ALL_TABLES = " ".join(TABLES).split()
# The scratch tables sparkify's SQL names plainly (sql/load, sql/stage/redshift, the matching).
SCRATCH = {
    "batch_plays",
    "batch_users",
    "changed_plays",
    "changed_users",
    "changed_times",
    "rematched",
    "match_repairs",
    "copy_events",
    "copy_event_rejects",
    "copy_event_files",
}
DOUBLE_ENCODED = {"SELECT DISTINCT txt": [("Alize\u00c3\u00a9e",)]}  # Alizée, its UTF-8 read as Latin-1


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRedshift]:
    with redshift_world(tmp_path, monkeypatch, FakeRedshift(ALL_TABLES, answers=dict(DOUBLE_ENCODED))) as found:
        yield found


def body(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()


def ledger(fake: FakeRedshift) -> list[tuple[int, str, str | None]]:
    """(session, status, error) of every update that finishes a run."""
    return [
        (pid, params[1], params[2])
        for (pid, statement), (_, params) in zip(fake.log, fake.sent, strict=True)
        if statement.startswith("UPDATE songs.runs SET finished_at") and params
    ]


# --- scratch tables never reach another program's table -----------------------------------------


def test_a_pipeline_session_finds_scratch_tables_only_among_its_temp_tables(
    fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.public_tables = set(SCRATCH)  # another program's tables, by the same plain names
    monkeypatch.setenv("SPARKIFY_MATCH", "normalized")
    result = invoke("run", "--date", "2018-11-02")
    assert result.exit_code in (0, 1), result.stderr
    assert fake.touched_public == []
    assert fake.public_tables == SCRATCH  # none dropped
    assert fake.by(SESSION)[0] == "SET search_path TO pg_temp"


def test_report_matches_makes_its_scratch_table_where_only_temp_tables_are_found(fake: FakeRedshift) -> None:
    fake.public_tables = {"match_repairs"}
    result = invoke("report", "matches")
    assert result.exit_code == 0, result.stderr
    assert fake.touched_public == [] and fake.public_tables == {"match_repairs"}
    assert [s for s in fake.by(SESSION) if body(s).startswith("INSERT INTO match_repairs")]  # it was filled


# --- read-only commands: each statement alone in a read-only transaction ------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--date", "2018-11-02"),
        ("report", "matches"),
        ("runs",),
        ("status",),
        ("rejects",),
        ("check",),
        ("query", "SELECT count(*) FROM songs.songplays"),
    ],
)
def test_every_statement_of_a_read_only_command_runs_in_a_read_only_transaction(
    fake: FakeRedshift, args: tuple[str, ...]
) -> None:
    result = invoke(*args)
    assert result.exit_code in (0, 1), result.stderr  # the stand-in's empty tables fail some checks
    sent = [body(s) for s in fake.by(SESSION)]
    assert sent and not [s for s in sent if s.startswith("LOCK")]
    i = 0
    while i < len(sent):
        if sent[i] == "BEGIN":  # a scratch table of the session's own: read-write, temp tables only
            assert sent[i + 1] == "SET LOCAL search_path TO pg_temp" and sent[i + 3] == "COMMIT", sent[i : i + 4]
            assert re.match(r"(DROP TABLE IF EXISTS|CREATE TEMP TABLE|INSERT INTO) match_repairs\b", sent[i + 2])
            i += 4
        else:
            assert sent[i : i + 3 : 2] == ["BEGIN READ ONLY", "COMMIT"], sent[i : i + 3]
            i += 3


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM songs.users",
        "CREATE TABLE songs.mine (a INTEGER)",
        "SELECT 1; DELETE FROM songs.users",
        "/* quiet */ UNLOAD ('SELECT * FROM songs.users') TO 's3://elsewhere/u_' IAM_ROLE default",
    ],
)
def test_query_refuses_what_is_not_one_statement_that_only_reads(fake: FakeRedshift, sql: str) -> None:
    result = invoke("query", sql)
    assert result.exit_code == 2, result.stderr
    refusal = "the query holds 2 statements" if ";" in sql else "not allowed on a read-only connection"
    assert result.stderr.startswith(f"error: {refusal}") and len(result.stderr.splitlines()) == 1
    assert not [s for s in fake.statements if "UNLOAD" in s]  # refused before anything is sent
    if "UNLOAD" not in sql and ";" not in sql:  # several statements are refused before a connection
        assert fake.by(SESSION)[-1] == "ROLLBACK"  # refused inside its read-only transaction, which ends


def test_a_permission_the_user_lacks_is_not_allowed_not_a_warehouse_failure(fake: FakeRedshift) -> None:
    fake.fail_on = [("SELECT run_id, command", "permission denied for relation runs", "42501")]
    result = invoke("runs")
    assert result.exit_code == 2, result.stderr
    assert "permission denied for relation runs" in result.stderr and len(result.stderr.splitlines()) == 1


# --- SPARKIFY_CHECK_TIMEOUT ------------------------------------------------------------------------


def test_a_check_over_its_time_limit_is_cancelled_and_the_next_ones_run(
    fake: FakeRedshift, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARKIFY_CHECK_TIMEOUT", "1")
    fake.slow = ["SELECT COUNT(*) FROM (\nSELECT user_id"]  # the first check on users runs until cancelled
    result = invoke("check", "--format", "json")
    assert result.exit_code == 1, result.stderr
    checks = result.json()["checks"]
    timed_out = [c for c in checks if c["status"] == "error"]
    assert [c["error"] for c in timed_out] == ["timed out after 1 s"]
    assert len(checks) == 31 and checks[-1]["status"] != "error"  # the others ran
    (stopped,) = fake.cancelled
    assert stopped[0] == SESSION and stopped[1].startswith("SELECT COUNT(*) FROM (\nSELECT user_id")
    cancels = [(pid, s) for pid, s in fake.log if "pg_cancel_backend" in s]
    assert cancels == [(SESSION + 1, f"SELECT pg_cancel_backend({SESSION})")]  # from a second session
    sent = fake.by(SESSION)
    at = next(i for i, s in enumerate(sent) if s.startswith("SELECT COUNT(*) FROM (\nSELECT user_id"))
    assert sent[at + 1] == "ROLLBACK"  # its read-only transaction ends; the same session goes on


# --- a lost connection --------------------------------------------------------------------------


def test_a_lost_connection_during_the_checks_is_a_warehouse_failure_not_a_failed_check(fake: FakeRedshift) -> None:
    fake.lose_on = ["SELECT COUNT(*) FROM (\nSELECT user_id"]
    result = invoke("check", "--format", "json")
    assert result.exit_code == 4, result.stderr
    failure = result.json()  # the failure document, not a report of checks
    assert "checks" not in failure and (failure["status"], failure["exit_code"]) == ("failed", 4)
    assert "connection to Redshift was lost" in failure["error"]
    assert "connection to Redshift was lost" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_run_that_loses_its_connection_is_recorded_failed_from_a_new_one(fake: FakeRedshift) -> None:
    fake.lose_on = ["INSERT INTO songs.staging_events"]
    result = invoke("run", "--date", "2018-11-02")
    assert result.exit_code == 4, result.stderr
    assert "connection to Redshift was lost" in result.stderr
    assert fake.by(SESSION)[-1].startswith("INSERT INTO songs.staging_events")  # the lost one is left alone
    (finished,) = ledger(fake)
    assert finished[:2] == (SESSION + 1, "failed")  # from a new session, set up as the first was
    assert finished[2] is not None and "connection to Redshift was lost" in finished[2]
    assert fake.by(SESSION + 1)[0] == "SET search_path TO pg_temp"


# --- SIGINT / SIGTERM while the driver waits for the server --------------------------------------


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_statement_cancels_it_rolls_back_and_records_interrupted(
    fake: FakeRedshift, signum: int, code: int
) -> None:
    fake.signal_on = {"INSERT INTO songs.staging_events": signum}
    result = invoke("run", "--date", "2018-11-02")
    assert result.exit_code == code, result.stderr
    name = signal.Signals(signum).name
    assert result.stderr.strip().splitlines() == [
        f"error: interrupted by {name} (any transaction in progress was rolled back)"
    ]
    first = fake.session(SESSION)
    stopped = [s for pid, s in fake.cancelled if pid == SESSION]
    assert len(stopped) == 1 and stopped[0].startswith("INSERT INTO songs.staging_events")  # cancelled ...
    assert [(pid, s) for pid, s in fake.log if "pg_cancel_backend" in s] == [
        (SESSION + 1, f"SELECT pg_cancel_backend({SESSION})")  # ... from another session
    ]
    assert first.state == "closed" and fake.misused == []  # the half-read connection was dropped, not used
    assert fake.by(SESSION)[-1].startswith("INSERT INTO songs.staging_events")  # no COMMIT: the server rolls back
    assert ledger(fake) == [(SESSION + 2, "interrupted", f"interrupted by {name}")]  # from a new session


def test_a_copy_that_loses_its_connection_is_not_taken_for_bad_data(fake: FakeRedshift) -> None:
    fake.lose_on = ["COPY copy_events"]
    result = invoke("stage", "--date", "2018-11-02")
    assert result.exit_code == 4, result.stderr
    assert "connection to Redshift was lost" in result.stderr and "rejected" not in result.stderr
    # the new session only records the failure: no load errors looked for in a session that has none
    assert [body(s).split()[0] for s in fake.by(SESSION + 1)] == ["SET", "UPDATE"]
    assert ledger(fake)[0][:2] == (SESSION + 1, "failed")
