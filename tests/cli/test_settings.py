"""Settings: every key documented once (the model), origins shown, secrets masked; `sparkify init`
writes the documented settings file, and .env.example and the README's table are that same text."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from sparkify_cli.settings import Settings, documented, env_name
from sparkify_cli.warehouse import DIALECTS
from support.cli import invoke

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# SPARKIFY_UPDATE_DOCS=1 rewrites the README's settings table from the model (read before the
# autouse fixture clears SPARKIFY_* variables).
UPDATE = os.environ.get("SPARKIFY_UPDATE_DOCS") == "1"
TABLE_START = "<!-- settings table: generated from the settings model, see tests/cli/test_settings.py -->\n"
TABLE_END = "<!-- end of the settings table -->\n"


def init(path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = invoke("init", "--path", str(path), *args, env=env)
    assert result.exit_code == 0, result.stderr
    return path.read_text(encoding="utf-8")


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_env_example_is_what_sparkify_init_writes(tmp_path: Path) -> None:
    written = init(tmp_path / "x.env")
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == written, (
        ".env.example is generated from the settings model: run `sparkify init --path .env.example --force`"
    )


def test_init_writes_every_key_commented_out_under_its_description(tmp_path: Path) -> None:
    text = init(tmp_path / "x.env")
    keys = re.findall(r"^#(SPARKIFY_[A-Z0-9_]+)=", text, re.M)
    assert keys == [env_name(f) for f in Settings.model_fields]
    assert not re.search(r"^SPARKIFY_", text, re.M)  # nothing is set until the user says so
    for field, info in Settings.model_fields.items():
        above = text.split(f"\n#{env_name(field)}=")[0].rsplit("\n\n", 1)[-1]
        prose = " ".join(line.removeprefix("# ") for line in above.splitlines())
        assert info.description and prose == info.description, field


def config(*args: str) -> dict[str, dict[str, Any]]:
    result = invoke(*args, "config", "show", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["key"]: row for row in result.json()["settings"]}


def values(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {k: r["value"] for k, r in rows.items()}


def test_the_written_defaults_are_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As written nothing changes; with every key uncommented, every value is still the default."""
    monkeypatch.delenv("SPARKIFY_DUCKDB_PATH")
    monkeypatch.delenv("SPARKIFY_CACHE_DIR")
    defaults = config()
    assert {row["origin"] for row in defaults.values()} == {"default"}
    written = tmp_path / "x.env"
    init(written)
    assert config("--env-file", str(written)) == defaults
    uncommented = tmp_path / "all.env"
    uncommented.write_text(re.sub(r"^#(SPARKIFY_)", r"\1", written.read_text(), flags=re.M))
    from_file = config("--env-file", str(uncommented))
    assert {
        k: os.path.expanduser(r["value"]) if isinstance(r["value"], str) else r["value"] for k, r in from_file.items()
    } == {k: r["value"] for k, r in defaults.items()}
    set_in_file = {k for k, r in from_file.items() if r["origin"] == f"env file {uncommented}"}
    assert set_in_file == {row.key for row in documented()}


def test_init_never_writes_a_secret_and_keeps_the_file_private(tmp_path: Path) -> None:
    env = {"SPARKIFY_REDSHIFT_PASSWORD": "Hunter2-in-env", "SPARKIFY_POSTGRES_DSN": "password=Hunter2-dsn"}
    (tmp_path / ".env").write_text("SPARKIFY_REDSHIFT_PASSWORD=Hunter2-in-file\n")
    text = init(tmp_path / "new.env", env=env)
    assert "Hunter2" not in text
    assert "#SPARKIFY_REDSHIFT_PASSWORD=\n" in text and "#SPARKIFY_POSTGRES_DSN=\n" in text
    assert stat.S_IMODE((tmp_path / "new.env").stat().st_mode) == 0o600


def test_init_replaces_a_file_only_with_force(tmp_path: Path) -> None:
    mine = tmp_path / ".env"
    mine.write_text("SPARKIFY_SCHEMA=analytics\n")
    refused = invoke("init")
    assert refused.exit_code == 2
    assert "refusing to replace" in one_line(refused.stderr) and "--force" in refused.stderr
    assert mine.read_text() == "SPARKIFY_SCHEMA=analytics\n"
    assert init(mine, "--force") == (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_init_works_beside_a_broken_env_file(tmp_path: Path) -> None:
    """It reads no settings: a .env that is not UTF-8 (or holds bad values) is what it replaces."""
    (tmp_path / ".env").write_bytes(b"SPARKIFY_SCHEMA=\xff\xfe\n")
    assert invoke("config", "show").exit_code == 2
    init(tmp_path / ".env", "--force")
    assert invoke("config", "show").exit_code == 0


def test_init_refuses_a_folder_a_device_and_a_database(tmp_path: Path) -> None:
    import duckdb

    (tmp_path / "folder").mkdir()
    database = tmp_path / "wh.duckdb"
    duckdb.connect(str(database)).close()
    before = database.read_bytes()
    for target, why in (
        (tmp_path / "folder", "is a folder"),
        (Path("/dev/null"), "not a regular file"),
        (database, "DuckDB"),
    ):
        result = invoke("init", "--path", str(target), "--force")
        assert result.exit_code == 2, target
        assert why in one_line(result.stderr), result.stderr
    assert database.read_bytes() == before


def test_the_warehouse_setting_names_every_registered_warehouse() -> None:
    description = Settings.model_fields["warehouse"].description or ""
    assert [name for name in DIALECTS if not re.search(rf"\b{name}\b", description)] == []


def readme_table() -> str:
    """The README's settings table, from the model: one row per key, its default and description."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for row in documented():
        default = f"`{row.default}`" if row.default else ""
        meaning = row.description.replace("|", "\\|").replace("<", "&lt;")  # <source> is not an HTML tag
        rows.append(f"| `{row.key}` | {default} | {meaning} |")
    return "\n".join(rows) + "\n"


def test_the_readme_settings_table_is_the_model() -> None:
    text = README.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text, "README.md lost the markers of its settings table"
    before, rest = text.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    expected = before + TABLE_START + readme_table() + TABLE_END + after
    if UPDATE and text != expected:
        README.write_text(expected, encoding="utf-8")
        text = expected
    assert text == expected, (
        "the README's settings table differs from the model: SPARKIFY_UPDATE_DOCS=1 pytest " + __file__
    )
    for row in documented():
        assert f"| `{row.key}` |" in text


def test_config_show_reports_origin_and_masks_secrets(tmp_path: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("SPARKIFY_SCHEMA=analytics\nSPARKIFY_REDSHIFT_PASSWORD=Hunter2-very-secret\n")
    result = invoke(
        "--env-file", str(env_file), "config", "show", "--format", "json", env={"SPARKIFY_WAREHOUSE": "duckdb"}
    )
    assert result.exit_code == 0, result.stderr
    rows = {r["key"]: r for r in result.json()["settings"]}
    assert rows["SPARKIFY_SCHEMA"] == {"key": "SPARKIFY_SCHEMA", "value": "analytics", "origin": f"env file {env_file}"}
    assert rows["SPARKIFY_WAREHOUSE"]["origin"] == "environment"
    assert rows["SPARKIFY_LOG_KEY_TEMPLATE"]["origin"] == "default"
    assert rows["SPARKIFY_REDSHIFT_PASSWORD"]["value"] == "********"
    assert "Hunter2" not in result.stdout + result.stderr


def test_blank_values_in_env_file_mean_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SPARKIFY_SOURCE=\nSPARKIFY_DUCKDB_TEMP_DIR=\n")
    rows = {r["key"]: r["value"] for r in invoke("config", "show", "--format", "json").json()["settings"]}
    assert rows["SPARKIFY_SOURCE"] == "./data"
    assert rows["SPARKIFY_DUCKDB_TEMP_DIR"] is None  # unset: null, not an empty text


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
