"""sqlfluff's parser as the tests' judge of SQL: a statement parses whole in a dialect's grammar
(sparkify's dialect names are sqlfluff's: duckdb, postgres, redshift)."""

from __future__ import annotations

from functools import cache

from sqlfluff.core import FluffConfig, Linter


@cache
def _linter(dialect: str) -> Linter:
    return Linter(config=FluffConfig(overrides={"dialect": dialect}))


def problems(statement: str, dialect: str) -> list[str]:
    """What keeps the statement from parsing: parse errors and unparsable parts (none: it parses)."""
    parsed = _linter(dialect).parse_string(statement)
    found = [str(v.desc()) for v in parsed.violations]
    if parsed.tree is None:
        return [*found, "no parse tree"]
    return found + [f"unparsable: {u.raw[:120]!r}" for u in parsed.tree.recursive_crawl("unparsable")]


def assert_parses(statement: str, dialect: str) -> None:
    found = problems(statement, dialect)
    assert not found, f"does not parse as {dialect}: {statement[:400]}\n    " + "\n    ".join(found)
