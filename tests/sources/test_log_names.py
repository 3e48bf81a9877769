"""Only files the log layout names a real day by are log files: 2018-02-30-events.json,
2018-13-01-events.json, 9999-99-99-events.json or log_data/misc/random.json are not staged, are
not days in `status`, and are handed to the caller to report (local and S3 sources alike)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkify_cli.days import Days
from sparkify_cli.settings import load_settings
from sparkify_cli.sources import open_source
from sparkify_cli.sources.plan import ignored_warning, plan_files
from support.cli import invoke, query
from support.data import event, generated
from support.s3_fixtures import BUCKET, make_bucket, moto_s3, upload

__all__ = ["moto_s3"]  # fixture

NOT_DAYS = [
    "log_data/2018/02/2018-02-30-events.json",
    "log_data/2018/13/2018-13-01-events.json",
    "log_data/9999/99/9999-99-99-events.json",
    "log_data/misc/random.json",
    "log_data/2018/11/2018-11-01-events.json.bak",
]


def source_with_strays(root: Path) -> Path:
    src, _ = generated(root, days=2)
    for key in NOT_DAYS:
        path = src / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(event(ts=1541105830796 + len(key))) + "\n")
    (src / "log_data" / ".DS_Store").write_bytes(b"\0")  # hidden: neither staged nor worth a warning
    return src


def staged_keys() -> list[str]:
    rows = query("SELECT source_file FROM songs.staged_files WHERE kind = 'event' ORDER BY 1")
    return [r["source_file"] for r in rows]


def test_local_files_not_named_like_a_day_are_not_loaded(tmp_path: Path) -> None:
    src = source_with_strays(tmp_path / "src")
    result = invoke("run", "--source", str(src), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert staged_keys() == ["log_data/2018/11/2018-11-01-events.json", "log_data/2018/11/2018-11-02-events.json"]
    assert sorted(result.json()["ignored_files"]) == sorted(NOT_DAYS)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ignored")]
    assert len(warnings) == 1 and "not named like SPARKIFY_LOG_KEY_TEMPLATE" in warnings[0]
    status = invoke("status", "--source", str(src), "--format", "json")
    assert status.exit_code == 0, status.stderr
    doc = status.json()
    assert doc["loaded_days"] == ["2018-11-01", "2018-11-02"]
    assert doc["gaps"] == [] and doc["staged_not_loaded"] == []


def test_s3_objects_not_named_like_a_day_are_not_loaded(moto_s3: None, tmp_path: Path) -> None:
    src = source_with_strays(tmp_path / "src")
    make_bucket()
    upload(src)
    uri = f"s3://{BUCKET}/data/v1"
    result = invoke("run", "--source", uri, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert staged_keys() == ["log_data/2018/11/2018-11-01-events.json", "log_data/2018/11/2018-11-02-events.json"]
    cache = tmp_path / "cache" / BUCKET / "data" / "v1" / "log_data"
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == [
        "2018-11-01-events.json",
        "2018-11-02-events.json",
    ]


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_the_plan_names_the_ignored_files(moto_s3: None, tmp_path: Path, kind: str) -> None:
    src = source_with_strays(tmp_path / "src")
    uri = str(src)
    if kind == "s3":
        make_bucket()
        upload(src)
        uri = f"s3://{BUCKET}/data/v1"
    source = open_source(load_settings(), uri)
    plan = plan_files(source, Days(None))
    assert plan.ignored == sorted(NOT_DAYS)
    warning = ignored_warning(plan.ignored, source.where(source.layout.folder))
    assert warning is not None and warning.startswith(f"ignored 5 files under {source.where('log_data/')} not named")
    assert "log_data/misc/random.json" in warning


def test_only_strays_is_an_error_naming_them(tmp_path: Path) -> None:
    src = source_with_strays(tmp_path / "src")
    for day in ("01", "02"):
        (src / f"log_data/2018/11/2018-11-{day}-events.json").unlink()
    result = invoke("run", "--source", str(src))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "not named like SPARKIFY_LOG_KEY_TEMPLATE" in line and "2018-02-30" in line


def test_the_pipeline_plan_carries_the_warning(tmp_path: Path) -> None:
    from sparkify_cli.services.pipeline import schema
    from sparkify_cli.services.pipeline.plan import plan_stage
    from sparkify_cli.warehouse import connect

    src = source_with_strays(tmp_path / "src")
    settings = load_settings()
    with connect(settings) as wh:
        schema.create(wh)
        work = plan_stage(wh, open_source(settings, str(src)), Days(None), songs=None, strict=False)
    assert work.ignored == sorted(NOT_DAYS)
    assert work.ignored_warning == (
        f"ignored 5 files under {src.resolve() / 'log_data'} not named like SPARKIFY_LOG_KEY_TEMPLATE: "
        + ", ".join(sorted(NOT_DAYS))
    )


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_template_without_a_fixed_folder(moto_s3: None, tmp_path: Path, kind: str) -> None:
    """Log files at the source root, beside song_data/: the songs are neither logs nor ignored, and a
    second full S3 run (catalog unchanged) keeps the cached songs."""
    src, _ = generated(tmp_path / "src", days=2)
    for path in sorted((src / "log_data").rglob("*.json")):
        path.rename(src / path.name.replace("-events", ""))
    uri = str(src)
    if kind == "s3":
        make_bucket()
        upload(src)
        uri = f"s3://{BUCKET}/data/v1"
    env = {"SPARKIFY_LOG_KEY_TEMPLATE": "{date}.json"}
    for _ in range(2):
        result = invoke("run", "--source", uri, "--format", "json", env=env)
        assert result.exit_code == 0, result.stderr
    assert staged_keys() == ["2018-11-01.json", "2018-11-02.json"]
    assert result.json()["songs"]["skipped"] is True
    if kind == "s3":
        cache = tmp_path / "cache" / BUCKET / "data" / "v1" / "song_data"
        assert len(list(cache.rglob("*.json"))) == 12


def test_the_warning_never_carries_control_characters() -> None:
    warning = ignored_warning(["log_data/ok.json", "log_data/\x1b[2Jevil.json"], "s3://b/p/log_data/")
    assert warning is not None and "\x1b" not in warning and "'log_data/\\x1b[2Jevil.json'" in warning
