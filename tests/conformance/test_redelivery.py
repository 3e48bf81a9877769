"""A day delivered again, changed: the warehouse equals a full load of the files as they are now.
Named cases of what tests/conformance/test_invariant.py explores at random: no stale time rows,
users or levels; an event two files hold stays a play while either file still holds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.cli import invoke
from support.data import event, write_source
from support.harness import Harness

DAY1, DAY2 = "2018-11-01", "2018-11-02"
MS_DAY1 = 1541030400000  # 2018-11-01 00:00:00 UTC
MS_DAY2 = MS_DAY1 + 86_400_000


def play(user: str, item: int, ts: int, **extra: Any) -> dict[str, Any]:
    return event(userId=user, sessionId=int(user), itemInSession=item, ts=ts, **extra)


def run(src: Path, *args: str) -> None:
    result = invoke("run", "--source", str(src), *args)
    assert result.exit_code == 0, result.stderr


def fresh_load(harness: Harness, src: Path, label: str = "fresh") -> dict[str, list[Any]]:
    env = harness.env(label)
    result = invoke("run", "--source", str(src), env=env)
    assert result.exit_code == 0, result.stderr
    return harness.star(env)


def test_a_day_delivered_again_smaller_leaves_no_stale_time_user_or_level(harness: Harness, tmp_path: Path) -> None:
    src = tmp_path / "src"
    first = [
        play("7", 0, MS_DAY1 + 1_000, level="free"),
        play("7", 1, MS_DAY1 + 9_000, level="paid"),  # the user's latest event: paid
        play("8", 0, MS_DAY1 + 5_000),  # user 8 appears only in the first delivery
    ]
    write_source(src, {DAY1: first})
    run(src, "--date", DAY1)
    before = harness.star(harness.env())
    assert {r[0] for r in before["users"]} == {"7", "8"} and len(before["time"]) == 3

    write_source(src, {DAY1: first[:1]})  # delivered again: only the free play is left
    run(src, "--date", DAY1)
    after = harness.star(harness.env())
    assert after == fresh_load(harness, src)
    assert [(r[0], r[-1]) for r in after["users"]] == [("7", "free")]  # no user 8, level no longer paid
    assert len(after["time"]) == 1 and len(after["songplays"]) == 1


def test_an_event_two_files_hold_stays_a_play_until_both_drop_it(harness: Harness, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shared = play("7", 3, MS_DAY2 - 2_000)  # late on day 1, delivered in both days' files
    write_source(src, {DAY1: [play("7", 0, MS_DAY1 + 1_000), shared], DAY2: [shared, play("9", 0, MS_DAY2 + 7_000)]})
    run(src)
    assert len(harness.star(harness.env())["songplays"]) == 3  # the shared event is one play

    write_source(src, {DAY1: [play("7", 0, MS_DAY1 + 1_000)]})  # day 1 again, without the shared event
    run(src, "--date", DAY1)
    kept = harness.star(harness.env())
    assert len(kept["songplays"]) == 3  # day 2 still holds it
    assert kept == fresh_load(harness, src)

    write_source(src, {DAY2: [play("9", 0, MS_DAY2 + 7_000)]})  # now neither file holds it
    run(src, "--date", DAY2)
    gone = harness.star(harness.env())
    assert len(gone["songplays"]) == 2
    assert gone == fresh_load(harness, src, "fresh again")
    checks = invoke("check", "--format", "json")
    assert checks.exit_code == 0, checks.stdout  # reconciliation agrees with the staged files
