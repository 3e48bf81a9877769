"""`sparkify demo` loads only into a warehouse it made itself: a real warehouse in --dir (or the one
SPARKIFY_DUCKDB_PATH names, when they are the same file) is refused, never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import count, invoke
from support.data import generated

SMALL = ("--events", "300", "--songs", "40")


def loaded_warehouse(source_root: Path, path: Path) -> int:
    """A real load at `path`; its songplays."""
    src, _ = generated(source_root, days=2)
    env = {"SPARKIFY_DUCKDB_PATH": str(path)}
    result = invoke("run", "--source", str(src), env=env)
    assert result.exit_code == 0, result.stderr
    return count("songplays", env)


@pytest.mark.parametrize("named_by_env", [False, True], ids=["dir", "dir-and-SPARKIFY_DUCKDB_PATH"])
def test_demo_refuses_a_warehouse_it_did_not_make(tmp_path: Path, named_by_env: bool) -> None:
    work = tmp_path / "dm"
    work.mkdir()
    warehouse = work / "sparkify.duckdb"
    plays = loaded_warehouse(tmp_path / "src", warehouse)
    before = warehouse.read_bytes()
    env = {"SPARKIFY_DUCKDB_PATH": str(warehouse)} if named_by_env else None
    result = invoke("demo", "--dir", "dm", *SMALL, env=env)  # the tests run in tmp_path
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(warehouse.resolve()) in lines[0] and "--dir" in lines[0], lines
    assert warehouse.read_bytes() == before
    assert count("songplays", {"SPARKIFY_DUCKDB_PATH": str(warehouse)}) == plays
    assert not (work / "data").exists()  # refused before generating anything


def test_demo_reruns_over_its_own_warehouse_but_not_once_it_was_loaded_into(tmp_path: Path) -> None:
    first = invoke("demo", "--dir", "demo", *SMALL)
    assert first.exit_code == 0, first.stderr
    warehouse = tmp_path / "demo" / "sparkify.duckdb"
    again = invoke("demo", "--dir", "demo", *SMALL, "--seed", "7")
    assert again.exit_code == 0, again.stderr  # its own warehouse: made again from the new sample

    # Someone loads real data into the demo's warehouse: from then on it is theirs.
    src, _ = generated(tmp_path / "src", days=1)
    env = {"SPARKIFY_DUCKDB_PATH": str(warehouse)}
    staged = invoke("stage", "--source", str(src), "--date", "2018-11-01", env=env)
    assert staged.exit_code == 0, staged.stderr
    before = warehouse.read_bytes()
    refused = invoke("demo", "--dir", "demo", *SMALL)
    assert refused.exit_code == 2
    assert str(warehouse.resolve()) in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert warehouse.read_bytes() == before


def test_demo_refuses_a_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("mine\n")
    result = invoke("demo", "--dir", "taken", *SMALL)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "taken" in result.stderr
    assert (tmp_path / "taken").read_text() == "mine\n"
