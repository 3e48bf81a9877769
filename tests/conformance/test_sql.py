"""The SQL every warehouse is sent is written once and renders for each dialect in the registry:
every statement of the schema, the load, the checks and the report parses in that dialect's grammar
(sqlfluff's; a new warehouse names its dialect in GRAMMAR). Executing warehouses also run it (the
rest of this suite); Redshift's whole traffic is parsed in tests/warehouse/test_redshift_grammar.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlfluff.core import FluffConfig, Linter

from sparkify_cli.services.checks.specs import builtin_checks
from sparkify_cli.services.pipeline import schema
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse import DIALECTS
from sparkify_cli.warehouse.dryrun import DryRunWarehouse

LOAD = ("songplays", "time", "users", "songs", "artists", "rematch")
REPORT = ("summary", "top_songs", "top_artists", "by_hour", "by_weekday", "levels", "top_users", "per_day")
GRAMMAR = {"duckdb": "duckdb", "redshift": "redshift", "postgres": "postgres"}  # warehouse -> sqlfluff dialect


def statements(name: str) -> list[str]:
    wh = DryRunWarehouse(DIALECTS[name], "songs")
    out = schema.create_statements(wh, drop=True)
    for match in ("exact", "normalized"):
        for step in LOAD:
            out += wh.render(f"load/{step}.sql", match=match, tolerance=3.0)
    for spec in builtin_checks(wh, load_settings(), day=date(2018, 11, 7), today=date(2018, 12, 1)):
        out.append(spec.sql)
    for report in REPORT:
        out += wh.render(f"report/{report}.sql", start="2018-11-01", end="2018-11-08", top=10)
    return out


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_statement_parses_in_its_dialect(name: str) -> None:
    found = statements(name)
    assert len(found) > 60
    linter = Linter(config=FluffConfig(overrides={"dialect": GRAMMAR[name]}))
    failed = []
    for statement in dict.fromkeys(found):
        parsed = linter.parse_string(statement)
        unparsable = [] if parsed.tree is None else list(parsed.tree.recursive_crawl("unparsable"))
        if parsed.violations or parsed.tree is None or unparsable:
            failed.append(f"{statement[:200]}\n    {[str(v.desc()) for v in parsed.violations][:1]}")
    assert not failed, "\n".join(failed)
