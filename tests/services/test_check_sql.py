"""The check SQL is written once: it renders for every dialect, and each parses in that dialect's
grammar (sqlfluff) as the runner sends it."""

from __future__ import annotations

from datetime import date

import pytest

from sparkify_cli.services.checks.specs import CheckSpec, builtin_checks
from sparkify_cli.settings import load_settings
from sparkify_cli.warehouse import DIALECTS
from sparkify_cli.warehouse.dryrun import DryRunWarehouse
from support.grammar import assert_parses


def specs(dialect: str, day: date | None) -> list[CheckSpec]:
    """Rendered for a dialect without a connection."""
    settings = load_settings(check_min_song_match_rate=0.02, check_freshness_days=3)
    return builtin_checks(DryRunWarehouse(DIALECTS[dialect], "songs"), settings, day=day, today=date(2018, 12, 1))


@pytest.mark.parametrize("day", [None, date(2018, 11, 7)])
def test_every_dialect_has_the_same_checks(day: date | None) -> None:
    duck = specs("duckdb", day)
    for other in sorted(DIALECTS):
        assert [(s.name, s.severity) for s in specs(other, day)] == [(s.name, s.severity) for s in duck]
    assert len({s.name for s in duck}) == len(duck) == 31


@pytest.mark.parametrize("day", [None, date(2018, 11, 7)])
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_check_parses_as_wrapped_by_the_runner(dialect: str, day: date | None) -> None:
    for spec in specs(dialect, day):
        for sql in filter(None, (spec.sql, spec.metrics_sql)):
            assert ";" not in sql and "{{" not in sql, spec.name
            assert_parses(f"SELECT COUNT(*) FROM (\n{sql}\n) failing", dialect)
            if sql is spec.sql:
                assert_parses(f"SELECT * FROM (\n{sql}\n) failing ORDER BY 1 LIMIT 5", dialect)


def test_redshift_rendering_of_scoped_and_configured_checks() -> None:
    by_name = {s.name: s for s in specs("redshift", date(2018, 11, 7))}
    assert "start_time >= TIMESTAMP '2018-11-07 00:00:00' AND start_time < TIMESTAMP '2018-11-08 00:00:00'" in (
        by_name["songplays.level.accepted_values"].sql
    )
    assert "AS DOUBLE PRECISION" in by_name["songplays.song_match_rate"].sql
    assert by_name["songplays.song_match_rate"].sql.rstrip().endswith("WHERE rate < 0.02")
    assert "< TIMESTAMP '2018-11-28 00:00:00'" in by_name["songplays.freshness"].sql
    assert "l.source_file = 'log_data/2018/11/2018-11-07-events.json'" in by_name["songplays.reconciliation"].sql
    assert 'FROM songs."time"' in by_name["time.hour.range"].sql
    unscoped = {s.name: s for s in specs("redshift", None)}
    assert "TIMESTAMP" not in unscoped["songplays.level.accepted_values"].sql
    assert "source_file = '" not in unscoped["songplays.reconciliation"].sql


def test_a_quote_in_the_log_key_template_stays_inside_the_literal() -> None:
    settings = load_settings(log_key_template="logs/o'neil/{date}.json")
    sql = {
        s.name: s
        for s in builtin_checks(
            DryRunWarehouse(DIALECTS["redshift"], "songs"), settings, day=date(2018, 11, 7), today=date(2018, 12, 1)
        )
    }["songplays.reconciliation"].sql
    assert "= 'logs/o''neil/2018-11-07.json'" in sql
    assert_parses(sql, "redshift")
