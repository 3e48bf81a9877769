"""Every statement sparkify sends to Redshift, one by one, judged by sqlfluff's Redshift grammar, with
no reserved word as an unquoted identifier and no function that runs only on the leader node.

The statements come from the real code paths: the `--dry-run` script of every command and variant
(DryRunWarehouse; the read-only commands through the CLI itself), and the real CLI run against a
stand-in for the driver that records what it is asked to send (support/redshift_driver.py) --
ledger failures, failed COPYs, the load-error lookup on both system views, migrations, prune,
status, runs, rejects, report, report matches, user-defined checks and the read-only transactions
around each statement included.
"""

from __future__ import annotations

import re
import signal
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlfluff.core import FluffConfig, Linter
from sqlfluff.core.parser import BaseSegment

from sparkify_cli import sql
from sparkify_cli.days import Days, select_days
from sparkify_cli.services.checks.specs import builtin_checks
from sparkify_cli.services.pipeline.dry_run import dry_run_sql
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse import DIALECTS
from sparkify_cli.warehouse.dryrun import DryRunWarehouse, inline
from support.cli import invoke
from support.redshift_driver import FakeRedshift, LoadError, redshift_world
from support.s3_fixtures import BUCKET, PREFIX, s3

DATA = Path(__file__).resolve().parents[1] / "data"
README = Path(__file__).resolve().parents[2] / "README.md"


def word_list(name: str) -> frozenset[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().upper() for line in lines if line.strip() and not line.startswith("#"))


RESERVED = word_list("redshift_reserved_words.txt")
LEADER_ONLY = word_list("redshift_leader_node_functions.txt")
ALL_TABLES = (
    "staging_events staging_songs rejects load_batch staged_files songplays users songs artists time "
    "user_file_latest songplay_sources runs run_files sparkify_schema"
).split()


def readme_checks_file(folder: Path) -> Path:
    """The README's example checks file, as a user would copy it."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[checks\..*?)```", text, re.S)
    assert block, "README has no example checks file"
    path = folder / "team-checks.toml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


class Collector:
    """Distinct statements -> the first variant that produced them."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, statement: str, where: str) -> None:
        self.found.setdefault(statement.strip().rstrip(";").strip(), where)

    def script(self, text: str, where: str) -> None:
        for statement in sql.statements(text):
            self.add(statement, where)

    def sent(self, fake: FakeRedshift, where: str) -> None:
        for statement, params in fake.sent:
            self.add(inline(statement, params), where)


def _dry_runs(out: Collector, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    day = select_days("2018-11-02", None, None)
    span = select_days(None, "2018-11-01", "2018-11-04")
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("schema create", "schema", {}),
        ("schema create --drop", "schema", {"drop": True}),
        ("stage, all days", "stage", {"days": Days(None)}),
        ("stage a day", "stage", {"days": day}),
        ("stage a range", "stage", {"days": span}),
        ("load, all days", "load", {"days": Days(None)}),
        ("load a day", "load", {"days": day}),
        ("load a range", "load", {"days": span}),
        ("check", "check", {}),
        ("check a day, user checks", "check", {"day": date(2018, 11, 2), "checks_file": readme_checks_file(folder)}),
    ]
    for label, step, extra in steps:
        out.script(dry_run_sql(load_settings(), step, **extra), f"--dry-run {label}")
    monkeypatch.setenv("SPARKIFY_MATCH", "normalized")
    monkeypatch.setenv("SPARKIFY_MAX_ERRORS", "5")
    for step, days in (("stage", span), ("load", Days(None))):
        out.script(dry_run_sql(load_settings(), step, days=days), f"--dry-run {step}, normalized, --max-errors 5")
    monkeypatch.delenv("SPARKIFY_MATCH")
    monkeypatch.delenv("SPARKIFY_MAX_ERRORS")
    # gzip-compressed logs and songs
    for key in ("log_data/2018/11/2018-11-05-events.json.gz", "song_data/Z/Z/Z/TRZZZ.json.gz"):
        s3().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=b"\x1f\x8b")
    monkeypatch.setenv("SPARKIFY_LOG_KEY_TEMPLATE", "log_data/{year}/{month:02d}/{date}-events.json.gz")
    out.script(
        dry_run_sql(load_settings(), "stage", days=select_days("2018-11-05", None, None), songs=False),
        "--dry-run stage, gzip",
    )
    monkeypatch.delenv("SPARKIFY_LOG_KEY_TEMPLATE")
    for key in ("log_data/2018/11/2018-11-05-events.json.gz", "song_data/Z/Z/Z/TRZZZ.json.gz"):
        s3().delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")


def _read_dry_runs(out: Collector, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read-only commands' --dry-run through the CLI, as a user runs them (no connection)."""
    variants: list[tuple[str, tuple[str, ...], dict[str, str]]] = [
        ("report", ("report",), {}),
        ("report a day, --top 3", ("report", "--date", "2018-11-02", "--top", "3"), {}),
        ("report a range, json", ("report", "--start", "2018-11-01", "--end", "2018-11-08", "--format", "json"), {}),
        ("report matches", ("report", "matches"), {}),
        ("report matches a day, --limit 5", ("report", "matches", "--date", "2018-11-02", "--limit", "5"), {}),
        (
            "report matches a range, tolerance 0.5",
            ("report", "matches", "--start", "2018-11-01", "--end", "2018-11-08"),
            {"SPARKIFY_MATCH_TOLERANCE": "0.5"},
        ),
        ("runs --limit 3", ("runs", "--limit", "3"), {}),
        ("status", ("status",), {}),
        ("status with a source", ("status", "--source", str(folder / "source")), {}),
        ("rejects --limit 3", ("rejects", "--limit", "3"), {}),
    ]
    for label, args, env in variants:
        with monkeypatch.context() as mp:
            for key, value in env.items():
                mp.setenv(key, value)
            result = invoke(*args, "--dry-run")
        assert result.exit_code == 0, f"{label}: {result.stderr}"
        out.script(result.stdout, f"--dry-run {label}")


def _cli_runs(out: Collector, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real CLI against the stand-in driver: what a Redshift run sends, failures included."""
    staged = {
        "SELECT source_file FROM songs.staged_files WHERE kind = 'event'": [
            ("log_data/2018/11/2018-11-09-events.json",)
        ]
    }
    slow = FakeRedshift(ALL_TABLES)
    slow.slow = ["SELECT COUNT(*) FROM (\nSELECT user_id"]  # cancelled from a second session
    interrupted = FakeRedshift(ALL_TABLES)
    interrupted.signal_on = {"INSERT INTO songs.staging_events": signal.SIGTERM}
    double_encoded = {"SELECT DISTINCT txt": [("Alize\u00c3\u00a9e",)]}  # Alizée, its UTF-8 read as Latin-1
    error = LoadError(0, f"s3://{BUCKET}/{PREFIX}/song_data/A/A/A/TRAAAAK128F9318786.json", 3, "year", "Invalid digit")
    runs: list[tuple[str, FakeRedshift, tuple[str, ...], dict[str, str]]] = [
        ("schema create (new)", FakeRedshift(schema_version=None), ("schema", "create"), {}),
        ("schema create --drop", FakeRedshift(ALL_TABLES), ("schema", "create", "--drop", "--yes"), {}),
        (
            "schema create (upgrade from v2)",
            FakeRedshift([*ALL_TABLES, "user_latest"], schema_version=2),
            ("schema", "create"),
            {},
        ),
        (
            "run a day, statement timeout",
            FakeRedshift(ALL_TABLES),
            ("run", "--date", "2018-11-02"),
            {"SPARKIFY_REDSHIFT_STATEMENT_TIMEOUT": "600"},
        ),
        (
            "run a range, normalized, --max-errors 5",
            FakeRedshift(ALL_TABLES),
            ("run", "--start", "2018-11-01", "--end", "2018-11-04", "--max-errors", "5", "--songs"),
            {"SPARKIFY_MATCH": "normalized"},
        ),
        ("stage, COPY fails on data", FakeRedshift(ALL_TABLES), ("stage", "--date", "2018-11-02", "--songs"), {}),
        ("stage, COPY fails (access)", FakeRedshift(ALL_TABLES), ("stage", "--date", "2018-11-02"), {}),
        ("stage, Serverless", FakeRedshift(ALL_TABLES, stl=False), ("stage", "--date", "2018-11-02"), {}),
        ("stage, a statement fails", FakeRedshift(ALL_TABLES), ("stage", "--date", "2018-11-02"), {}),
        ("load, all days", FakeRedshift(ALL_TABLES, answers=staged), ("load",), {}),
        ("prune --yes", FakeRedshift(ALL_TABLES, answers=staged), ("prune", "--yes"), {}),
        (
            "check --checks",
            FakeRedshift(ALL_TABLES),
            ("check", "--date", "2018-11-02", "--checks", str(readme_checks_file(folder))),
            {},
        ),
        ("status", FakeRedshift(ALL_TABLES), ("status",), {}),
        ("runs", FakeRedshift(ALL_TABLES), ("runs", "--limit", "3"), {}),
        ("rejects", FakeRedshift(ALL_TABLES), ("rejects", "--limit", "3"), {}),
        ("report a day", FakeRedshift(ALL_TABLES), ("report", "--date", "2018-11-02"), {}),
        (
            "report matches, a text to repair",
            FakeRedshift(ALL_TABLES, answers=double_encoded),
            ("report", "matches"),
            {},
        ),
        ("query", FakeRedshift(ALL_TABLES), ("query", "SELECT level, count(*) FROM songs.songplays GROUP BY 1"), {}),
        ("check, one runs out of time", slow, ("check",), {"SPARKIFY_CHECK_TIMEOUT": "1"}),
        ("run, interrupted mid-statement", interrupted, ("run", "--date", "2018-11-02"), {}),
    ]
    runs[5][1].fail_copy = [("Load into table 'copy_song_json' failed. Check 'stl_load_errors'", [error])]
    runs[6][1].fail_copy = [("S3ServiceException:Access Denied,Status 403", [])]
    runs[8][1].fail_on = [("INSERT INTO songs.staging_events", "Disk Full")]
    for label, fake, args, env in runs:
        with monkeypatch.context() as mp:
            for key, value in env.items():
                mp.setenv(key, value)
            fake.install(mp)
            invoke(*args)
            out.sent(fake, label)
            fake.close()


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every distinct statement, collected once for the module."""
    out = Collector()
    folder = tmp_path_factory.mktemp("grammar")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(folder)
        monkeypatch.setenv("SPARKIFY_CACHE_DIR", str(folder / "cache"))
        with redshift_world(folder, monkeypatch):
            _dry_runs(out, folder, monkeypatch)
            _cli_runs(out, folder, monkeypatch)
            _read_dry_runs(out, folder, monkeypatch)
    return out.found


class Unparsable(Exception):
    pass


_linter = Linter(config=FluffConfig(overrides={"dialect": "redshift"}))
_trees: dict[str, BaseSegment | Unparsable] = {}


def tree(statement: str) -> BaseSegment:
    """sqlfluff's parse tree in its Redshift dialect (parsed once: it takes a while)."""
    if statement not in _trees:
        parsed = _linter.parse_string(statement)
        problems = [str(v.desc()) for v in parsed.violations]
        if parsed.tree is None:
            problems.append("no parse tree")
        else:
            problems += [f"unparsable: {u.raw[:120]!r}" for u in parsed.tree.recursive_crawl("unparsable")]
        _trees[statement] = Unparsable("; ".join(problems)) if problems or parsed.tree is None else parsed.tree
    found = _trees[statement]
    if isinstance(found, Unparsable):
        raise found
    return found


def body(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()


def test_the_collection_covers_every_kind_of_statement(statements: dict[str, str]) -> None:
    heads = {body(s).split(None, 1)[0].upper() for s in statements}
    kinds = {"BEGIN", "COMMIT", "ROLLBACK", "LOCK", "COPY", "CREATE", "DROP", "INSERT", "UPDATE", "DELETE", "SELECT"}
    assert kinds | {"ALTER", "SET"} <= heads
    wheres = set(statements.values())
    for variant in (
        "--dry-run report",
        "--dry-run report a day, --top 3",
        "--dry-run report a range, json",
        "--dry-run report matches a range, tolerance 0.5",
        "report matches, a text to repair",
        "check, one runs out of time",
        "run, interrupted mid-statement",
        "stage, COPY fails on data",
        "stage, Serverless",
        "stage, a statement fails",
        "schema create (upgrade from v2)",
        "prune --yes",
        "runs",
    ):
        assert any(w == variant for w in wheres), f"no statement of its own from {variant!r}"
    print(f"\n{len(statements)} distinct statements sent to Redshift, each parsed by sqlfluff")


def test_every_statement_parses_in_sqlfluffs_redshift_grammar(statements: dict[str, str]) -> None:
    failed = []
    for statement, where in statements.items():
        try:
            tree(statement)
        except Unparsable as exc:
            failed.append(f"[{where}] {statement[:300]}\n    {str(exc)[:300]}")
    assert not failed, f"{len(failed)} of {len(statements)} statements do not parse:\n" + "\n".join(failed)


def test_no_reserved_word_is_an_unquoted_identifier(statements: dict[str, str]) -> None:
    found = []
    for statement, where in statements.items():
        try:
            parsed = tree(statement)
        except Unparsable:
            continue  # reported by the grammar test
        for segment in parsed.recursive_crawl("naked_identifier"):
            if segment.raw.upper() in RESERVED:
                found.append(f"[{where}] {segment.raw!r} in {statement[:120]}")
    assert not found, "\n".join(found)


def test_no_column_of_any_table_is_named_by_a_reserved_word(statements: dict[str, str]) -> None:
    """The DDL itself, read from the statements text (whatever a grammar lets through)."""
    columns = set()
    for statement in statements:
        created = re.match(r"CREATE (?:TEMP )?TABLE (?:IF NOT EXISTS )?\S+ \((.*)\)[^)]*$", body(statement), re.S)
        if created:
            for line in created.group(1).splitlines():
                name = line.strip().split(" ")[0].rstrip(",")
                if name and not name.startswith(("--", "LIKE")):
                    columns.add(name)
    assert "raw_line" in columns and "user_agent" in columns
    assert not {c for c in columns if not c.startswith('"') and c.upper() in RESERVED}


def test_no_function_runs_only_on_the_leader_node(statements: dict[str, str]) -> None:
    found = []
    for statement, where in statements.items():
        try:
            parsed = tree(statement)
        except Unparsable:
            continue
        for segment in parsed.recursive_crawl("function_name_identifier", "bare_function", "keyword"):
            if segment.raw.upper() in LEADER_ONLY:
                found.append(f"[{where}] {segment.raw} in {statement[:160]}")
    assert not found, "\n".join(found)


def test_substring_is_written_in_its_documented_text_form(statements: dict[str, str]) -> None:
    """SUBSTRING(x FROM n [FOR m]) or the three-argument form, never SUBSTRING(x, n)."""
    two_arguments = re.compile(r"\bSUBSTRING\s*\(((?:[^(),]|\([^()]*\))*),((?:[^(),]|\([^()]*\))*)\)", re.I)
    assert not [s for s in statements if two_arguments.search(s)]


def test_checks_return_typed_columns_only() -> None:
    """`check` sorts each check's failing rows (SELECT * FROM (...) failing ORDER BY 1): Redshift cannot
    sort an untyped literal, so a check's column is never a bare string literal."""
    wh = DryRunWarehouse(DIALECTS["redshift"], "songs")
    bare = []
    for day in (None, date(2018, 11, 2)):
        for spec in builtin_checks(wh, load_settings(), day=day, today=date(2018, 12, 1)):
            outer = next(tree(spec.sql).recursive_crawl("select_clause"))
            for element in outer.recursive_crawl("select_clause_element", recurse_into=False):
                first = next(s for s in element.segments if not s.is_whitespace)
                if first.is_type("quoted_literal"):
                    bare.append(f"{spec.name}: {element.raw}")
    assert not bare
