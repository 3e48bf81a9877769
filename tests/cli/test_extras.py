"""The core install runs the embedded path; what needs an extra says so in one line (exit 2).

Each test runs the real CLI in a subprocess whose imports of the extras' modules fail the way they
do when the extra is not installed (a finder at the front of sys.meta_path raises
ModuleNotFoundError for them), so the lazy imports are exercised as a user without the extra meets
them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTRA_MODULES = ("boto3", "botocore", "redshift_connector", "psycopg", "keyring")

# Runs `sparkify <argv>` with `blocked` modules unimportable, as in an install without their extra.
WRAPPER = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = set(sys.argv[1].split(","))

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv = ["sparkify", *sys.argv[2:]]
from sparkify_cli.cli import main
main()
"""


def sparkify(
    *args: str, blocked: tuple[str, ...] = EXTRA_MODULES, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WRAPPER, ",".join(blocked), *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
        check=False,
    )


def install_line(extra: str) -> re.Pattern[str]:
    """`pip install` of this installation with the extra: by the folder it was installed from, or by name."""
    where = "|".join(re.escape(str(p)) for p in (ROOT, "sparkify-cli"))
    return re.compile(rf"pip install (-e )?'(?:{where})\[{extra}\]'$")


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "ModuleNotFoundError" not in result.stderr
    return lines[0]


def test_the_embedded_path_needs_no_extra(tmp_path: Path) -> None:
    """demo, run on a local folder, check, report and status with every extra's module missing."""
    demo = sparkify("demo", "--events", "500", "--songs", "100", "--dir", str(tmp_path / "demo"))
    assert demo.returncode == 0, demo.stderr
    warehouse = tmp_path / "demo" / "sparkify.duckdb"
    data = str(tmp_path / "demo" / "data")
    day = sorted((tmp_path / "demo" / "data" / "log_data").rglob("*-events.json"))[4].name[:10]  # data near today
    for args in (
        ("run", "--source", data, "--date", day),
        ("check", "--format", "json"),
        ("report", "--top", "1"),
        ("status", "--source", data),
        ("schema", "create", "--warehouse", "redshift", "--dry-run"),
    ):
        result = sparkify("--env-file", str(_env(tmp_path, warehouse)), *args)
        assert result.returncode == 0, (args, result.stderr)


def _env(tmp_path: Path, warehouse: Path) -> Path:
    env = tmp_path / "settings.env"
    env.write_text(f"SPARKIFY_DUCKDB_PATH={warehouse}\nSPARKIFY_CACHE_DIR={tmp_path / 'cache'}\n")
    return env


@pytest.mark.parametrize(
    ("args", "blocked", "needs", "extra"),
    [
        (("stage", "--source", "s3://bucket/sparkify", "--date", "2018-11-05"), ("boto3", "botocore"), "boto3", "aws"),
        (("run", "--source", "s3://bucket/sparkify", "--no-sign-request"), ("boto3", "botocore"), "boto3", "aws"),
        (("prune", "--source", "s3://bucket/sparkify", "--dry-run"), ("boto3", "botocore"), "boto3", "aws"),
        (("infra", "status"), ("boto3", "botocore"), "boto3", "aws"),
        (("infra", "up", "--dry-run"), ("boto3", "botocore"), "boto3", "aws"),
        (("check", "--warehouse", "redshift"), EXTRA_MODULES, "boto3", "redshift"),
        (("check", "--warehouse", "redshift"), ("redshift_connector",), "redshift_connector", "redshift"),
        (("check", "--warehouse", "postgres"), EXTRA_MODULES, "psycopg", "postgres"),
        (("run", "--warehouse", "postgres", "--source", "."), ("psycopg",), "psycopg", "postgres"),
    ],
)
def test_a_missing_extra_is_one_line_naming_the_install_command(
    tmp_path: Path, args: tuple[str, ...], blocked: tuple[str, ...], needs: str, extra: str
) -> None:
    env = tmp_path / "settings.env"
    env.write_text(
        f"SPARKIFY_DUCKDB_PATH={tmp_path / 'wh.duckdb'}\nSPARKIFY_CACHE_DIR={tmp_path / 'cache'}\n"
        "SPARKIFY_AWS_REGION=us-west-2\nSPARKIFY_REDSHIFT_HOST=127.0.0.1\nSPARKIFY_REDSHIFT_PORT=9\n"
        "SPARKIFY_REDSHIFT_PASSWORD=not-a-real-one\n"
        "SPARKIFY_POSTGRES_DSN=host=127.0.0.1 port=9 dbname=none connect_timeout=1\n"
    )
    result = sparkify("--env-file", str(env), *args, blocked=blocked)
    line = one_error_line(result)
    assert result.returncode == 2, result.stderr
    assert f" {needs}: " in line, line
    assert install_line(extra).search(line), line


def test_a_dry_run_on_postgres_without_psycopg_names_the_extra(tmp_path: Path) -> None:
    """The stager is imported lazily too (a dry run opens no connection)."""
    source = tmp_path / "data"
    (source / "log_data" / "2018" / "11").mkdir(parents=True)
    (source / "song_data").mkdir()
    (source / "log_data" / "2018" / "11" / "2018-11-05-events.json").write_text("")
    result = sparkify("stage", "--warehouse", "postgres", "--dry-run", "--source", str(source), "--date", "2018-11-05")
    line = one_error_line(result)
    assert result.returncode == 2
    assert install_line("postgres").search(line), line


def test_storing_the_password_without_keyring_names_the_extra() -> None:
    result = sparkify("config", "set-password", "--stdin", blocked=("keyring",), input="pw\n")
    line = one_error_line(result)
    assert result.returncode == 2
    assert install_line("redshift").search(line), line
