"""Settings: every key documented, origins shown, secrets masked."""

from __future__ import annotations

import re
from pathlib import Path

from sparkify_cli.settings import Settings, env_name
from support.cli import invoke

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^(SPARKIFY_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert listed == {env_name(f) for f in Settings.model_fields}


def test_config_show_reports_origin_and_masks_secrets(tmp_path: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("SPARKIFY_SCHEMA=analytics\nSPARKIFY_REDSHIFT_PASSWORD=Hunter2-very-secret\n")
    result = invoke(
        "--env-file", str(env_file), "config", "show", "--format", "json", env={"SPARKIFY_WAREHOUSE": "duckdb"}
    )
    assert result.exit_code == 0, result.stderr
    rows = {r["key"]: r for r in result.json()}
    assert rows["SPARKIFY_SCHEMA"] == {"key": "SPARKIFY_SCHEMA", "value": "analytics", "origin": f"env file {env_file}"}
    assert rows["SPARKIFY_WAREHOUSE"]["origin"] == "environment"
    assert rows["SPARKIFY_LOG_KEY_TEMPLATE"]["origin"] == "default"
    assert rows["SPARKIFY_REDSHIFT_PASSWORD"]["value"] == "********"
    assert "Hunter2" not in result.stdout + result.stderr


def test_blank_values_in_env_file_mean_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SPARKIFY_SOURCE=\nSPARKIFY_DUCKDB_TEMP_DIR=\n")
    rows = {r["key"]: r["value"] for r in invoke("config", "show", "--format", "json").json()}
    assert rows["SPARKIFY_SOURCE"] == "./data"
    assert rows["SPARKIFY_DUCKDB_TEMP_DIR"] == ""


def test_missing_env_file_is_exit_2(tmp_path: Path) -> None:
    result = invoke("--env-file", str(tmp_path / "nope.env"), "config", "show")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_no_keyword_duckdb_reserves_is_taken_as_a_schema() -> None:
    """The list of refused names holds against the engine's own: every reserved or type/function
    keyword of DuckDB (those break `CREATE SCHEMA x` or `x.table`) is refused, a plain name is not."""
    import duckdb

    con = duckdb.connect()
    words = [
        w
        for (w,) in con.execute(
            "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category IN ('reserved', 'type_function')"
        ).fetchall()
    ]
    con.close()
    assert len(words) > 50
    for word in words:
        result = invoke("config", "show", env={"SPARKIFY_SCHEMA": word})
        assert result.exit_code == 2, word
        assert f"invalid setting SPARKIFY_SCHEMA: '{word}' is a" in result.stderr
    for fine in ("songs", "analytics", "sparkify_test_1a2b", "public", "events"):
        assert invoke("config", "show", env={"SPARKIFY_SCHEMA": fine}).exit_code == 0, fine
