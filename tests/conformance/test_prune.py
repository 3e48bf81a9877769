"""A log file deleted from the source: `status` names it, `prune` removes its rows (never silently)."""

from __future__ import annotations

from pathlib import Path

from support.cli import invoke
from support.data import generated
from support.harness import Harness


def test_prune_removes_exactly_what_the_deleted_file_held(harness: Harness, tmp_path: Path) -> None:
    src, days = generated(tmp_path / "src", days=3)
    assert invoke("run", "--source", str(src)).exit_code == 0
    gone = src / "log_data" / "2018" / "11" / f"{days[1]}-events.json"
    kept = gone.read_bytes()
    gone.unlink()
    before = harness.snapshot(harness.env())

    status = invoke("status", "--source", str(src), "--format", "json").json()
    assert status["missing_from_source"] == [f"log_data/2018/11/{days[1]}-events.json"]
    assert "sparkify prune" in invoke("status", "--source", str(src)).stdout

    dry = invoke("prune", "--source", str(src), "--dry-run")
    assert dry.exit_code == 0 and f"{days[1]}-events.json" in dry.stdout
    asked = invoke("prune", "--source", str(src))  # no terminal to ask, no --yes
    assert asked.exit_code == 2 and "--yes" in asked.stderr
    assert harness.snapshot(harness.env()) == before  # neither changed anything

    done = invoke("prune", "--source", str(src), "--yes", "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["pruned"] and done.json()["files"] == [f"log_data/2018/11/{days[1]}-events.json"]
    fresh = harness.env("fresh")
    assert invoke("run", "--source", str(src), env=fresh).exit_code == 0
    assert harness.star(harness.env()) == harness.star(fresh)
    assert invoke("status", "--source", str(src), "--format", "json").json()["missing_from_source"] == []
    newest = invoke("runs", "--format", "json").json()["runs"][0]
    assert (newest["command"], newest["source"]) == ("prune", str(src.resolve()))  # status compares with it

    # the file comes back: its day loads again as before
    gone.write_bytes(kept)
    assert invoke("run", "--source", str(src), "--date", days[1]).exit_code == 0
    assert harness.star(harness.env()) == {t: before[t] for t in harness.star(fresh)}
