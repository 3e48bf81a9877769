"""Every warehouse in the registry is covered by the conformance suite."""

from __future__ import annotations

from sparkify_cli.warehouse import DIALECTS
from support.harness import EXECUTING, HARNESSES, PLANNING


def test_every_registered_warehouse_has_a_harness() -> None:
    assert set(HARNESSES) == set(DIALECTS)
    assert sorted(EXECUTING + PLANNING) == sorted(DIALECTS)
    assert "duckdb" in EXECUTING  # the embedded default always runs
