"""What pyproject.toml declares holds together with the code and with what was tested: the core
leaves out every extra's package, each extra the code names exists and installs its module, every
runtime bound has a ceiling and a floor the suite passed on, the test tools are pinned to the
versions CI installs, and the package ships its licence."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from sparkify_cli import DISTRIBUTION, extras
from sparkify_cli.warehouse import DIALECTS

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
CORE = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {name: [Requirement(r) for r in reqs] for name, reqs in PROJECT["optional-dependencies"].items()}
# The module each extra's package provides, where the two names differ.
PACKAGE = {"redshift_connector": "redshift-connector"}


def pins(path: Path) -> dict[str, Version]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            found[canonicalize_name(name)] = Version(version)
    return found


def names(requirements: list[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements}


def test_the_core_leaves_out_every_extras_package() -> None:
    extra_packages = {canonicalize_name(PACKAGE.get(m, m)) for m in extras.EXTRAS}
    assert names(CORE) & extra_packages == set()


def test_each_extra_the_code_names_installs_its_module() -> None:
    for module, (extra, _needs) in extras.EXTRAS.items():
        package = canonicalize_name(PACKAGE.get(module, module))
        if package == "botocore":
            package = canonicalize_name("boto3")  # botocore comes with boto3
        assert package in names(EXTRAS[extra]), (module, extra)


def test_every_server_warehouse_has_an_extra_named_after_it() -> None:
    """The registry names a warehouse's extra after it when its driver is missing."""
    assert set(DIALECTS) - {"duckdb"} <= set(EXTRAS)


def test_all_and_test_hold_every_extra() -> None:
    own = canonicalize_name(DISTRIBUTION)
    everything = set(EXTRAS) - {"all", "test"}
    (all_of_them,) = (r for r in EXTRAS["all"] if canonicalize_name(r.name) == own)
    assert all_of_them.extras == everything
    assert any(canonicalize_name(r.name) == own and "all" in r.extras for r in EXTRAS["test"])


def test_runtime_bounds_have_a_ceiling_and_the_tested_floor() -> None:
    lowest = pins(ROOT / ".ci" / "constraints-lowest.txt")
    runtime = CORE + [r for extra in ("aws", "redshift", "postgres") for r in EXTRAS[extra]]
    for requirement in runtime:
        name = canonicalize_name(requirement.name)
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert [s for s in requirement.specifier if s.operator == "<"], f"{requirement}: no upper bound"
        assert floors == [lowest[name]], f"{requirement}: not the floor tested (.ci/constraints-lowest.txt)"


def test_test_tools_are_pinned_to_what_ci_installs() -> None:
    installed = pins(ROOT / "constraints.txt")
    for requirement in EXTRAS["test"]:
        if canonicalize_name(requirement.name) == canonicalize_name(DISTRIBUTION):
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{requirement}: a test tool is pinned"
        assert installed[canonicalize_name(requirement.name)] == Version(spec.version), requirement


def test_constraints_satisfy_the_declared_bounds() -> None:
    installed = pins(ROOT / "constraints.txt")
    for requirement in CORE + [r for reqs in EXTRAS.values() for r in reqs]:
        name = canonicalize_name(requirement.name)
        if name != canonicalize_name(DISTRIBUTION):
            assert requirement.specifier.contains(installed[name]), f"constraints.txt has {name} {installed[name]}"


def test_the_licence_is_mit_and_shipped() -> None:
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Copyright (c) 2026 the sparkify authors" in text
