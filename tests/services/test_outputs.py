"""services/outputs.py on its own: a write that fails half-way (an error, Ctrl-C) leaves the old file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparkify_cli.services.outputs import replacing
from sparkify_cli.settings import load_settings


@pytest.mark.parametrize("stop", [RuntimeError("render failed"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_a_write_that_stops_half_way_leaves_the_old_file(tmp_path: Path, stop: BaseException) -> None:
    target = tmp_path / "report.txt"
    target.write_text("the previous report\n", encoding="utf-8")
    with pytest.raises(type(stop)), replacing(target, load_settings()) as handle:
        handle.write("half of a new rep")
        handle.flush()
        raise stop
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_a_new_file_that_stops_half_way_is_not_created(tmp_path: Path) -> None:
    target = tmp_path / "new" / "report.txt"
    with pytest.raises(KeyboardInterrupt), replacing(target, load_settings()) as handle:
        handle.write("half")
        raise KeyboardInterrupt
    assert not target.exists() and list(target.parent.iterdir()) == []
