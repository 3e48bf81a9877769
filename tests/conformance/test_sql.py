"""The SQL every warehouse is sent is written once and renders for each dialect in the registry:
every statement of the schema, the load, the checks and the report parses in that dialect's grammar.
(Executing warehouses also run it: the rest of this suite; planned ones compare it with golden files:
tests/warehouse/test_redshift_sql.py.)"""

from __future__ import annotations

from datetime import date

import pytest
import sqlglot

from sparkify_cli.services.checks.specs import builtin_checks
from sparkify_cli.services.pipeline import schema
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse import DIALECTS
from sparkify_cli.warehouse.dryrun import DryRunWarehouse

LOAD = ("songplays", "time", "users", "songs", "artists")
REPORT = ("summary", "top_songs", "top_artists", "by_hour", "by_weekday", "levels", "top_users", "per_day")


def statements(name: str) -> list[str]:
    wh = DryRunWarehouse(DIALECTS[name], "songs")
    out = schema.create_statements(wh, drop=True)
    for step in LOAD:
        out += wh.render(f"load/{step}.sql", match="exact", tolerance=3.0)
    for spec in builtin_checks(wh, load_settings(), day=date(2018, 11, 7), today=date(2018, 12, 1)):
        out.append(spec.sql)
    for report in REPORT:
        out += wh.render(f"report/{report}.sql", start="2018-11-01", end="2018-11-08", top=10)
    return out


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_statement_parses_in_its_dialect(name: str) -> None:
    found = statements(name)
    assert len(found) > 60
    for statement in found:
        sqlglot.parse_one(statement, read=name, error_level=sqlglot.ErrorLevel.RAISE)
