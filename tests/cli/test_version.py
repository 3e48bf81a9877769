"""`sparkify --version` is the installed distribution's version (its metadata), not a copy of it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_read_from_the_package_metadata(tmp_path: Path) -> None:
    """Metadata found first on sys.path says 7.7.7: that is the version, whatever the source holds."""
    info = tmp_path / "meta" / "sparkify_cli-7.7.7.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sparkify-cli\nVersion: 7.7.7\n")
    code = "import sys; sys.argv = ['sparkify', '--version']; from sparkify_cli.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(tmp_path / "meta"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sparkify 7.7.7\n"


def test_a_source_tree_without_metadata_reads_pyproject(tmp_path: Path) -> None:
    """Run from a source folder that was never installed (no site-packages at all: python -S)."""
    shutil.copytree(ROOT / "src" / "sparkify_cli", tmp_path / "src" / "sparkify_cli")
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(re.sub(r'(?m)^version = ".*"$', 'version = "8.8.8"', text, count=1))
    code = "import sparkify_cli; print(sparkify_cli.__version__)"
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": str(tmp_path / "src")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "8.8.8\n"
