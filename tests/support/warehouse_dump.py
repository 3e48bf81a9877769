"""A DuckDB warehouse as plain SQL text and back: how tests keep warehouses made by earlier commits
(text survives DuckDB's file-format changes; a .duckdb file from another version may not open).

Make a fixture:  python tests/support/warehouse_dump.py WAREHOUSE.duckdb > tests/fixtures/old_warehouses/vN.sql
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from sparkify_cli.warehouse.dryrun import literal


def dump(path: Path, schema: str = "songs") -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = [f"CREATE SCHEMA {schema};"]
        tables = con.execute(
            "SELECT table_name, sql FROM duckdb_tables() WHERE schema_name = ? ORDER BY table_name", [schema]
        ).fetchall()
        for name, ddl in tables:
            out.append(ddl.rstrip(";") + ";")
            for row in con.execute(f'SELECT * FROM {schema}."{name}"').fetchall():
                out.append(f'INSERT INTO {schema}."{name}" VALUES ({", ".join(literal(v) for v in row)});')
        return "\n".join(out) + "\n"
    finally:
        con.close()


def restore(sql: str, path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
    finally:
        con.close()


if __name__ == "__main__":
    sys.stdout.write(dump(Path(sys.argv[1])))
